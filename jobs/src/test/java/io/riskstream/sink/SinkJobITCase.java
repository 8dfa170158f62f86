package io.riskstream.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertStatus;
import io.riskstream.avro.AlertUpdate;
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
    List<Alert> distinct = List.copyOf(alertsById.values());
    // The job retracts one alert; another is resolved by the job, then acknowledged by a person.
    AlertUpdate retracted =
        update(distinct.get(0), AlertStatus.RETRACTED, "LATE_EVIDENCE", null, "12:05:00");
    AlertUpdate resolved =
        update(distinct.get(1), AlertStatus.RESOLVED, "EVIDENCE_ARRIVED", null, "12:06:00");
    AlertUpdate acknowledged =
        update(distinct.get(1), AlertStatus.ACKNOWLEDGED, "ACKNOWLEDGED", "asha", "12:07:00");
    List<AlertUpdate> updates = List.of(acknowledged, retracted, resolved);

    try (WireProducer producer = new WireProducer(config.kafkaProperties(), client)) {
      KafkaTestSupport.produce(producer, config.topics(), traffic);
      for (int delivery = 0; delivery < 2; delivery++) { // every alert delivered twice
        alerts.forEach(a -> producer.send(config.topics().alerts(), a.getAlertId(), a));
        updates.forEach(u -> producer.send(config.topics().alertUpdates(), u.getAlertId(), u));
        producer.send(config.topics().rules(), RULE.getRuleId(), RULE);
      }
    }
    Map<String, Long> expectedCounts =
        Map.of(
            "risk_alerts", (long) alertsById.size(),
            "risk_alert_updates", (long) updates.size(),
            "payments", traffic.payments().stream().map(p -> p.getEventId()).distinct().count(),
            "bills", traffic.bills().stream().map(b -> b.getBillId()).distinct().count(),
            "balance_changes",
                traffic.balanceChanges().stream().map(c -> c.getLogId()).distinct().count());
    assertThat(expectedCounts.get("payments")).isLessThan(traffic.payments().size());

    runSinkUntil(config, expectedCounts);
    Map<String, Long> firstRun = counts();
    assertThat(firstRun).isEqualTo(expectedCounts);
    for (Alert alert : alertsById.values()) {
      assertThat(row("risk_alerts", "alert_id", alert.getAlertId()))
          .isEqualTo(
              expectedRow(
                  alert,
                  alert == distinct.get(0)
                      ? retracted
                      : alert == distinct.get(1) ? acknowledged : null));
    }
    assertThat(rows("risk_alert_updates", "alert_id", distinct.get(1).getAlertId()))
        .as("every update, in the order of updated_at")
        .containsExactly(expectedRow(resolved), expectedRow(acknowledged));
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
    assertThat(row("risk_alerts", "alert_id", distinct.get(1).getAlertId()))
        .isEqualTo(expectedRow(distinct.get(1), acknowledged));
    assertThat(row("risk_alerts", "alert_id", distinct.get(2).getAlertId()))
        .isEqualTo(expectedRow(distinct.get(2), null));
  }

  private static AlertUpdate update(
      Alert alert, AlertStatus status, String reason, String actor, String at) {
    Instant when = Instant.parse("2026-11-21T" + at + "Z");
    return AlertUpdate.newBuilder()
        .setAlertId(alert.getAlertId())
        .setStatus(status)
        .setReason(reason)
        .setNote(actor == null ? null : "called the merchant")
        .setActor(actor)
        .setEvidence(actor == null ? alert.getEvidence() : List.of())
        .setEventTime(when)
        .setUpdatedAt(when.plusMillis(250))
        .build();
  }

  /** An alert's row: its fields, and the status its latest update gives (none: OPEN). */
  private static Map<String, Object> expectedRow(Alert alert, AlertUpdate latest) {
    Map<String, Object> row = expectedRow(alert);
    row.put("status", latest == null ? "OPEN" : latest.getStatus().name());
    row.put("status_actor", latest == null ? null : latest.getActor());
    row.put("status_note", latest == null ? null : latest.getNote());
    row.put("status_changed_at", latest == null ? null : latest.getUpdatedAt());
    return row;
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
                  t.alertUpdates(),
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
      for (String table :
          List.of("risk_alerts", "risk_alert_updates", "payments", "bills", "balance_changes")) {
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
    List<Map<String, Object>> rows = rows(table, key, id);
    assertThat(rows).as(table + " " + id).hasSize(1);
    return rows.get(0);
  }

  /** The rows of {@code table} with {@code key} = {@code id}, in the order of the table's rows. */
  private static List<Map<String, Object>> rows(String table, String key, String id)
      throws Exception {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        var statement =
            c.prepareStatement(
                "SELECT * FROM "
                    + table
                    + " WHERE "
                    + key
                    + " = ?"
                    + (table.equals("risk_alert_updates") ? " ORDER BY updated_at" : ""))) {
      statement.setString(1, id);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          rows.add(columns(rs));
        }
      }
    }
    return rows;
  }

  private static Map<String, Object> columns(ResultSet rs) throws Exception {
    Map<String, Object> row = new LinkedHashMap<>();
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
