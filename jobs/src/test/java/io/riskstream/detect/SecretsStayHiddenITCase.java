package io.riskstream.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.config.RiskstreamConfig;
import io.riskstream.kafka.KafkaTopics;
import io.riskstream.testing.KafkaStack;
import io.riskstream.testing.KafkaTestSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Secrets given the way riskstream takes them (environment variables) do not show in what Flink
 * publishes about a running job: its REST API's job and cluster configuration, plan and checkpoint
 * settings, which anyone with the web UI can read.
 */
class SecretsStayHiddenITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = KafkaStack.miniCluster(2);

  @RegisterExtension static final KafkaStack STACK = new KafkaStack();

  private static final String CANARY = "canary-5ecret-7f3a";

  @Test
  void aRunningJobsRestApiShowsNoSecret(@InjectClusterClient ClusterClient<?> cluster)
      throws Exception {
    List<String> sets =
        List.of(
            "kafka.bootstrap-servers=" + STACK.kafka().bootstrapServers(),
            "registry.url=" + STACK.registry().url(),
            "checkpoints.interval=1 s");
    RiskstreamConfig config =
        RiskstreamConfig.load(
            null,
            Map.of(
                "RISKSTREAM_REGISTRY_BASIC_AUTH_USER_INFO", "risk:" + CANARY,
                // Unused on a PLAINTEXT broker, but passed to every client like any secret.
                "RISKSTREAM_KAFKA_PROPERTIES", "ssl.key.password: " + CANARY),
            sets);
    KafkaTopics.create(STACK.kafka().bootstrapServers(), config.topics(), 2);
    assertThat(config.kafkaProperties()).containsEntry("ssl.key.password", CANARY);

    JobClient job = KafkaTestSupport.startDetect(config, "secrets");
    try {
      String base = cluster.getWebInterfaceURL();
      String id = job.getJobID().toString();
      KafkaTestSupport.await(
          "a completed checkpoint",
          java.time.Duration.ofMinutes(1),
          () -> get(base + "/jobs/" + id + "/checkpoints").contains("\"completed\":"));
      for (String path :
          List.of(
              "/jobmanager/config",
              "/jobs/" + id,
              "/jobs/" + id + "/config",
              "/jobs/" + id + "/plan",
              "/jobs/" + id + "/checkpoints/config",
              "/jobs/" + id + "/jobmanager/config")) {
        String answer = get(base + path);
        assertThat(answer).as(path).isNotBlank().doesNotContain(CANARY);
      }
    } finally {
      job.cancel().get(1, TimeUnit.MINUTES);
    }
  }

  private static String get(String url) throws Exception {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
