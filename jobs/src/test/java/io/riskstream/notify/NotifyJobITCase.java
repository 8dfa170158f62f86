package io.riskstream.notify;

import static io.riskstream.notify.NotifyTestSupport.alert;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertType;
import io.riskstream.avro.Severity;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.io.EventJson;
import io.riskstream.kafka.KafkaTopics;
import io.riskstream.kafka.WireProducer;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.sink.Migrations;
import io.riskstream.testing.KafkaStack;
import io.riskstream.testing.KafkaTestSupport;
import io.riskstream.testkit.EmbeddedKafka;
import io.riskstream.testkit.EmbeddedSchemaRegistry;
import io.riskstream.testkit.RecordingHttpServer;
import io.riskstream.testkit.RecordingHttpServer.Answer;
import io.riskstream.testkit.RecordingHttpServer.Request;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notify job on real parts: alerts from a KRaft broker through a Flink MiniCluster (RocksDB,
 * checkpoints) to a real local HTTP server, undeliverable messages into PostgreSQL.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NotifyJobITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = KafkaStack.miniCluster(2);

  private static final String OPS = "/hooks/ops";
  private static final String FLOODS = "/hooks/floods";
  private static final String QUIET = "/hooks/quiet";
  private static final String BROKEN = "/hooks/broken";

  private static EmbeddedKafka kafka;
  private static EmbeddedSchemaRegistry registry;
  private static EmbeddedPostgres postgres;

  @TempDir Path dir;
  private RecordingHttpServer server;
  private NotifySettings settings;

  @BeforeAll
  static void startAll() throws Exception {
    kafka = EmbeddedKafka.start();
    registry = EmbeddedSchemaRegistry.start(0);
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stopAll() throws Exception {
    postgres.close();
    registry.close();
    kafka.close();
  }

  @BeforeEach
  void start() throws Exception {
    server = new RecordingHttpServer();
    settings =
        NotifyTestSupport.settings(
            dir,
            """
        routes:
          - name: ops
            min-severity: LOW
            webhooks: [{name: ops, url: "%1$s/hooks/ops"}]
          - name: floods
            merchants: [M-2, M-4]
            min-severity: LOW
            below-threshold: individual
            webhooks: [{name: floods, url: "%1$s/hooks/floods"}]
          - name: quiet
            merchants: [M-3]
            min-severity: LOW
            below-threshold: summary-only
            webhooks: [{name: quiet, url: "%1$s/hooks/quiet"}]
          - name: broken
            merchants: [M-9]
            min-severity: LOW
            webhooks: [{name: broken, url: "%1$s/hooks/broken"}]
        thresholds:
          - {id: forged-flood, type: FORGED_UTR, count: 3, window: 2 s, quiet: 10 min}
        delivery: {max-attempts: 3, initial-backoff: 50 ms, max-backoff: 200 ms, timeout: 2 min, dedup-ttl: 1 d}
        """
                .formatted(server.url()));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void shouldSummariseAtTheThresholdAndSendBelowItOnlyWhereTheRouteAsks() throws Exception {
    RiskstreamConfig config = config("thresholds");
    send(
        config,
        forged("k1", "M-2"),
        forged("k2", "M-2"),
        forged("k3", "M-2"),
        forged("j1", "M-4"),
        forged("j2", "M-4"),
        forged("q1", "M-3"),
        forged("q2", "M-3"));

    JobClient job = start(config);
    try {
      KafkaTestSupport.await(
          "a summary and two single messages", Duration.ofMinutes(1), () -> count(FLOODS) >= 3);
      // The windows are 2 s of processing time: for 3 s no fourth message may come. A condition
      // held over time, failing at the first extra message, not a sleep.
      Awaitility.await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(5))
          .until(() -> count(FLOODS) == 3);
    } finally {
      job.cancel().get();
    }

    List<JsonNode> floods = bodies(FLOODS);
    assertThat(floods).hasSize(3);
    assertThat(floods.stream().filter(b -> b.path("kind").asText().equals("summary")))
        .singleElement()
        .satisfies(
            summary -> {
              assertThat(summary.path("merchant_id").asText()).isEqualTo("M-2");
              assertThat(summary.path("count").asInt()).isEqualTo(3);
              assertThat(summary.path("alert_ids"))
                  .extracting(JsonNode::asText)
                  .containsExactlyInAnyOrder("k1", "k2", "k3");
            });
    assertThat(floods.stream().filter(b -> b.path("kind").asText().equals("alert")))
        .extracting(b -> b.path("alert").path("alert_id").asText())
        .containsExactlyInAnyOrder("j1", "j2");
    assertThat(server.requests(QUIET)).isEmpty();
  }

  @Test
  void shouldKeepEveryUndeliverableMessageInTheDeadLetterTableWithItsLastError() throws Exception {
    RiskstreamConfig config = config("dead-letters");
    server.script(
        BROKEN,
        Answer.status(400, "{\"error\":\"unknown route\"}"),
        Answer.status(500, "{\"error\":\"down\"}"),
        Answer.status(502, "bad gateway"),
        Answer.status(503, "{\"error\":\"still down\"}"));
    send(config, large("d1", "M-9"));

    JobClient job = start(config);
    try {
      KafkaTestSupport.await("the 400's dead letter", Duration.ofMinutes(1), () -> rows() == 1);
      send(config, large("d2", "M-9"));
      KafkaTestSupport.await(
          "the dead letter after three 5xx", Duration.ofMinutes(1), () -> rows() == 2);
    } finally {
      job.cancel().get();
    }

    assertThat(deadLetter(ThresholdGate.id("webhook:broken", "d1")))
        .isEqualTo(row("d1", 1, "400 {\"error\":\"unknown route\"}"));
    assertThat(deadLetter(ThresholdGate.id("webhook:broken", "d2")))
        .isEqualTo(row("d2", 3, "503 {\"error\":\"still down\"}"));
    assertThat(server.requests(BROKEN)).hasSize(4);
  }

  /**
   * The crash window: a0..a9 are delivered before the checkpoint; b0..b9 are sent but unanswered
   * when the checkpoint is taken and the job dies; c0..c9 arrive while it is down. After the
   * restart from that checkpoint every alert is delivered, and only the b's twice (once each, with
   * the same webhook-id so that a receiver can tell).
   */
  @Test
  void shouldDeliverEveryAlertAfterARestartWithDuplicatesOnlyForMessagesInFlight(
      @InjectClusterClient ClusterClient<?> cluster, @TempDir Path checkpoints) throws Exception {
    RiskstreamConfig config =
        config(
            "restart",
            "checkpoints.dir=" + checkpoints.toUri(),
            "flink.execution.checkpointing.externalized-checkpoint-retention="
                + "RETAIN_ON_CANCELLATION");
    send(config, batch("a"));
    JobClient first = start(config);
    KafkaTestSupport.await("a0..a9 delivered", Duration.ofMinutes(1), () -> count(OPS) == 10);
    KafkaTestSupport.await(
        "the job has read every alert of the batch, the ones no route takes too",
        Duration.ofMinutes(1),
        () ->
            KafkaTestSupport.committedToTheEnd(
                config, config.groupId() + "-notify", config.topics().alerts()));

    server.hold(OPS);
    send(config, batch("b"));
    KafkaTestSupport.await("b0..b9 in flight", Duration.ofMinutes(1), () -> count(OPS) == 20);
    cluster.triggerCheckpoint(first.getJobID(), CheckpointType.FULL).get(1, TimeUnit.MINUTES);
    first.cancel().get(1, TimeUnit.MINUTES);
    server.release(OPS); // the receiver got them; the job never heard back
    send(config, batch("c"));

    long restartedAt = System.currentTimeMillis();
    JobClient second =
        start(
            config(
                "restart",
                "checkpoints.dir=" + checkpoints.toUri(),
                "flink.execution.state-recovery.path=" + latestCheckpoint(checkpoints)));
    try {
      KafkaTestSupport.await(
          "b0..b9 again and c0..c9", Duration.ofMinutes(1), () -> count(OPS) == 40);
      // Everything read and checkpointed, and for 2 s no message beyond the 40.
      KafkaTestSupport.await(
          "the restarted job has read every alert",
          Duration.ofMinutes(1),
          () ->
              KafkaTestSupport.committedToTheEnd(
                  config, config.groupId() + "-notify", config.topics().alerts()));
      Awaitility.await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(4))
          .until(() -> count(OPS) == 40);
    } finally {
      second.cancel().get();
    }

    List<Request> requests = server.requests(OPS);
    assertThat(requests).hasSize(40);
    Map<String, List<Request>> byAlert =
        requests.stream()
            .collect(
                Collectors.groupingBy(
                    r -> json(r).path("alert").path("alert_id").asText(),
                    LinkedHashMap::new,
                    Collectors.toList()));
    Map<String, Integer> times = new LinkedHashMap<>();
    byAlert.forEach((id, tries) -> times.put(id, tries.size()));
    Map<String, Integer> expected = new LinkedHashMap<>();
    batchIds("a").forEach(id -> expected.put(id, 1));
    batchIds("b").forEach(id -> expected.put(id, 2));
    batchIds("c").forEach(id -> expected.put(id, 1));
    assertThat(times).isEqualTo(expected);
    for (String id : batchIds("b")) {
      List<Request> tries = byAlert.get(id);
      assertThat(tries.get(0).header("webhook-id"))
          .isEqualTo(tries.get(1).header("webhook-id"))
          .isEqualTo(ThresholdGate.id("webhook:ops", id));
      assertThat(tries.get(0).receivedAt()).isLessThan(restartedAt);
      assertThat(tries.get(1).receivedAt()).isGreaterThanOrEqualTo(restartedAt);
    }
  }

  private RiskstreamConfig config(String name, String... extra) {
    List<String> sets =
        new ArrayList<>(
            List.of(
                "topics.alerts=alerts-" + name,
                "kafka.group-id=notify-" + name,
                "postgres.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                "postgres.user=postgres",
                "sink.batch-interval=100 ms"));
    sets.addAll(Arrays.asList(extra));
    RiskstreamConfig config = KafkaTestSupport.config(kafka, registry, sets.toArray(String[]::new));
    KafkaTopics.create(kafka.bootstrapServers(), config.topics(), 2);
    Migrations.apply(config.postgres());
    return config;
  }

  private JobClient start(RiskstreamConfig config) throws Exception {
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(config.flinkConfiguration());
    NotifyJob.build(env, config, settings);
    return env.executeAsync("notify-it");
  }

  private static void send(RiskstreamConfig config, Alert... alerts) {
    try (WireProducer producer =
        new WireProducer(config.kafkaProperties(), new SchemaRegistryClient(registry.url()))) {
      for (Alert alert : alerts) {
        producer.send(config.topics().alerts(), alert.getAlertId(), alert);
      }
    }
  }

  private static Alert forged(String id, String merchant) {
    return alert(id, AlertType.FORGED_UTR, "NO_BANK_RECORD", Severity.HIGH, merchant);
  }

  private static Alert large(String id, String merchant) {
    return alert(id, AlertType.LARGE_AMOUNT, "PAYMENT_OVER_LIMIT", Severity.MEDIUM, merchant);
  }

  private static List<String> batchIds(String prefix) {
    return IntStream.range(0, 10).mapToObj(i -> prefix + i).toList();
  }

  private static Alert[] batch(String prefix) {
    return batchIds(prefix).stream().map(id -> large(id, "M-1")).toArray(Alert[]::new);
  }

  private int count(String path) {
    return server.requests(path).size();
  }

  private List<JsonNode> bodies(String path) {
    return server.requests(path).stream().map(NotifyJobITCase::json).toList();
  }

  private static JsonNode json(Request request) {
    try {
      return EventJson.MAPPER.readTree(request.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The newest retained checkpoint: the one taken with the b's in flight, or a later one. */
  private static String latestCheckpoint(Path checkpoints) throws IOException {
    try (Stream<Path> files = Files.walk(checkpoints)) {
      return files
          .filter(p -> p.getFileName().toString().equals("_metadata"))
          .map(Path::getParent)
          .max(
              Comparator.comparingLong(
                  p -> Long.parseLong(p.getFileName().toString().substring("chk-".length()))))
          .orElseThrow(() -> new AssertionError("no completed checkpoint in " + checkpoints))
          .toUri()
          .toString();
    }
  }

  private static long rows() {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        ResultSet rs =
            c.createStatement().executeQuery("SELECT count(*) FROM notification_dead_letters")) {
      rs.next();
      return rs.getLong(1);
    } catch (Exception e) {
      return -1; // the table is not there before the first migration
    }
  }

  private static Map<String, Object> deadLetter(String messageId) throws Exception {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        var query =
            c.prepareStatement(
                "SELECT target, route, alert_ids, attempts, last_error, message"
                    + " FROM notification_dead_letters WHERE message_id = ?")) {
      query.setString(1, messageId);
      try (ResultSet rs = query.executeQuery()) {
        assertThat(rs.next()).as("dead letter " + messageId).isTrue();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("target", rs.getString(1));
        row.put("route", rs.getString(2));
        row.put("alert_ids", List.of((String[]) rs.getArray(3).getArray()));
        row.put("attempts", rs.getInt(4));
        row.put("last_error", rs.getString(5));
        row.put("message", rs.getString(6).contains("LARGE_AMOUNT"));
        return row;
      }
    }
  }

  private static Map<String, Object> row(String alertId, int attempts, String lastError) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("target", "webhook:broken");
    row.put("route", "broken");
    row.put("alert_ids", List.of(alertId));
    row.put("attempts", attempts);
    row.put("last_error", lastError);
    row.put("message", true);
    return row;
  }
}
