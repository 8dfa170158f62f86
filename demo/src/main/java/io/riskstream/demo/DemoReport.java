package io.riskstream.demo;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertStatus;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.backtest.GroundTruth;
import io.riskstream.cli.LiveLine;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.kafka.DeadLetterSerializer;
import io.riskstream.kafka.TopicReader;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.serde.AvroWireDeserializer;
import io.riskstream.serde.BadRecordException;
import io.riskstream.testkit.OnCallInbox;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What the demo shows: it waits for the alerts of the injected cases to be committed and written,
 * reads what came out (alerts, dead letters, table rows, on-call's messages), and prints it in a
 * form read at a glance.
 */
final class DemoReport {
  private final RiskstreamConfig config;
  private final SchemaRegistryClient client;
  private final PrintStream out;

  DemoReport(RiskstreamConfig config, SchemaRegistryClient client, PrintStream out) {
    this.config = config;
    this.client = client;
    this.out = out;
  }

  /**
   * Waits (at most a minute) until the injected cases' alerts are committed, net of retractions,
   * and the updates the late bank lines make, showing the count.
   */
  void awaitAlerts(int expected, int updatesExpected, JobClient job) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    LiveLine line = new LiveLine(out, Duration.ZERO, Duration.ofSeconds(10));
    while (System.nanoTime() < deadline) {
      List<AlertUpdate> updates = updates();
      int committed = net(alerts(), updates).size();
      boolean done = committed >= expected && updates.size() >= updatesExpected;
      if (line.due() || done) {
        line.show(
            String.format(
                "  closing the last windows: %,d of %,d injected cases' alerts committed, %d of %d"
                    + " updates (job %s)",
                committed, expected, updates.size(), updatesExpected, job.getJobStatus().get()));
      }
      if (done) {
        break;
      }
      Thread.sleep(1_000);
    }
    line.end();
  }

  /** Waits (at most a minute) until the sink has written the alerts to PostgreSQL. */
  void awaitRows(long alerts) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (System.nanoTime() < deadline && tableRows().get("risk_alerts") < alerts) {
      Thread.sleep(500);
    }
  }

  /** The committed alerts (the consumer reads read_committed). */
  List<Alert> alerts() throws BadRecordException {
    return readAlerts(config, client, config.topics().alerts());
  }

  /** The committed alert updates. */
  List<AlertUpdate> updates() throws BadRecordException {
    return read(config, client, config.topics().alertUpdates(), AlertUpdate.class);
  }

  /** The alerts that stand: all but the retracted ones. */
  static List<Alert> net(List<Alert> alerts, List<AlertUpdate> updates) {
    java.util.Set<String> retracted =
        updates.stream()
            .filter(u -> u.getStatus() == AlertStatus.RETRACTED)
            .map(AlertUpdate::getAlertId)
            .collect(java.util.stream.Collectors.toSet());
    return alerts.stream().filter(a -> !retracted.contains(a.getAlertId())).toList();
  }

  /** The committed alerts of shadow rule versions. */
  List<Alert> shadowAlerts() throws BadRecordException {
    return readAlerts(config, client, config.topics().alertsShadow());
  }

  private static List<Alert> readAlerts(
      RiskstreamConfig config, SchemaRegistryClient client, String topic)
      throws BadRecordException {
    return read(config, client, topic, Alert.class);
  }

  /** Every committed record of {@code topic}. */
  private static <T extends org.apache.avro.specific.SpecificRecordBase> List<T> read(
      RiskstreamConfig config, SchemaRegistryClient client, String topic, Class<T> type)
      throws BadRecordException {
    AvroWireDeserializer<T> deserializer = new AvroWireDeserializer<>(client, type);
    List<T> records = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record :
        TopicReader.readAll(config.kafkaProperties(), topic)) {
      records.add(deserializer.deserialize(record.value()));
    }
    return records;
  }

  /** Each dead letter as "[job] reason". */
  List<String> deadLetterErrors() {
    List<String> errors = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> letter :
        TopicReader.readAll(config.kafkaProperties(), config.topics().deadLetters())) {
      errors.add(
          "["
              + header(letter, DeadLetterSerializer.SOURCE_JOB)
              + "] "
              + header(letter, DeadLetterSerializer.ERROR));
    }
    return errors;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  /** Rows per table of the analysts' database. */
  Map<String, Long> tableRows() throws SQLException {
    RiskstreamConfig.Postgres postgres = config.postgres();
    Map<String, Long> rows = new LinkedHashMap<>();
    try (Connection c =
        DriverManager.getConnection(postgres.url(), postgres.user(), postgres.password())) {
      for (String table :
          List.of(
              "risk_alerts",
              "risk_alert_updates",
              "payments",
              "bills",
              "balance_changes",
              "daily_reconciliation")) {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
          rs.next();
          rows.put(table, rs.getLong(1));
        }
      }
    }
    return rows;
  }

  /** The summary at the end of the demo. */
  static void print(Demo.Result result, PrintStream out) {
    out.println();
    List<Alert> standing = net(result.alerts(), result.updates());
    out.printf(
        "Produced %,d events; %,d alerts committed to risk-alerts (read_committed), %,d of them"
            + " retracted on late evidence: %,d stand.%n",
        result.produced(),
        result.alerts().size(),
        result.alerts().size() - standing.size(),
        standing.size());
    out.print(GroundTruth.table(standing, result.labels()));
    printLifecycle(result, out);
    DemoRules.print(result.ruleChange(), result.alerts(), result.shadowAlerts(), out);
    out.println(
        "Dead letters ("
            + result.deadLetterErrors().size()
            + "; each job reports the bad records it reads):");
    result.deadLetterErrors().stream().sorted().forEach(e -> out.println("  - " + e));
    out.println("Some alerts:");
    result.alerts().stream().limit(5).map(Alert::getSummary).forEach(s -> out.println("  - " + s));
    List<OnCallInbox.Received> replies =
        result.onCallMessages().stream().filter(m -> m.replyTo() != null).toList();
    out.println(
        "On-call received "
            + result.onCallMessages().size()
            + " Telegram messages (HIGH and CRITICAL; FORGED_UTR summarised from 5 in 10 min), "
            + replies.size()
            + " of them follow-ups replying to the message of the alert they update, for example:");
    List<OnCallInbox.Received> alerts =
        result.onCallMessages().stream()
            .filter(m -> m.replyTo() == null && m.text().contains(" · "))
            .toList();
    java.util.stream.Stream.of(
            alerts.stream().limit(1),
            alerts.stream().filter(m -> m.text().contains("UTR_TYPO")).limit(1),
            replies.stream().limit(3))
        .flatMap(m -> m)
        .forEach(
            m ->
                out.println(
                    "  | #"
                        + m.messageId()
                        + (m.replyTo() == null ? "" : ", a reply to #" + m.replyTo())
                        + "\n  | "
                        + m.text().replace("\n", "\n  | ")
                        + "\n"));
    out.println(
        result.postgresUrl() == null
            ? "PostgreSQL tables (the database stops with the demo; --keep-running keeps it up):"
            : "PostgreSQL tables (psql " + result.postgresUrl() + "):");
    result.tableRows().forEach((table, rows) -> out.printf("  %-21s %,8d rows%n", table, rows));
  }

  /** What became of the late evidence and the typos the demo injected. */
  private static void printLifecycle(Demo.Result result, PrintStream out) {
    Map<String, Alert> byId = new LinkedHashMap<>();
    result.alerts().forEach(a -> byId.put(a.getAlertId(), a));
    Map<String, Long> byStatus =
        new java.util.TreeMap<>(
            result.updates().stream()
                .collect(
                    java.util.stream.Collectors.groupingBy(
                        u -> u.getStatus() + " / " + u.getReason(),
                        java.util.stream.Collectors.counting())));
    List<Alert> typos =
        result.alerts().stream().filter(a -> a.getReason().equals("LIKELY_TYPO")).toList();
    out.printf(
        "Alert lifecycle (risk-alert-updates): %d bank lines sent an hour late, %d cleared"
            + " overnight; updates %s; %d UTR_TYPO pairs.%n",
        result.late().held().size(), result.late().overnight(), byStatus, typos.size());
    for (AlertStatus status : List.of(AlertStatus.RETRACTED, AlertStatus.RESOLVED)) {
      result.updates().stream()
          .filter(u -> u.getStatus() == status && byId.containsKey(u.getAlertId()))
          .limit(1)
          .forEach(
              u ->
                  out.println(
                      "  - "
                          + status
                          + ": "
                          + byId.get(u.getAlertId()).getSummary()
                          + " -- "
                          + u.getNote()));
    }
    typos.stream().limit(1).forEach(a -> out.println("  - UTR_TYPO: " + a.getSummary()));
  }

  /** Counts committed alerts for the progress line, reading the topic at most every few seconds. */
  static final class AlertCounter {
    private final RiskstreamConfig config;
    private final SchemaRegistryClient client;
    private long lastRead;
    private int count;

    AlertCounter(RiskstreamConfig config, SchemaRegistryClient client) {
      this.config = config;
      this.client = client;
    }

    int count() throws BadRecordException {
      if (System.nanoTime() - lastRead > 3_000_000_000L) {
        lastRead = System.nanoTime();
        count = readAlerts(config, client, config.topics().alerts()).size();
      }
      return count;
    }
  }
}
