package io.riskstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Duration;

/** One run of the riskstream command line in this JVM: its exit code, what it printed, how long. */
public record CliRun(int exitCode, String out, String err, Duration took) {
  public static CliRun of(String... args) {
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

  /** The one line a user mistake prints, after checking that it is one line and exit code 2. */
  String mistake() {
    assertThat(exitCode).as(err).isEqualTo(2);
    assertThat(err.lines()).as(err).hasSize(1);
    return err.strip();
  }

  /** A loopback port nothing listens on (it was free a moment ago). */
  static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
