package io.riskstream.sink;

import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.payment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertStatus;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.DailyReconciliation;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.avro.RuleUpdate;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.detect.LargeAmountRule;
import io.riskstream.detect.Rules;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The table migrations on real PostgreSQL. */
class MigrationsITCase {
  @Test
  void freshAndAlreadyMigratedDatabasesEndAtTheSameSchema() throws Exception {
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      RiskstreamConfig.Postgres db = connection(postgres);

      MigrateResult fresh = Migrations.apply(db);
      Map<String, List<String>> afterFirst = columns(postgres);
      MigrateResult again = Migrations.apply(db);

      // V1 tables, V2 notification dead letters, V3 daily reconciliation, V4 rule changes, V5
      // alert status, V6 its triggers in turn
      assertThat(fresh.migrationsExecuted).isEqualTo(6);
      assertThat(again.migrationsExecuted).isZero();
      assertThat(columns(postgres)).isEqualTo(afterFirst);
    }
  }

  @Test
  void everyTableHasOneColumnPerFieldOfItsSchema() throws Exception {
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      Migrations.apply(connection(postgres));

      assertThat(columns(postgres))
          .containsEntry(
              "risk_alerts",
              Stream.concat(
                      fields(Alert.getClassSchema()).stream(),
                      Stream.of("status", "status_actor", "status_note", "status_changed_at"))
                  .toList())
          .containsEntry("risk_alert_updates", fields(AlertUpdate.getClassSchema()))
          .containsEntry("payments", fields(Payment.getClassSchema()))
          .containsEntry("bills", fields(Bill.getClassSchema()))
          .containsEntry("balance_changes", fields(BalanceChange.getClassSchema()))
          .containsEntry("daily_reconciliation", fields(DailyReconciliation.getClassSchema()))
          .containsEntry("rule_changes", fields(RuleUpdate.getClassSchema()))
          .containsEntry(
              "notification_dead_letters",
              List.of(
                  "message_id",
                  "target",
                  "route",
                  "alert_ids",
                  "message",
                  "attempts",
                  "last_error",
                  "failed_at"))
          .hasSize(8);
    }
  }

  /**
   * The sink writes alerts and their updates from two topics, in two transactions that may run at
   * once (a replay, a catch-up). Whichever commits first, the alert's row ends with its update's
   * status (docs/tables.md): each trigger waits for the other transaction, then reads its row.
   */
  @ParameterizedTest(name = "{0} written first")
  @ValueSource(strings = {"the alert", "the update"})
  void anAlertAndItsUpdateWrittenAtOnceEndWithTheUpdatesStatus(String first) throws Exception {
    Alert alert =
        LargeAmountRule.check(
            payment("PE-1", "O-1", PaymentStatus.CREATED, "250000", BEGINNING).build(),
            Rules.defaults());
    Instant at = BEGINNING.plusSeconds(300);
    AlertUpdate retracted =
        AlertUpdate.newBuilder()
            .setAlertId(alert.getAlertId())
            .setStatus(AlertStatus.RETRACTED)
            .setReason("LATE_EVIDENCE")
            .setEvidence(alert.getEvidence())
            .setEventTime(at)
            .setUpdatedAt(at)
            .build();
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        Connection alerts = postgres.getPostgresDatabase().getConnection();
        Connection updates = postgres.getPostgresDatabase().getConnection()) {
      Migrations.apply(connection(postgres));
      alerts.setAutoCommit(false); // as a sink's batch: one transaction until it commits
      updates.setAutoCommit(false);
      boolean alertFirst = first.equals("the alert");
      Callable<Void> writeAlert = () -> write(alerts, SinkJob.ALERTS, alert);
      Callable<Void> writeUpdate = () -> write(updates, SinkJob.ALERT_UPDATES, retracted);
      Callable<Void> secondWrite = alertFirst ? writeUpdate : writeAlert;
      Connection firstConnection = alertFirst ? alerts : updates;
      Connection secondConnection = alertFirst ? updates : alerts;

      (alertFirst ? writeAlert : writeUpdate).call(); // not committed yet
      ExecutorService second = Executors.newSingleThreadExecutor();
      try {
        Future<Void> other =
            second.submit(
                () -> {
                  secondWrite.call();
                  secondConnection.commit();
                  return null;
                });
        // The other transaction waits for this one's lock, or (without it) has committed.
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> other.isDone() || waitingForALock(postgres));
        firstConnection.commit();
        other.get(30, TimeUnit.SECONDS);
      } finally {
        second.shutdownNow();
      }

      try (Connection c = postgres.getPostgresDatabase().getConnection();
          ResultSet rs =
              c.createStatement()
                  .executeQuery(
                      "SELECT status FROM risk_alerts WHERE alert_id = '"
                          + alert.getAlertId()
                          + "'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("RETRACTED");
      }
    }
  }

  private static <T extends SpecificRecordBase> Void write(
      Connection c, RowBinder<T> binder, T record) throws Exception {
    try (PreparedStatement statement = c.prepareStatement(binder.upsertSql())) {
      binder.accept(statement, record);
      statement.executeUpdate();
    }
    return null;
  }

  private static boolean waitingForALock(EmbeddedPostgres postgres) throws Exception {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")) {
      rs.next();
      return rs.getInt(1) > 0;
    }
  }

  static RiskstreamConfig.Postgres connection(EmbeddedPostgres postgres) {
    return new RiskstreamConfig.Postgres(
        postgres.getJdbcUrl("postgres", "postgres"),
        "postgres",
        "postgres",
        100,
        Duration.ofMillis(200),
        3);
  }

  private static List<String> fields(Schema schema) {
    return schema.getFields().stream().map(Schema.Field::name).toList();
  }

  /** Table name to its columns in order, for riskstream's tables. */
  static Map<String, List<String>> columns(EmbeddedPostgres postgres) throws Exception {
    Map<String, List<String>> tables = new TreeMap<>();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT table_name, column_name, data_type FROM information_schema.columns"
                        + " WHERE table_schema = 'public' AND table_name <> 'flyway_schema_history'"
                        + " ORDER BY table_name, ordinal_position")) {
      while (rs.next()) {
        tables.computeIfAbsent(rs.getString(1), t -> new ArrayList<>()).add(rs.getString(2));
      }
    }
    return tables;
  }
}
