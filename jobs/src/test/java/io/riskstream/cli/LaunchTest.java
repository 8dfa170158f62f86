package io.riskstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.config.ConfigException;
import io.riskstream.config.RiskstreamConfig;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a local run adds to its configuration for its metrics endpoint. */
class LaunchTest {
  private static RiskstreamConfig config(String... sets) {
    List<String> all = new java.util.ArrayList<>(List.of("kafka.bootstrap-servers=kafka:9092"));
    all.addAll(List.of(sets));
    return RiskstreamConfig.load(null, Map.of(), all);
  }

  @Test
  void aLocalRunServesPrometheusMetricsOnTheConfiguredOrAFreePort() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    assertThat(new Launch().settings(config("metrics.port=" + port)))
        .contains(
            "flink.metrics.reporter.prom.factory.class="
                + "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
            "flink.metrics.reporter.prom.port=" + port);
    assertThat(new Launch().settings(config()))
        .anyMatch(s -> s.matches("flink\\.metrics\\.reporter\\.prom\\.port=[1-9]\\d*"));
    assertThat(new Launch().settings(config("metrics.port=-1")))
        .noneMatch(s -> s.startsWith("flink.metrics.reporter"));
    // Reporters of the user's own replace it.
    assertThat(
            new Launch()
                .settings(config("flink.metrics.reporter.jmx.factory.class=org.example.Jmx")))
        .noneMatch(s -> s.startsWith("flink.metrics.reporter"));
  }

  @Test
  void aMetricsPortInUseFailsAtStartNamingTheKey() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> new Launch().settings(config("metrics.port=" + port)))
          .isInstanceOf(ConfigException.class)
          .hasMessage(
              "'metrics.port' "
                  + port
                  + " is in use (another riskstream job on this machine?): set metrics.port to"
                  + " another port, 0 for any free one, or -1 for none");
    }
  }
}
