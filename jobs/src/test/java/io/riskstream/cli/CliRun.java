package io.riskstream.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

/** One run of the riskstream command line in this JVM: its exit code, what it printed, how long. */
record CliRun(int exitCode, String out, String err, Duration took) {
  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cli = Riskstream.commandLine();
    cli.setErr(new PrintWriter(err));
    cli.setOut(new PrintWriter(out));
    long began = System.nanoTime();
    int code = cli.execute(args);
    return new CliRun(
        code, out.toString(), err.toString(), Duration.ofNanos(System.nanoTime() - began));
  }
}
