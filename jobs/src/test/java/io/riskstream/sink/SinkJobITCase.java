package io.riskstream.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.riskstream.avro.Alert;
import io.riskstream.avro.RuleMode;
import io.riskstream.avro.RuleUpdate;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.config.Topics;
import io.riskstream.detect.LargeAmountRule;
import io.riskstream.detect.Rules;
import io.riskstream.generate.Traffic;
import io.riskstream.io.EventJson;
import io.riskstream.kafka.KafkaTopics;
import io.riskstream.kafka.WireProducer;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.testing.KafkaStack;
import io.riskstream.testing.KafkaTestSupport;
import io.riskstream.testkit.EmbeddedKafka;
import io.riskstream.testkit.EmbeddedSchemaRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The sink job on real parts: Kafka, the registry, PostgreSQL and a Flink MiniCluster. */
class SinkJobITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = KafkaStack.miniCluster(4);

  private static EmbeddedKafka kafka;
  private static EmbeddedSchemaRegistry registry;
  private static EmbeddedPostgres postgres;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start();
    registry = EmbeddedSchemaRegistry.start(0);
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stop() throws Exception {
    postgres.close();
    registry.close();
    kafka.close();
  }

  private static final RuleUpdate RULE =
      RuleUpdate.newBuilder()
          .setRuleId("large-amount")
          .setVersion(3)
          .setMode(RuleMode.SHADOW)
          .setSettings("limit: 75000.00\n")
          .setEffectiveFrom(Instant.parse("2026-12-01T18:30:00Z"))
          .setAuthor("priya")
          .setReason("M-7 chargebacks")
          .setCreatedAt(Instant.parse("2026-12-01T10:00:00.250Z"))
          .build();

  /** The test settings of {@link KafkaTestSupport#config} with this database, and {@code extra}. */
  static RiskstreamConfig config(
      EmbeddedKafka kafka,
      EmbeddedSchemaRegistry registry,
      EmbeddedPostgres postgres,
      String... extra) {
    List<String> sets =
        new ArrayList<>(
            List.of(
                "postgres.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                "postgres.user=postgres",
                "sink.batch-interval=200 ms"));
    sets.addAll(List.of(extra));
    return KafkaTestSupport.config(kafka, registry, sets.toArray(String[]::new));
  }

  @Test
  void shouldHoldOneRowPerIdEqualToTheRecordsAlsoWhenRunTwice() throws Exception {
    RiskstreamConfig config = config(kafka, registry, postgres);
    KafkaTopics.create(kafka.bootstrapServers(), config.topics(), 2);
    Migrations.apply(MigrationsITCase.connection(postgres));
    SchemaRegistryClient client = new SchemaRegistryClient(registry.url());
    Traffic traffic = KafkaTestSupport.traffic(3_000, 5);
    List<Alert> alerts = new ArrayList<>();
    traffic.payments().forEach(p -> alerts.add(LargeAmountRule.check(p, Rules.defaults())));
    traffic.balanceChanges().forEach(c -> alerts.add(LargeAmountRule.check(c, Rules.defaults())));
    alerts.removeIf(Objects::isNull);
    alerts.forEach(a -> a.setDetectedAt(Instant.parse("2026-11-21T12:00:00.123Z")));
    Map<String, Alert> alertsById = new LinkedHashMap<>();
    alerts.forEach(a -> alertsById.put(a.getAlertId(), a));
    assertThat(alertsById).hasSizeGreaterThan(10);

    try (WireProducer producer = new WireProducer(config.kafkaProperties(), client)) {
      KafkaTestSupport.produce(producer, config.topics(), traffic);
      for (int delivery = 0; delivery < 2; delivery++) { // every alert delivered twice
        alerts.forEach(a -> producer.send(config.topics().alerts(), a.getAlertId(), a));
        producer.send(config.topics().rules(), RULE.getRuleId(), RULE);
      }
    }
    Map<String, Long> expectedCounts =
        Map.of(
            "risk_alerts", (long) alertsById.size(),
            "payments", traffic.payments().stream().map(p -> p.getEventId()).distinct().count(),
            "bills", traffic.bills().stream().map(b -> b.getBillId()).distinct().count(),
            "balance_changes",
                traffic.balanceChanges().stream().map(c -> c.getLogId()).distinct().count());
    assertThat(expectedCounts.get("payments")).isLessThan(traffic.payments().size());

    runSinkUntil(config, expectedCounts);
    Map<String, Long> firstRun = counts();
    assertThat(firstRun).isEqualTo(expectedCounts);
    for (Alert alert : alertsById.values()) {
      assertThat(row("risk_alerts", "alert_id", alert.getAlertId())).isEqualTo(expectedRow(alert));
    }
    assertThat(row("rule_changes", "rule_id", "large-amount"))
        .as("one row per rule and version, however often it is delivered")
        .isEqualTo(expectedRow(RULE));
    assertThat(row("payments", "event_id", traffic.payments().get(7).getEventId()))
        .isEqualTo(expectedRow(traffic.payments().get(7)));
    assertThat(row("balance_changes", "log_id", traffic.balanceChanges().get(3).getLogId()))
        .isEqualTo(expectedRow(traffic.balanceChanges().get(3)));

    // From the earliest offset again, as a replay after losing the checkpoints would: the same
    // rows.
    RiskstreamConfig replay = config(kafka, registry, postgres, "kafka.group-id=riskstream-replay");
    Alert sentinel = Alert.newBuilder(alerts.get(0)).setAlertId("sentinel").build();
    try (WireProducer producer = new WireProducer(config.kafkaProperties(), client)) {
      producer.send(config.topics().alerts(), sentinel.getAlertId(), sentinel);
    }
    Map<String, Long> withSentinel = new LinkedHashMap<>(expectedCounts);
    withSentinel.put("risk_alerts", expectedCounts.get("risk_alerts") + 1);
    runSinkUntil(replay, withSentinel);
    assertThat(counts()).isEqualTo(withSentinel);
    for (Alert alert : alertsById.values()) {
      assertThat(row("risk_alerts", "alert_id", alert.getAlertId())).isEqualTo(expectedRow(alert));
    }
  }

  /**
   * Runs the sink until it has committed every record of its topics, then checks the tables hold
   * exactly {@code counts}: nothing is still to come, so nothing more can show up later.
   */
  private static void runSinkUntil(RiskstreamConfig config, Map<String, Long> counts)
      throws Exception {
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(config.flinkConfiguration());
    SinkJob.build(env, config);
    JobClient job = env.executeAsync("sink-it");
    Topics t = config.topics();
    try {
      KafkaTestSupport.await(
          "the sink's offsets at the end of its topics",
          Duration.ofMinutes(2),
          () ->
              KafkaTestSupport.committedToTheEnd(
                  config,
                  config.groupId() + "-sink",
                  t.alerts(),
                  t.payments(),
                  t.bills(),
                  t.balanceChanges(),
                  t.rules()));
    } finally {
      job.cancel().get();
    }
    assertThat(counts()).isEqualTo(counts);
  }

  private static Map<String, Long> counts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    try (Connection c = postgres.getPostgresDatabase().getConnection()) {
      for (String table : List.of("risk_alerts", "payments", "bills", "balance_changes")) {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
          rs.next();
          counts.put(table, rs.getLong(1));
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return Map.copyOf(counts);
  }

  /** A row as column to comparable value: text, numbers at scale 2, instants, JSON. */
  private static Map<String, Object> row(String table, String key, String id) throws Exception {
    Map<String, Object> row = new LinkedHashMap<>();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        var statement = c.prepareStatement("SELECT * FROM " + table + " WHERE " + key + " = ?")) {
      statement.setString(1, id);
      try (ResultSet rs = statement.executeQuery()) {
        assertThat(rs.next()).as(table + " " + id).isTrue();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          Object value = rs.getObject(i);
          if (value instanceof Timestamp t) {
            value = t.toInstant();
          } else if (value instanceof BigDecimal d) {
            value = d.setScale(2);
          } else if (rs.getMetaData().getColumnTypeName(i).equals("jsonb")) {
            value = EventJson.MAPPER.readTree(rs.getString(i));
          }
          row.put(rs.getMetaData().getColumnName(i), value);
        }
      }
    }
    return row;
  }

  private static Map<String, Object> expectedRow(SpecificRecordBase record) {
    Map<String, Object> row = new LinkedHashMap<>();
    JsonNode json = EventJson.toJson(record);
    for (Schema.Field field : record.getSchema().getFields()) {
      Object value = record.get(field.pos());
      if (value instanceof List<?>) {
        value = json.get(field.name());
      } else if (value instanceof Enum<?> || value instanceof CharSequence) {
        value = value.toString();
      }
      row.put(field.name(), value);
    }
    return row;
  }
}
