package io.riskstream.notify;

import io.riskstream.Uids;
import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.avro.DailySummary;
import io.riskstream.avro.RuleUpdate;
import io.riskstream.backtest.Backtest;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.kafka.EventTimes;
import io.riskstream.kafka.KafkaConnectors;
import io.riskstream.kafka.RecordCheck;
import io.riskstream.sink.PostgresSink;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
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
    // The bot's messages only when commands are configured: polling getUpdates would take them
    // from any other program that reads the same bot's updates.
    DataStream<ChatCommand> commands =
        settings.telegram().commands() == null
            ? Backtest.nothing(env, TypeInformation.of(ChatCommand.class))
            : env.fromSource(
                    new TelegramUpdates(settings.telegram()),
                    WatermarkStrategy.noWatermarks(),
                    "Telegram getUpdates")
                .setParallelism(1)
                .uid(Uids.NOTIFY_TELEGRAM_UPDATES);
    NotifyWorkflow.Outputs notified =
        NotifyWorkflow.define(alerts, updates, days, ruleUpdates, commands, settings);
    notified
        .commanded()
        .sinkTo(kafka.alertUpdateSink())
        .uid(Uids.NOTIFY_SINK_COMMANDED)
        .name("commanded updates")
        .setDescription(
            "/ack and /resolve from Telegram → "
                + config.topics().alertUpdates()
                + ", exactly once");
    notified
        .deliveries()
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
