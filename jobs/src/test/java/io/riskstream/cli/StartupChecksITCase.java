package io.riskstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.testing.KafkaStack;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a job checks before it starts, against a real broker and registry: a Kafka that does not
 * answer and a topic that does not exist are one line each and exit code 2, within seconds, where
 * they used to retry for minutes without a word a user could act on.
 */
class StartupChecksITCase {
  @RegisterExtension static final KafkaStack STACK = new KafkaStack();

  @Test
  void aKafkaThatDoesNotAnswerIsOneLineWithinSeconds() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }

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

    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err().strip())
        .isEqualTo(
            "riskstream detect: topic 'no-such-payments' does not exist on Kafka at "
                + STACK.kafka().bootstrapServers()
                + "; create it, or set topics.payments to the topic to use");
  }
}
