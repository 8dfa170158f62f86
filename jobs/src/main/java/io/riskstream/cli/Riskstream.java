package io.riskstream.cli;

import io.riskstream.config.ConfigException;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code riskstream} command line: one executable jar, one sub-command per job or tool (spec
 * section 5).
 */
@Command(
    name = "riskstream",
    mixinStandardHelpOptions = true,
    versionProvider = Riskstream.Version.class,
    description = "Stream-processing fraud and anomaly detection for UPI-style payment wallets.",
    subcommands = {
      DemoOnly.Demo.class,
      DetectCommand.class,
      BacktestCommand.class,
      SinkCommand.class,
      NotifyCommand.class,
      GenerateCommand.class,
      ProduceCommand.class,
      DemoOnly.Broker.class,
      CommandLine.HelpCommand.class
    })
public final class Riskstream {
  /**
   * Exit code of a user mistake (bad flag, bad configuration, bad file): like picocli's own usage
   * errors.
   */
  public static final int USER_ERROR = 2;

  public static void main(String[] args) {
    int code = run(args);
    if (StreamExecutionEnvironment.getExecutionEnvironment() instanceof StreamContextEnvironment) {
      // Flink runs this main() itself (flink run, or in the JobManager in application mode):
      // System.exit would take the JobManager down with it. A failure is an exception there.
      if (code != 0) {
        throw new IllegalStateException("riskstream ended with exit code " + code);
      }
      return;
    }
    System.exit(code);
  }

  /**
   * Runs a command line and returns its exit code; a user mistake prints one line, never a stack
   * trace.
   */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  public static CommandLine commandLine() {
    return new CommandLine(new Riskstream()).setExecutionExceptionHandler(USER_MISTAKES);
  }

  /** Prints a user mistake (bad configuration or arguments) as one line, exit code 2. */
  public static final CommandLine.IExecutionExceptionHandler USER_MISTAKES =
      (e, cmd, parsed) -> {
        if (e instanceof ConfigException || e instanceof UserException) {
          String name = cmd.getCommandName();
          cmd.getErr()
              .println(
                  (name.startsWith("riskstream") ? name : "riskstream " + name)
                      + ": "
                      + e.getMessage());
          return USER_ERROR;
        }
        throw e;
      };

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Riskstream.class.getPackage().getImplementationVersion();
      return new String[] {"riskstream " + (version == null ? "(development build)" : version)};
    }
  }
}
