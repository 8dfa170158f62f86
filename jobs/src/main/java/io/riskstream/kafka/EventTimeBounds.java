package io.riskstream.kafka;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/**
 * Event times that cannot be right: before {@code notBefore} (seconds read as milliseconds land in
 * 1970), or more than {@code maxAhead} after the moment the record was written (microseconds read
 * as milliseconds land in the year 58859). One such event would move its source's watermark to
 * where it claims to be and make every later event late, so it is bad input: it goes to the
 * dead-letter topic and never reaches a watermark.
 *
 * <p>"Written" is the Kafka record's timestamp, not the wall clock of the reader: the verdict on a
 * record is then the same live, in a replay a month later and in every restart (a broker also
 * refuses timestamps more than an hour ahead of its own clock, {@code
 * log.message.timestamp.after.max.ms}, so a producer cannot push that anchor far). Files have no
 * such timestamp; {@code backtest} and {@code produce} use the wall clock when the command started.
 * A bound relative to the newest event seen so far was rejected: which event is "newest" depends on
 * arrival order, and the verdicts would differ between runs.
 */
public record EventTimeBounds(Instant notBefore, Duration maxAhead) implements Serializable {
  public static final EventTimeBounds DEFAULT =
      new EventTimeBounds(Instant.parse("2000-01-01T00:00:00Z"), Duration.ofMinutes(5));

  /**
   * This check for records that have no Kafka timestamp (files): their {@code event_time} against
   * {@code writtenAtMillis}, the moment the command reading them started.
   */
  public <T extends SpecificRecord> RecordCheck<T> asWrittenAt(long writtenAtMillis) {
    return record ->
        violation(
            (Instant) record.get(record.getSchema().getField("event_time").pos()), writtenAtMillis);
  }

  /** Why {@code eventTime} cannot be right for a record written at {@code writtenAt}, or null. */
  public String violation(Instant eventTime, long writtenAtMillis) {
    if (eventTime.isBefore(notBefore)) {
      return "event_time " + eventTime + " is before " + notBefore + " (events.not-before)";
    }
    if (eventTime.toEpochMilli() - writtenAtMillis > maxAhead.toMillis()) {
      return "event_time "
          + eventTime
          + " is more than "
          + org.apache.flink.util.TimeUtils.formatWithHighestUnit(maxAhead)
          + " (events.max-ahead) after the record was written at "
          + Instant.ofEpochMilli(writtenAtMillis);
    }
    return null;
  }
}
