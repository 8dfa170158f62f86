package io.riskstream.notify;

import io.riskstream.Uids;
import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.avro.DailySummary;
import io.riskstream.avro.RuleUpdate;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.kafka.EventTimes;
import io.riskstream.kafka.KafkaConnectors;
import io.riskstream.kafka.RecordCheck;
import io.riskstream.sink.PostgresSink;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The notify job's I/O: alerts from {@code risk-alerts} and the sink job's daily summaries from
 * {@code risk-daily-summaries} (read_committed) through {@link NotifyWorkflow}; messages that could
 * not be delivered go to the {@code notification_dead_letters} table with their last error, never
 * dropped.
 */
public final class NotifyJob {
  private NotifyJob() {}

  public static void build(
      StreamExecutionEnvironment env, RiskstreamConfig config, NotifySettings settings) {
    KafkaConnectors kafka = new KafkaConnectors(config, "notify");
    var alerts =
        kafka.read(
            env,
            config.topics().alerts(),
            Alert.class,
            RecordCheck.ALERT,
            EventTimes.ALERT,
            Uids.NOTIFY_SOURCE_ALERTS,
            Uids.NOTIFY_SPLIT_ALERTS);
    var updates =
        kafka.read(
            env,
            config.topics().alertUpdates(),
            AlertUpdate.class,
            RecordCheck.ALERT_UPDATE,
            EventTimes.ALERT_UPDATE,
            Uids.NOTIFY_SOURCE_ALERT_UPDATES,
            Uids.NOTIFY_SPLIT_ALERT_UPDATES);
    var days =
        kafka.read(
            env,
            config.topics().dailySummaries(),
            DailySummary.class,
            RecordCheck.DAILY_SUMMARY,
            EventTimes.DAILY_SUMMARY,
            Uids.NOTIFY_SOURCE_DAILY_SUMMARIES,
            Uids.NOTIFY_SPLIT_DAILY_SUMMARIES);
    var ruleUpdates =
        kafka.read(
            env,
            config.topics().rules(),
            RuleUpdate.class,
            RecordCheck.RULE_UPDATE,
            EventTimes.RULE_UPDATE,
            Uids.NOTIFY_SOURCE_RULES,
            Uids.NOTIFY_SPLIT_RULES);
    NotifyWorkflow.define(alerts, updates, days, ruleUpdates, settings)
        .filter(d -> !d.delivered)
        .uid(Uids.NOTIFY_FAILED)
        .name("not delivered")
        .sinkTo(
            PostgresSink.upsert(
                NotificationDeadLetters.UPSERT, new NotificationDeadLetters(), config.postgres()))
        .uid(Uids.NOTIFY_FAILED_SINK)
        .name("upsert")
        .setDescription("upsert into PostgreSQL table " + NotificationDeadLetters.TABLE);
    kafka.sendDeadLetters(Uids.NOTIFY_DEAD_LETTERS, alerts, updates, days, ruleUpdates);
  }
}
