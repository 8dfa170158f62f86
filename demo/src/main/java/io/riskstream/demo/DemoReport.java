package io.riskstream.demo;

import io.riskstream.avro.Alert;
import io.riskstream.backtest.GroundTruth;
import io.riskstream.cli.LiveLine;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.kafka.DeadLetterSerializer;
import io.riskstream.kafka.TopicReader;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.serde.AvroWireDeserializer;
import io.riskstream.serde.BadRecordException;
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

  /** Waits (at most a minute) until the injected cases' alerts are committed, showing the count. */
  void awaitAlerts(int expected, JobClient job) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    LiveLine line = new LiveLine(out, Duration.ZERO, Duration.ofSeconds(10));
    while (System.nanoTime() < deadline) {
      int committed = alerts().size();
      if (line.due() || committed >= expected) {
        line.show(
            String.format(
                "  closing the last windows: %,d of %,d injected cases' alerts committed (job %s)",
                committed, expected, job.getJobStatus().get()));
      }
      if (committed >= expected) {
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

  /** The committed alerts of shadow rule versions. */
  List<Alert> shadowAlerts() throws BadRecordException {
    return readAlerts(config, client, config.topics().alertsShadow());
  }

  private static List<Alert> readAlerts(
      RiskstreamConfig config, SchemaRegistryClient client, String topic)
      throws BadRecordException {
    AvroWireDeserializer<Alert> deserializer = new AvroWireDeserializer<>(client, Alert.class);
    List<Alert> alerts = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record :
        TopicReader.readAll(config.kafkaProperties(), topic)) {
      alerts.add(deserializer.deserialize(record.value()));
    }
    return alerts;
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
          List.of("risk_alerts", "payments", "bills", "balance_changes", "daily_reconciliation")) {
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
    out.printf(
        "Produced %,d events; %,d alerts committed to risk-alerts (read_committed).%n",
        result.produced(), result.alerts().size());
    out.print(GroundTruth.table(result.alerts(), result.labels()));
    DemoRules.print(result.ruleChange(), result.alerts(), result.shadowAlerts(), out);
    out.println(
        "Dead letters ("
            + result.deadLetterErrors().size()
            + "; each job reports the bad records it reads):");
    result.deadLetterErrors().stream().sorted().forEach(e -> out.println("  - " + e));
    out.println("Some alerts:");
    result.alerts().stream().limit(5).map(Alert::getSummary).forEach(s -> out.println("  - " + s));
    out.println(
        "On-call received "
            + result.onCallMessages().size()
            + " Telegram messages (HIGH and CRITICAL;"
            + " FORGED_UTR summarised from 5 in 10 min), for example:");
    result.onCallMessages().stream()
        .limit(3)
        .forEach(m -> out.println("  | " + m.replace("\n", "\n  | ") + "\n"));
    out.println(
        result.postgresUrl() == null
            ? "PostgreSQL tables (the database stops with the demo; --keep-running keeps it up):"
            : "PostgreSQL tables (psql " + result.postgresUrl() + "):");
    result.tableRows().forEach((table, rows) -> out.printf("  %-21s %,8d rows%n", table, rows));
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
