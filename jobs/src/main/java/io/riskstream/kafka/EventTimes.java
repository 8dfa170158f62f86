package io.riskstream.kafka;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.DailySummary;
import io.riskstream.avro.Payment;
import io.riskstream.avro.RuleUpdate;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.types.Either;

/**
 * Event-time watermarks of docs/contract.md (Alerts): bounded disorder, and idleness so a quiet
 * partition stalls nothing, but only once it has nothing left to read.
 */
public final class EventTimes {
  private EventTimes() {}

  public static final SerializableTimestampAssigner<Payment> PAYMENT =
      (p, ts) -> p.getEventTime().toEpochMilli();
  public static final SerializableTimestampAssigner<Bill> BILL =
      (b, ts) -> b.getEventTime().toEpochMilli();
  public static final SerializableTimestampAssigner<BalanceChange> BALANCE_CHANGE =
      (c, ts) -> c.getEventTime().toEpochMilli();

  public static final SerializableTimestampAssigner<Alert> ALERT =
      (a, ts) -> a.getEventTime().toEpochMilli();

  public static final SerializableTimestampAssigner<AlertUpdate> ALERT_UPDATE =
      (u, ts) -> u.getEventTime().toEpochMilli();

  /** A rule change happens when it is published; its effective_from is about the events. */
  public static final SerializableTimestampAssigner<RuleUpdate> RULE_UPDATE =
      (r, ts) -> r.getCreatedAt().toEpochMilli();

  public static final SerializableTimestampAssigner<DailySummary> DAILY_SUMMARY =
      (d, ts) -> d.getEventTime().toEpochMilli();

  /**
   * Watermarks of a Kafka source that also carries dead letters. Dead letters do not move the
   * watermark (their Kafka timestamp says nothing about the events' time, and a replay of old
   * events with one bad record written today would otherwise make every later event late).
   * Idleness, when given, applies only to partitions with nothing left to read ({@link
   * IdleWhenCaughtUp}); a bounded read passes null, as a partition it still has to read is never
   * idle, only slower.
   */
  public static <T> WatermarkStrategy<Either<DeadLetter, T>> kafkaWatermarks(
      Duration maxOutOfOrderness,
      Duration idleness,
      Duration firstRecordGrace,
      Properties kafka,
      SerializableTimestampAssigner<T> eventTime) {
    SerializableTimestampAssigner<Either<DeadLetter, T>> assigner =
        (record, kafkaTimestamp) ->
            record.isRight()
                ? eventTime.extractTimestamp(record.right(), kafkaTimestamp)
                : Long.MIN_VALUE;
    IdleWhenCaughtUp.Backlog backlog = IdleWhenCaughtUp.kafka(kafka);
    WatermarkStrategy<Either<DeadLetter, T>> strategy =
        context -> {
          var watermarks =
              new BoundedOutOfOrdernessWatermarks<Either<DeadLetter, T>>(maxOutOfOrderness);
          return idleness == null
              ? watermarks
              : new IdleWhenCaughtUp<>(
                  watermarks, idleness, firstRecordGrace, context.getInputActivityClock(), backlog);
        };
    return strategy.withTimestampAssigner(assigner);
  }
}
