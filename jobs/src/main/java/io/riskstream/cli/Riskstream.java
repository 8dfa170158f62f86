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
      TopicsCommand.class,
      RulesCommand.class,
      AlertsCommand.class,
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
    return new CommandLine(new Riskstream())
        .setExecutionExceptionHandler(USER_MISTAKES)
        .setParameterExceptionHandler(BAD_ARGUMENTS);
  }

  /**
   * A flag picocli cannot parse or convert ({@code --events abc}, {@code --start yesterday}, an
   * unknown option) in the same one-line form as the project's own mistakes, pointing at the help
   * instead of printing all of it.
   */
  static final CommandLine.IParameterExceptionHandler BAD_ARGUMENTS =
      (e, args) -> {
        CommandLine cmd = e.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        String message = e.getMessage().lines().findFirst().orElse("").strip();
        cmd.getErr().println(name + ": " + message + " (see " + name + " --help)");
        return USER_ERROR;
      };

  /** Prints a user mistake (bad configuration or arguments) as one line, exit code 2. */
  public static final CommandLine.IExecutionExceptionHandler USER_MISTAKES =
      (e, cmd, parsed) -> {
        boolean failed = e instanceof JobConsole.JobFailed;
        if (e instanceof ConfigException || e instanceof UserException || failed) {
          // "riskstream rules validate", not "validate": a sub-command's name alone says little.
          String name = cmd.getCommandSpec().qualifiedName();
          cmd.getErr()
              .println(
                  (name.startsWith("riskstream") ? name : "riskstream " + name)
                      + ": "
                      + e.getMessage());
          // A job that failed is not the user's mistake: exit code 1, the details in its log.
          return failed ? 1 : USER_ERROR;
        }
        throw e;
      };

  /** The version and commit of the build, from what the build wrote into the jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws java.io.IOException {
      java.util.Properties build = new java.util.Properties();
      try (var in = Riskstream.class.getResourceAsStream("version.properties")) {
        if (in == null) {
          return new String[] {"riskstream (built without its version: not by Maven)"};
        }
        build.load(in);
      }
      String commit = build.getProperty("git.commit.id.abbrev");
      return new String[] {
        "riskstream "
            + build.getProperty("git.build.version")
            + (commit == null
                ? " (not built from a git clone)"
                : ", commit "
                    + commit
                    + " ("
                    + build.getProperty("git.commit.time")
                    + ")"
                    + ("true".equals(build.getProperty("git.dirty")) ? " with local changes" : ""))
      };
    }
  }
}
