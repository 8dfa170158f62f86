package io.riskstream.kafka;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.Payment;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.types.Either;

/**
 * Event-time watermarks of spec section 3: bounded disorder, and idleness so a quiet partition
 * stalls nothing.
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

  public static <T> WatermarkStrategy<T> watermarks(
      Duration maxOutOfOrderness, Duration idleness, SerializableTimestampAssigner<T> eventTime) {
    return WatermarkStrategy.<T>forBoundedOutOfOrderness(maxOutOfOrderness)
        .withIdleness(idleness)
        .withTimestampAssigner(eventTime);
  }

  /**
   * For a source that also carries dead letters: those do not move the watermark (their Kafka
   * timestamp says nothing about the events' time, and a replay of old events with one bad record
   * written today would otherwise make every later event late).
   */
  public static <T> WatermarkStrategy<Either<DeadLetter, T>> watermarksWithDeadLetters(
      Duration maxOutOfOrderness, Duration idleness, SerializableTimestampAssigner<T> eventTime) {
    SerializableTimestampAssigner<Either<DeadLetter, T>> assigner =
        (record, kafkaTimestamp) ->
            record.isRight()
                ? eventTime.extractTimestamp(record.right(), kafkaTimestamp)
                : Long.MIN_VALUE;
    return watermarks(maxOutOfOrderness, idleness, assigner);
  }
}
