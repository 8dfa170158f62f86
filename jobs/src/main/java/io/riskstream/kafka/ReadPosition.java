package io.riskstream.kafka;

import org.apache.kafka.common.TopicPartition;

/**
 * The Kafka position of the record being emitted right now on this thread. Flink's Kafka source
 * gives a watermark generator the record but not where it came from; the deserializer knows, and
 * the source calls the generator of the record's split synchronously from the deserializer's {@code
 * collect}, on the same thread, so a thread-local carries it across.
 */
final class ReadPosition {
  private static final ThreadLocal<ReadPosition> CURRENT = new ThreadLocal<>();

  TopicPartition partition;
  long offset;

  private ReadPosition() {}

  /** Marks {@code partition} at {@code offset} as the record now being emitted. */
  static void set(String topic, int partition, long offset) {
    ReadPosition position = CURRENT.get();
    if (position == null) {
      position = new ReadPosition();
      CURRENT.set(position);
    }
    if (position.partition == null
        || position.partition.partition() != partition
        || !position.partition.topic().equals(topic)) {
      position.partition = new TopicPartition(topic, partition);
    }
    position.offset = offset;
  }

  /** The position set last on this thread, or null. */
  static ReadPosition current() {
    return CURRENT.get();
  }
}
