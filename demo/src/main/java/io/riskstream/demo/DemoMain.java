package io.riskstream.demo;

import io.riskstream.cli.Riskstream;
import picocli.CommandLine;

/**
 * The demo jar's entry point: the riskstream command line, whose {@code demo} and {@code broker}
 * are the real ones here (in the production jar they only say where to find them).
 */
public final class DemoMain {
  private DemoMain() {}

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    CommandLine cli = Riskstream.commandLine();
    cli.getCommandSpec().removeSubcommand("demo");
    cli.getCommandSpec().removeSubcommand("broker");
    return cli.addSubcommand(new DemoCommand()).addSubcommand(new BrokerCommand());
  }
}
