package io.riskstream.sink;

import io.riskstream.config.RiskstreamConfig;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Brings the analysts' database to the current schema with Flyway (versioned migrations in
 * db/migration).
 */
public final class Migrations {
  private Migrations() {}

  public static MigrateResult apply(RiskstreamConfig.Postgres postgres) {
    return Flyway.configure()
        .dataSource(postgres.url(), postgres.user(), postgres.password())
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }
}
