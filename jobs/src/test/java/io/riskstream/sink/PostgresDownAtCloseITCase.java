package io.riskstream.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.config.RiskstreamConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.streaming.runtime.operators.sink.SinkWriterOperatorFactory;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL gone while the sink's writer still holds a batch: closing the writer, which Flink does
 * from a failed task's failure handling (where an exception takes the whole TaskManager down), logs
 * the failure; a flush, where the rows must not be dropped, still fails.
 */
class PostgresDownAtCloseITCase {
  private static final String UPSERT =
      "INSERT INTO seen (id) VALUES (?) ON CONFLICT (id) DO NOTHING";
  private static final JdbcStatementBuilder<String> BIND =
      (statement, id) -> statement.setString(1, id);

  @Test
  void theSinkWriterClosesQuietlyWhereFlinksOwnThrows() throws Exception {
    assertThatThrownBy(
            () ->
                closedWithPostgresDown(
                    postgres -> PostgresSink.jdbc(UPSERT, BIND, postgres), false))
        .hasStackTraceContaining("Writing records to JDBC failed");
    assertThatCode(
            () ->
                closedWithPostgresDown(
                    postgres -> PostgresSink.upsert(UPSERT, BIND, postgres), false))
        .doesNotThrowAnyException();
  }

  @Test
  void aFlushWithPostgresDownStillFails() {
    assertThatThrownBy(
            () ->
                closedWithPostgresDown(
                    postgres -> PostgresSink.upsert(UPSERT, BIND, postgres), true))
        .isInstanceOf(java.io.IOException.class);
  }

  private interface SinkOf {
    Sink<String> sink(RiskstreamConfig.Postgres postgres);
  }

  /**
   * Writes "a" and flushes it, writes "b", stops PostgreSQL, then flushes again if {@code flush},
   * and closes the writer.
   */
  private static void closedWithPostgresDown(SinkOf sinkOf, boolean flush) throws Exception {
    EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
    try {
      try (Connection c = postgres.getPostgresDatabase().getConnection()) {
        c.createStatement().execute("CREATE TABLE seen (id text PRIMARY KEY)");
      }
      // A batch that only a flush or the close sends, and no retries: the test is about the close.
      RiskstreamConfig.Postgres settings =
          new RiskstreamConfig.Postgres(
              postgres.getJdbcUrl("postgres", "postgres"),
              "postgres",
              "postgres",
              100,
              Duration.ofHours(1),
              0);
      var harness =
          new OneInputStreamOperatorTestHarness<>(
              new SinkWriterOperatorFactory<>(sinkOf.sink(settings)), StringSerializer.INSTANCE);
      harness.open();
      harness.processElement("a", 1);
      harness.prepareSnapshotPreBarrier(1);
      assertThat(rows(postgres)).containsExactly("a");
      harness.processElement("b", 2);
      postgres.close();
      if (flush) {
        harness.prepareSnapshotPreBarrier(2);
      }
      harness.close();
    } finally {
      postgres.close();
    }
  }

  private static List<String> rows(EmbeddedPostgres postgres) throws Exception {
    List<String> ids = new ArrayList<>();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        ResultSet rs = c.createStatement().executeQuery("SELECT id FROM seen ORDER BY id")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }
}
