package io.riskstream.notify;

import io.riskstream.Uids;
import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.avro.DailySummary;
import io.riskstream.avro.RuleUpdate;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The notification graph over a stream of alerts, their updates and daily summaries: routes
 * (updates: to the targets their alert was routed to, {@link FollowUps}) → threshold gate (keyed by
 * target, rule and merchant) → at most once per message id (keyed by id) → asynchronous HTTP
 * delivery (parallelism 1, so that the bot's rate limits hold). Returns every delivery, delivered
 * or not; the job writes the failed ones to the {@code notification_dead_letters} table.
 */
public final class NotifyWorkflow {
  private NotifyWorkflow() {}

  /**
   * What notification produces: every delivery, delivered or not; and the updates Telegram commands
   * made, for the job to write to {@code risk-alert-updates}.
   */
  public record Outputs(DataStream<Delivery> deliveries, DataStream<AlertUpdate> commanded) {}

  /**
   * @param commands the bot's incoming messages ({@link TelegramUpdates} in the job)
   */
  public static Outputs define(
      DataStream<Alert> alerts,
      DataStream<AlertUpdate> updates,
      DataStream<DailySummary> days,
      DataStream<RuleUpdate> ruleUpdates,
      DataStream<ChatCommand> commands,
      NotifySettings settings) {
    DataStream<Message> daily =
        days.flatMap(new DailySummaryRouter(settings), TypeInformation.of(Message.class))
            .uid(Uids.NOTIFY_DAILY_ROUTES)
            .name("daily summaries");
    DataStream<Message> ruleChanges =
        ruleUpdates
            .keyBy(RuleUpdate::getRuleId)
            .process(new RuleChangeNotices(settings), TypeInformation.of(Message.class))
            .uid(Uids.NOTIFY_RULE_CHANGES)
            .name("rule changes");
    SingleOutputStreamOperator<Commanded> asked =
        commands
            .process(new TelegramCommands(settings.telegram().commands()), Commanded.type())
            .uid(Uids.NOTIFY_COMMANDS)
            .name("Telegram commands");
    SingleOutputStreamOperator<AlertUpdate> commanded =
        alerts
            .keyBy(Alert::getAlertId)
            .connect(asked.keyBy(c -> c.update.getAlertId()))
            .process(
                new KnownAlerts(settings.delivery().dedupTtl()),
                new AvroTypeInfo<>(AlertUpdate.class))
            .uid(Uids.NOTIFY_KNOWN_ALERTS)
            .name("known alerts");
    DataStream<Message> replies =
        asked
            .getSideOutput(TelegramCommands.REPLIES)
            .union(commanded.getSideOutput(TelegramCommands.REPLIES));
    DataStream<Notice> followUps =
        alerts
            .keyBy(Alert::getAlertId)
            .connect(updates.keyBy(AlertUpdate::getAlertId))
            .process(new FollowUps(settings), TypeInformation.of(Notice.class))
            .uid(Uids.NOTIFY_FOLLOW_UPS)
            .name("follow-ups");
    DataStream<Message> messages =
        alerts
            .flatMap(new RouteMatcher(settings), TypeInformation.of(Notice.class))
            .uid(Uids.NOTIFY_ROUTES)
            .name("routes")
            .union(followUps)
            .keyBy(n -> n.groupKey)
            .process(new ThresholdGate(settings), TypeInformation.of(Message.class))
            .uid(Uids.NOTIFY_THRESHOLDS)
            .name("threshold rules")
            .union(daily, ruleChanges, replies)
            .keyBy(m -> m.id)
            .process(
                new DeliveredOnce(settings.delivery().dedupTtl()),
                TypeInformation.of(Message.class))
            .uid(Uids.NOTIFY_ONCE)
            .name("at most once per message");
    // Long enough for every retry: the function itself gives up after max-attempts and reports it.
    long timeoutMillis = TimeUnit.HOURS.toMillis(1);
    DataStream<Delivery> deliveries =
        AsyncDataStream.unorderedWait(
                messages, new HttpDelivery(settings), timeoutMillis, TimeUnit.MILLISECONDS, 1_000)
            .setParallelism(1)
            .uid(Uids.NOTIFY_DELIVERY)
            .name("HTTP delivery (Telegram, webhooks)");
    return new Outputs(deliveries, commanded);
  }
}
