package io.riskstream.demo;

import io.riskstream.avro.AlertType;
import io.riskstream.avro.Severity;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.kafka.KafkaTopics;
import io.riskstream.notify.NotifySettings;
import io.riskstream.sink.Migrations;
import io.riskstream.testkit.EmbeddedKafka;
import io.riskstream.testkit.EmbeddedSchemaRegistry;
import io.riskstream.testkit.OnCallInbox;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the demo runs on, all in this process: a KRaft broker with riskstream's topics, a schema
 * registry, PostgreSQL with the sink's tables, and a stand-in for Telegram; and the configuration
 * that points the jobs at them.
 */
final class DemoStack implements AutoCloseable {
  final EmbeddedKafka kafka;
  final EmbeddedSchemaRegistry registry;
  final EmbeddedPostgres postgres;
  final OnCallInbox inbox;
  final RiskstreamConfig config;
  final NotifySettings onCall;

  /** Where the mini cluster serves its metrics for Prometheus ({@code /metrics}). */
  final int metricsPort;

  private DemoStack(Demo.Options options, List<AutoCloseable> started) throws Exception {
    kafka = add(started, EmbeddedKafka.start());
    registry = add(started, EmbeddedSchemaRegistry.start(0));
    postgres = add(started, EmbeddedPostgres.builder().setPort(options.postgresPort()).start());
    inbox = add(started, new OnCallInbox());
    metricsPort = Demo.freePort(9249);
    config = config(options);
    Migrations.apply(config.postgres());
    KafkaTopics.create(kafka.bootstrapServers(), config.topics(), 2);
    onCall = onCallRoutes(options.workDir());
  }

  /** Starts everything; what started before a failure is closed again. */
  static DemoStack start(Demo.Options options) throws Exception {
    List<AutoCloseable> started = new java.util.ArrayList<>();
    try {
      return new DemoStack(options, started);
    } catch (Exception | Error e) {
      java.util.Collections.reverse(started);
      for (AutoCloseable c : started) {
        try {
          c.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  private static <T extends AutoCloseable> T add(List<AutoCloseable> started, T part) {
    started.add(part);
    return part;
  }

  private RiskstreamConfig config(Demo.Options options) {
    List<String> settings =
        new java.util.ArrayList<>(RiskstreamConfig.prometheusSettings(metricsPort));
    settings.addAll(
        List.of(
            "postgres.url=jdbc:postgresql://127.0.0.1:" + options.postgresPort() + "/postgres",
            "postgres.user=postgres",
            "sink.batch-interval=500 ms",
            "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
            "registry.url=" + registry.url(),
            "kafka.starting-offsets=earliest",
            "kafka.transaction-timeout=5 min",
            "checkpoints.interval=2 s",
            "watermarks.idleness=2 s",
            "checkpoints.dir=" + options.workDir().resolve("checkpoints").toUri(),
            "job.name=riskstream demo (detect + sink + notify)",
            "job.parallelism=2",
            "flink.rest.port=" + options.uiPort(),
            "flink.rest.bind-address=127.0.0.1",
            "flink.rest.address=127.0.0.1"));
    return RiskstreamConfig.load(
        null, Map.of("RISKSTREAM_POSTGRES_PASSWORD", "postgres"), settings);
  }

  /**
   * On-call's routes in the demo: HIGH and CRITICAL alerts to one Telegram group (the local inbox),
   * with FORGED_UTR summarised from 5 alerts in 10 minutes; rate limits relaxed so that a minute of
   * demo drains.
   */
  private NotifySettings onCallRoutes(Path workDir) throws IOException {
    Path token = workDir.resolve("telegram-token");
    Files.writeString(token, "demo:token");
    NotifySettings.Limit relaxed = new NotifySettings.Limit(100, Duration.ofSeconds(1));
    return new NotifySettings(
        new NotifySettings.Telegram(inbox.url(), null, token.toString(), null),
        List.of(
            new NotifySettings.Route(
                "on-call",
                List.of(),
                Severity.HIGH,
                List.of("-100200300"),
                List.of(),
                NotifySettings.BelowThreshold.INDIVIDUAL)),
        List.of(
            new NotifySettings.Threshold(
                "forged-utr-flood",
                AlertType.FORGED_UTR,
                null,
                5,
                Duration.ofMinutes(10),
                Duration.ofMinutes(30))),
        new NotifySettings.Delivery(
            4,
            Duration.ofMillis(200),
            Duration.ofSeconds(2),
            Duration.ofSeconds(5),
            Duration.ofDays(1)),
        new NotifySettings.RateLimits(relaxed, relaxed, relaxed));
  }

  String metricsUrl() {
    return "http://127.0.0.1:" + metricsPort + "/metrics";
  }

  @Override
  public void close() throws Exception {
    inbox.close();
    postgres.close();
    registry.close();
    kafka.close();
  }
}
