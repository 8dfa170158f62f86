package io.riskstream.sink;

import io.riskstream.Uids;
import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.DailyReconciliation;
import io.riskstream.avro.Payment;
import io.riskstream.avro.RuleUpdate;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.config.Topics;
import io.riskstream.detect.Rules;
import io.riskstream.kafka.EventTimes;
import io.riskstream.kafka.KafkaConnectors;
import io.riskstream.kafka.RecordCheck;
import io.riskstream.reconcile.ReconciliationWorkflow;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The sink job: alerts (read_committed) and the raw topics into PostgreSQL tables for analysts,
 * upserted by their ids with Flink's JDBC connector, so replays and restarts never duplicate a row
 * (at least once, idempotent). Bad records go to the dead-letter topic like in the detection job.
 */
public final class SinkJob {
  public static final RowBinder<Alert> ALERTS =
      new RowBinder<>("risk_alerts", Alert.getClassSchema(), "alert_id");

  /** Every update; the alert's current status follows by trigger (V5__alert_status.sql, V6). */
  public static final RowBinder<AlertUpdate> ALERT_UPDATES =
      new RowBinder<>(
          "risk_alert_updates", AlertUpdate.getClassSchema(), "alert_id", "updated_at", "status");

  public static final RowBinder<Payment> PAYMENTS =
      new RowBinder<>("payments", Payment.getClassSchema(), "event_id");
  public static final RowBinder<Bill> BILLS =
      new RowBinder<>("bills", Bill.getClassSchema(), "bill_id");
  public static final RowBinder<BalanceChange> BALANCE_CHANGES =
      new RowBinder<>("balance_changes", BalanceChange.getClassSchema(), "log_id");
  public static final RowBinder<RuleUpdate> RULE_CHANGES =
      new RowBinder<>("rule_changes", RuleUpdate.getClassSchema(), "rule_id", "version");
  public static final RowBinder<DailyReconciliation> DAILY_RECONCILIATION =
      new RowBinder<>(
          "daily_reconciliation",
          DailyReconciliation.getClassSchema(),
          "day",
          "merchant_id",
          "cwid");

  private SinkJob() {}

  /** Adds the sink job to {@code env}; the tables must exist (see {@link Migrations}). */
  public static void build(StreamExecutionEnvironment env, RiskstreamConfig config) {
    KafkaConnectors kafka = new KafkaConnectors(config, "sink");
    RiskstreamConfig.Postgres postgres = config.postgres();
    Topics topics = config.topics();

    var alerts =
        kafka.read(
            env,
            topics.alerts(),
            Alert.class,
            RecordCheck.ALERT,
            EventTimes.ALERT,
            Uids.SINK_SOURCE_ALERTS,
            Uids.SINK_SPLIT_ALERTS);
    var payments =
        kafka.read(
            env,
            topics.payments(),
            Payment.class,
            RecordCheck.PAYMENT,
            EventTimes.PAYMENT,
            Uids.SINK_SOURCE_PAYMENTS,
            Uids.SINK_SPLIT_PAYMENTS);
    var bills =
        kafka.read(
            env,
            topics.bills(),
            Bill.class,
            RecordCheck.BILL,
            EventTimes.BILL,
            Uids.SINK_SOURCE_BILLS,
            Uids.SINK_SPLIT_BILLS);
    var balanceChanges =
        kafka.read(
            env,
            topics.balanceChanges(),
            BalanceChange.class,
            RecordCheck.BALANCE_CHANGE,
            EventTimes.BALANCE_CHANGE,
            Uids.SINK_SOURCE_BALANCE_CHANGES,
            Uids.SINK_SPLIT_BALANCE_CHANGES);

    var ruleUpdates =
        kafka.read(
            env,
            topics.rules(),
            RuleUpdate.class,
            RecordCheck.RULE_UPDATE,
            EventTimes.RULE_UPDATE,
            Uids.SINK_SOURCE_RULES,
            Uids.SINK_SPLIT_RULES);

    var alertUpdates =
        kafka.read(
            env,
            topics.alertUpdates(),
            AlertUpdate.class,
            RecordCheck.ALERT_UPDATE,
            EventTimes.ALERT_UPDATE,
            Uids.SINK_SOURCE_ALERT_UPDATES,
            Uids.SINK_SPLIT_ALERT_UPDATES);

    write(alerts, ALERTS, postgres, Uids.SINK_TABLE_ALERTS);
    write(alertUpdates, ALERT_UPDATES, postgres, Uids.SINK_TABLE_ALERT_UPDATES);
    write(ruleUpdates, RULE_CHANGES, postgres, Uids.SINK_TABLE_RULE_CHANGES);
    write(payments, PAYMENTS, postgres, Uids.SINK_TABLE_PAYMENTS);
    write(bills, BILLS, postgres, Uids.SINK_TABLE_BILLS);
    write(balanceChanges, BALANCE_CHANGES, postgres, Uids.SINK_TABLE_BALANCE_CHANGES);

    // The daily reconciliation lives here, not in a job of its own: it reads exactly the streams
    // this job reads, and writes to the same database (docs/tables.md, daily_reconciliation).
    ReconciliationWorkflow.Outputs days =
        ReconciliationWorkflow.define(
            payments,
            bills,
            balanceChanges,
            alerts,
            config.reconciliationTimeZone(),
            Rules.load(config.rulesFile()).matchWindow());
    write(days.rows(), DAILY_RECONCILIATION, postgres, Uids.SINK_TABLE_DAILY_RECONCILIATION);
    days.summaries()
        .sinkTo(kafka.dailySummarySink())
        .uid(Uids.SINK_DAILY_SUMMARIES)
        .name("summaries")
        .setDescription("daily summaries → " + topics.dailySummaries() + ", exactly once");

    kafka.sendDeadLetters(
        Uids.SINK_JOB_DEAD_LETTERS,
        alerts,
        alertUpdates,
        payments,
        bills,
        balanceChanges,
        ruleUpdates);
  }

  private static <T extends SpecificRecordBase> void write(
      DataStream<T> records, RowBinder<T> table, RiskstreamConfig.Postgres postgres, String uid) {
    records
        .sinkTo(PostgresSink.upsert(table.upsertSql(), table, postgres))
        .uid(uid)
        // "upsert" alone: the chain source -> check -> sink must stay within the 80 characters
        // of a metric scope; the table is in the description.
        .name("upsert")
        .setDescription("upsert into PostgreSQL table " + table.table());
  }
}
