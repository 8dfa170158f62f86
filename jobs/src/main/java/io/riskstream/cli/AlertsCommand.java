package io.riskstream.cli;

import io.riskstream.avro.AlertStatus;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.kafka.WireProducer;
import io.riskstream.registry.SchemaRegistryClient;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "alerts",
    mixinStandardHelpOptions = true,
    description = {
      "Acknowledge, resolve and show alerts.",
      "ack and resolve write an AlertUpdate to risk-alert-updates; show reads the sink's tables. An alert is known once the sink job has written it to risk_alerts (docs/lifecycle.md)."
    },
    subcommands = {AlertsCommand.Ack.class, AlertsCommand.Resolve.class, AlertsCommand.Show.class})
final class AlertsCommand implements Callable<Integer> {
  /** The reason code of an update a person makes. */
  static final String BY_PERSON = "BY_PERSON";

  @Override
  public Integer call() {
    throw new UserException("alerts needs a sub-command: ack, resolve or show");
  }

  /** What ack and resolve share: the alert, who, and where the update goes. */
  abstract static class Update implements Callable<Integer> {
    @Parameters(paramLabel = "ID", description = "The alert's alert_id.")
    String id;

    @Option(
        names = "--actor",
        description = "Who makes the update (default: the user running the command).")
    String actor = System.getProperty("user.name");

    @Mixin ConfigOptions config;

    @Spec CommandSpec spec;

    abstract AlertStatus status();

    abstract String note();

    @Override
    public Integer call() throws SQLException {
      RiskstreamConfig settings = config.load();
      try (Connection db = Reachability.postgresConnection(settings)) {
        known(db, id, settings);
      }
      Reachability.registry(settings);
      Reachability.kafka(
          settings, Map.of("topics.alert-updates", settings.topics().alertUpdates()));
      Instant now = Instant.now();
      AlertUpdate update =
          AlertUpdate.newBuilder()
              .setAlertId(id)
              .setStatus(status())
              .setReason(BY_PERSON)
              .setNote(note())
              .setActor(actor)
              .setEvidence(List.of())
              .setEventTime(now)
              .setUpdatedAt(now)
              .build();
      try (WireProducer producer =
          new WireProducer(
              settings.kafkaProperties(), new SchemaRegistryClient(settings.registry()))) {
        producer.send(settings.topics().alertUpdates(), id, update);
        producer.flush();
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "%s %s by %s, written to %s%n", id, status(), actor, settings.topics().alertUpdates());
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "ack",
      mixinStandardHelpOptions = true,
      description = "Acknowledge an alert: someone is on it.")
  static final class Ack extends Update {
    @Option(names = "--note", description = "A note for the others.")
    String note;

    @Override
    AlertStatus status() {
      return AlertStatus.ACKNOWLEDGED;
    }

    @Override
    String note() {
      return note;
    }
  }

  @Command(
      name = "resolve",
      mixinStandardHelpOptions = true,
      description = "Resolve an alert, saying how.")
  static final class Resolve extends Update {
    @Option(names = "--note", required = true, description = "How it was resolved.")
    String note;

    @Override
    AlertStatus status() {
      return AlertStatus.RESOLVED;
    }

    @Override
    String note() {
      if (note.isBlank()) {
        throw new UserException("--note must say how the alert was resolved");
      }
      return note;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show an alert, its updates and its evidence rows, from the sink's tables.")
  static final class Show implements Callable<Integer> {
    @Parameters(paramLabel = "ID", description = "The alert's alert_id.")
    String id;

    @Mixin ConfigOptions config;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws SQLException {
      RiskstreamConfig settings = config.load();
      PrintWriter out = spec.commandLine().getOut();
      try (Connection db = Reachability.postgresConnection(settings)) {
        known(db, id, settings);
        query(
            db,
            "SELECT type, reason, severity, rule_id, rule_version, status, status_actor,"
                + " status_note, status_changed_at, event_time, detected_at, summary"
                + " FROM risk_alerts WHERE alert_id = ?",
            id,
            rs -> {
              out.printf(
                  "%s %s / %s (%s), rule %s v%d%n",
                  id,
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getInt(5));
              out.printf("  %s%n", rs.getString(12));
              out.printf("  event time %s, detected %s%n", instant(rs, 10), instant(rs, 11));
              out.printf(
                  "  status %s%s%n",
                  rs.getString(6),
                  rs.getTimestamp(9) == null
                      ? ""
                      : " since "
                          + instant(rs, 9)
                          + " by "
                          + (rs.getString(7) == null ? "the detection job" : rs.getString(7))
                          + (rs.getString(8) == null ? "" : ": " + rs.getString(8)));
            });
        out.println("updates:");
        int updates =
            query(
                db,
                "SELECT updated_at, status, reason, actor, note FROM risk_alert_updates"
                    + " WHERE alert_id = ? ORDER BY updated_at, status",
                id,
                rs ->
                    out.printf(
                        "  %s %s %s by %s%s%n",
                        instant(rs, 1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4) == null ? "the detection job" : rs.getString(4),
                        rs.getString(5) == null ? "" : ": " + rs.getString(5)));
        if (updates == 0) {
          out.println("  none");
        }
        out.println("evidence:");
        query(
            db,
            "SELECT e->>'source', e->>'id', e->>'event_time',"
                + " coalesce(p.status, b.deduct_status, c.state),"
                + " coalesce(p.amount, b.amount, c.amount),"
                + " coalesce(p.order_no, c.order_no), coalesce(p.utr, b.utr),"
                + " coalesce(p.cwid, b.cwid), coalesce(p.account_id, c.account_id)"
                + " FROM risk_alerts a CROSS JOIN jsonb_array_elements(a.evidence) e"
                + " LEFT JOIN payments p ON e->>'source' = 'PAYMENT' AND p.event_id = e->>'id'"
                + " LEFT JOIN bills b ON e->>'source' = 'BILL' AND b.bill_id = e->>'id'"
                + " LEFT JOIN balance_changes c"
                + " ON e->>'source' = 'BALANCE_CHANGE' AND c.log_id = e->>'id'"
                + " WHERE a.alert_id = ?",
            id,
            rs ->
                out.printf(
                    "  %s %s at %s: %s%n",
                    rs.getString(1),
                    rs.getString(2),
                    rs.getString(3),
                    rs.getString(4) == null
                        ? "not in the raw tables"
                        : String.join(
                            ", ",
                            java.util.stream.Stream.of(
                                    rs.getString(4),
                                    rs.getBigDecimal(5) == null
                                        ? null
                                        : rs.getBigDecimal(5).toPlainString(),
                                    label("order", rs.getString(6)),
                                    label("UTR", rs.getString(7)),
                                    label("worker", rs.getString(8)),
                                    label("account", rs.getString(9)))
                                .filter(java.util.Objects::nonNull)
                                .toList())));
      }
      out.flush();
      return 0;
    }

    private static String label(String what, String value) {
      return value == null ? null : what + " " + value;
    }
  }

  /** Refuses an id the sink's risk_alerts does not hold, with what to check. */
  static void known(Connection db, String id, RiskstreamConfig settings) throws SQLException {
    boolean found;
    try {
      found = query(db, "SELECT 1 FROM risk_alerts WHERE alert_id = ?", id, rs -> {}) == 1;
    } catch (SQLException e) {
      if ("42P01".equals(e.getSQLState())) { // undefined_table
        throw new UserException(
            "PostgreSQL at "
                + settings.postgres().url()
                + " has no risk_alerts table: run the sink job against it first");
      }
      throw e;
    }
    if (!found) {
      throw new UserException(
          "no alert "
              + id
              + " in risk_alerts at "
              + settings.postgres().url()
              + ": check the id (an alert is there once the sink job has written it)");
    }
  }

  private interface Row {
    void accept(ResultSet rs) throws SQLException;
  }

  /** Runs {@code sql} with the alert id as its one parameter; returns how many rows it gave. */
  private static int query(Connection db, String sql, String id, Row row) throws SQLException {
    try (PreparedStatement statement = db.prepareStatement(sql)) {
      statement.setString(1, id);
      int rows = 0;
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          row.accept(rs);
          rows++;
        }
      }
      return rows;
    }
  }

  private static String instant(ResultSet rs, int column) throws SQLException {
    return rs.getTimestamp(column).toInstant().toString();
  }
}
