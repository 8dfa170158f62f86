package io.riskstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.config.RiskstreamConfig;
import io.riskstream.kafka.KafkaTopics;
import io.riskstream.testing.KafkaStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a job checks before it starts, against a real broker and registry: a Kafka that does not
 * answer and a topic that does not exist are one line each and exit code 2, within seconds, where
 * they used to retry for minutes without a word a user could act on.
 */
class StartupChecksITCase {
  @RegisterExtension static final KafkaStack STACK = new KafkaStack();

  /**
   * {@code command} against the test's broker and registry, with every topic created, and {@code
   * more} arguments.
   */
  private static CliRun onTheStack(String command, String... more) {
    RiskstreamConfig config =
        RiskstreamConfig.load(
            null,
            Map.of(),
            List.of(
                "kafka.bootstrap-servers=" + STACK.kafka().bootstrapServers(),
                "registry.url=" + STACK.registry().url()));
    KafkaTopics.create(STACK.kafka().bootstrapServers(), config.topics(), 1);
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                command,
                "--set",
                "kafka.bootstrap-servers=" + STACK.kafka().bootstrapServers(),
                "--set",
                "registry.url=" + STACK.registry().url()));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  @Test
  void aKafkaThatDoesNotAnswerIsOneLineWithinSeconds() throws Exception {
    int closed = CliRun.closedPort();

    CliRun down =
        CliRun.of(
            "detect",
            "--set",
            "kafka.bootstrap-servers=127.0.0.1:" + closed,
            "--set",
            "registry.url=" + STACK.registry().url());

    assertThat(down.exitCode()).isEqualTo(2);
    assertThat(down.err().lines()).hasSize(1);
    assertThat(down.err().strip())
        .isEqualTo(
            "riskstream detect: cannot reach Kafka at 127.0.0.1:"
                + closed
                + " within 10 s; set kafka.bootstrap-servers (and"
                + " kafka.properties.security.protocol and the like if the cluster needs them)");
    assertThat(down.took()).isLessThan(Duration.ofSeconds(20));
  }

  @Test
  void aTopicThatDoesNotExistIsNamedWithItsKey() {
    CliRun missing =
        CliRun.of(
            "detect",
            "--set",
            "kafka.bootstrap-servers=" + STACK.kafka().bootstrapServers(),
            "--set",
            "registry.url=" + STACK.registry().url(),
            "--set",
            "topics.payments=no-such-payments");

    assertThat(missing.mistake())
        .isEqualTo(
            "riskstream detect: topic 'no-such-payments' does not exist on Kafka at "
                + STACK.kafka().bootstrapServers()
                + "; create it (riskstream topics), or set topics.payments to the topic to use");
  }

  @Test
  void aPostgresThatDoesNotAnswerIsOneLineAfterKafkaAndTheRegistry() throws Exception {
    int closed = CliRun.closedPort();

    CliRun down =
        onTheStack(
            "sink",
            "--jdbc-url",
            "postgresql://postgres:postgres@127.0.0.1:" + closed + "/postgres");

    assertThat(down.exitCode()).isEqualTo(2);
    assertThat(down.err().lines()).hasSize(1);
    assertThat(down.err())
        .startsWith(
            "riskstream sink: cannot reach PostgreSQL at jdbc:postgresql://127.0.0.1:"
                + closed
                + "/postgres (")
        .endsWith("); set postgres.url" + System.lineSeparator());
    assertThat(down.took()).isLessThan(Duration.ofSeconds(20));
  }

  @Test
  void produceChecksTheRegistryBeforeReadingAnything(@TempDir Path dir) throws Exception {
    int closed = CliRun.closedPort();
    Files.writeString(dir.resolve("payments.jsonl"), "{}\n");

    CliRun down =
        CliRun.of(
            "produce",
            "--bootstrap",
            STACK.kafka().bootstrapServers(),
            "--registry",
            "http://127.0.0.1:" + closed,
            dir.toString());

    assertThat(down.exitCode()).isEqualTo(2);
    assertThat(down.err().lines()).hasSize(1);
    assertThat(down.err())
        .startsWith(
            "riskstream produce: cannot reach the schema registry at http://127.0.0.1:" + closed)
        .endsWith("; set registry.url" + System.lineSeparator());
  }

  @Test
  void aTransactionTimeoutAboveTheBrokersLimitIsOneLineBeforeTheJobStarts() {
    CliRun tooLong = onTheStack("detect", "--set", "kafka.transaction-timeout=20 min");

    assertThat(tooLong.mistake())
        .isEqualTo(
            "riskstream detect: kafka.transaction-timeout (20 min) is above the brokers'"
                + " transaction.max.timeout.ms (15 min) at "
                + STACK.kafka().bootstrapServers()
                + ": lower it, or raise the brokers' limit");
  }
}
