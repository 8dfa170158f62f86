package io.riskstream.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code demo} and {@code broker} in the production jar, which holds no broker, registry server or
 * database: one line saying where they are. The demo jar replaces these with the real commands.
 */
final class DemoOnly {
  static final String DEMO_JAR = "demo/target/riskstream-demo.jar";

  private DemoOnly() {}

  private abstract static class Elsewhere implements Callable<Integer> {
    @Spec CommandSpec spec;

    // Whatever options were meant for the real command, the answer is the same.
    @Unmatched java.util.List<String> ignored;

    @Override
    public Integer call() {
      throw new UserException(
          "not in this jar, which holds no Kafka broker, registry or database; run java -jar "
              + DEMO_JAR
              + " "
              + spec.name()
              + " (built by mvn -B -ntp -DskipTests package)");
    }
  }

  @Command(
      name = "demo",
      mixinStandardHelpOptions = true,
      description = "Everything embedded: in the demo jar (" + DEMO_JAR + ").")
  static final class Demo extends Elsewhere {}

  @Command(
      name = "broker",
      mixinStandardHelpOptions = true,
      description = "The demo's broker and registry: in the demo jar (" + DEMO_JAR + ").")
  static final class Broker extends Elsewhere {}
}
