package io.riskstream.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.DailyReconciliation;
import io.riskstream.avro.Payment;
import io.riskstream.avro.RuleUpdate;
import io.riskstream.config.RiskstreamConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;

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
      // alert status
      assertThat(fresh.migrationsExecuted).isEqualTo(5);
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
