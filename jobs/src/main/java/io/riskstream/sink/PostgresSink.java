package io.riskstream.sink;

import io.riskstream.config.RiskstreamConfig;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;

/**
 * Flink's JDBC sink as every riskstream table uses it: an idempotent upsert, batched, at least once
 * (a replayed record rewrites its own row).
 */
public final class PostgresSink {
  private PostgresSink() {}

  public static <T> Sink<T> upsert(
      String sql, JdbcStatementBuilder<T> binder, RiskstreamConfig.Postgres postgres) {
    return new QuietlyClosedJdbcSink<>(jdbc(sql, binder, postgres));
  }

  /** Flink's JDBC sink as it comes, whose writer throws from {@code close()}. */
  static <T> JdbcSink<T> jdbc(
      String sql, JdbcStatementBuilder<T> binder, RiskstreamConfig.Postgres postgres) {
    return JdbcSink.<T>builder()
        .withQueryStatement(sql, binder)
        .withExecutionOptions(
            JdbcExecutionOptions.builder()
                .withBatchSize(postgres.batchSize())
                .withBatchIntervalMs(postgres.batchInterval().toMillis())
                .withMaxRetries(postgres.maxRetries())
                .build())
        .buildAtLeastOnce(
            new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                .withUrl(postgres.url())
                .withDriverName("org.postgresql.Driver")
                .withUsername(postgres.user())
                .withPassword(postgres.password())
                .build());
  }
}
