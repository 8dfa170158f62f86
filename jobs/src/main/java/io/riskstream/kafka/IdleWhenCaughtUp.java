package io.riskstream.kafka;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarksWithIdleness;
import org.apache.flink.util.clock.RelativeClock;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idleness for a Kafka partition that has nothing to read, never for one that is merely slow (spec
 * section 3, "Catch-up"). Flink's own idleness marks a split idle after a time without records;
 * during a backlog a partition whose fetches stall for that long (a throttled or recovering broker)
 * was then left out of the watermark, the other topics ran ahead, and its real bills became
 * NO_BANK_RECORD. Here a split that looks idle by the clock is asked of Kafka first: it goes idle
 * only when nothing committed lies between its next offset and the partition's end.
 *
 * <p>A split that has not delivered a record yet does not know its partition (Flink gives a
 * watermark generator no split), so Kafka cannot be asked; it goes idle by the clock, but not
 * before {@code watermarks.first-record-grace} (a minute). A job restored onto a backlog on a busy
 * machine was measured waiting longer than a short idleness timeout for its first fetch: its splits
 * went idle, the first topic to deliver ran ahead, and the others' records became late (the fault
 * suite's JobManager kill, with a 1 s timeout: 104 alerts lost, 3,225 invented). The price is that
 * a partition that is really empty holds the watermark back for a minute after every start.
 */
final class IdleWhenCaughtUp<T> implements WatermarkGenerator<T> {
  /** Answers whether a partition has records to read from an offset on. */
  @FunctionalInterface
  interface Backlog extends Serializable {
    boolean hasUnread(TopicPartition partition, long nextOffset);
  }

  private final WatermarkGenerator<T> watermarks;
  private final WatermarksWithIdleness.IdlenessTimer timer;
  private final RelativeClock clock;
  private final long recheckNanos;
  private final long firstRecordGraceNanos;
  private final long startedAt;
  private final Backlog backlog;
  private TopicPartition partition;
  private long nextOffset;
  private long checkedAt = Long.MIN_VALUE;
  private boolean caughtUp;

  IdleWhenCaughtUp(
      WatermarkGenerator<T> watermarks,
      Duration idleness,
      Duration firstRecordGrace,
      RelativeClock clock,
      Backlog backlog) {
    this.watermarks = watermarks;
    this.timer = new WatermarksWithIdleness.IdlenessTimer(clock, idleness);
    this.clock = clock;
    this.recheckNanos = idleness.toNanos();
    this.firstRecordGraceNanos = Math.max(idleness.toNanos(), firstRecordGrace.toNanos());
    this.startedAt = clock.relativeTimeNanos();
    this.backlog = backlog;
  }

  @Override
  public void onEvent(T event, long timestamp, WatermarkOutput output) {
    watermarks.onEvent(event, timestamp, output);
    timer.activity();
    ReadPosition position = ReadPosition.current();
    if (position != null) {
      partition = position.partition;
      nextOffset = position.offset + 1;
    }
    checkedAt = Long.MIN_VALUE;
  }

  @Override
  public void onPeriodicEmit(WatermarkOutput output) {
    if (timer.checkIfIdle() && nothingToRead()) {
      output.markIdle();
    } else {
      watermarks.onPeriodicEmit(output);
    }
  }

  /** Asks Kafka at most once per idleness timeout while the split stays quiet. */
  private boolean nothingToRead() {
    long now = clock.relativeTimeNanos();
    if (partition == null) {
      return now - startedAt >= firstRecordGraceNanos;
    }
    if (checkedAt == Long.MIN_VALUE || now - checkedAt >= recheckNanos) {
      caughtUp = !backlog.hasUnread(partition, nextOffset);
      checkedAt = now;
    }
    return caughtUp;
  }

  /**
   * Kafka's answer, from a short-lived consumer (read_committed, no group): the partition's last
   * stable offset, and when it lies beyond the next offset, one poll from there, because the gap
   * may hold only transaction markers and aborted records, which a read_committed reader never
   * sees. A consumer per check rather than one kept open: checks are rare (once per idleness
   * timeout per quiet partition) and nothing would close a shared one when the job ends.
   */
  static Backlog kafka(Properties clientProperties) {
    return new KafkaBacklog(clientProperties);
  }

  private record KafkaBacklog(Properties clientProperties) implements Backlog {
    private static final Logger LOG = LoggerFactory.getLogger(IdleWhenCaughtUp.class);

    @Override
    public boolean hasUnread(TopicPartition partition, long nextOffset) {
      Properties props = new Properties();
      props.putAll(clientProperties);
      props.remove(ConsumerConfig.GROUP_ID_CONFIG);
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
      props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
      props.put(ConsumerConfig.CLIENT_ID_CONFIG, "riskstream-idleness-check-" + partition);
      try (KafkaConsumer<byte[], byte[]> consumer =
          new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        Map<TopicPartition, Long> end = consumer.endOffsets(List.of(partition));
        long stable = end.getOrDefault(partition, 0L);
        if (nextOffset >= stable) {
          return false;
        }
        consumer.assign(List.of(partition));
        consumer.seek(partition, nextOffset);
        if (!consumer.poll(Duration.ofSeconds(2)).isEmpty()) {
          return true;
        }
        return consumer.position(partition) < stable;
      } catch (RuntimeException e) {
        // Kafka cannot say: the split stays active. The watermark waits, which delays alerts
        // but never decides one on a watermark that ran ahead.
        LOG.warn(
            "cannot check whether {} has records after offset {}: {}",
            partition,
            nextOffset,
            e.toString());
        return true;
      }
    }
  }
}
