package io.riskstream.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

/** One run of the riskstream command line in this JVM: its exit code, what it printed, how long. */
record CliRun(int exitCode, String err, Duration took) {
  static CliRun of(String... args) {
    StringWriter err = new StringWriter();
    var cli = Riskstream.commandLine();
    cli.setErr(new PrintWriter(err));
    cli.setOut(new PrintWriter(new StringWriter()));
    long began = System.nanoTime();
    int code = cli.execute(args);
    return new CliRun(code, err.toString(), Duration.ofNanos(System.nanoTime() - began));
  }
}
