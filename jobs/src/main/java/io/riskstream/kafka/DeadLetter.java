package io.riskstream.kafka;

import java.util.Arrays;
import java.util.Objects;

/**
 * A record that could not be read: its original key and value, where it came from, and why. A Flink
 * POJO (public fields, no-arg constructor), so it travels without Kryo.
 */
public class DeadLetter {
  public String sourceTopic;
  public int sourcePartition;
  public long sourceOffset;
  public long timestamp;
  public byte[] key;
  public byte[] value;
  public String error;

  public DeadLetter() {}

  public DeadLetter(
      String sourceTopic,
      int sourcePartition,
      long sourceOffset,
      long timestamp,
      byte[] key,
      byte[] value,
      String error) {
    this.sourceTopic = sourceTopic;
    this.sourcePartition = sourcePartition;
    this.sourceOffset = sourceOffset;
    this.timestamp = timestamp;
    this.key = key;
    this.value = value;
    this.error = error;
  }

  /** {@code record} as read, with {@code error} (null: none yet). */
  static DeadLetter of(
      org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> record, String error) {
    return new DeadLetter(
        record.topic(),
        record.partition(),
        record.offset(),
        record.timestamp(),
        record.key(),
        record.value(),
        error);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeadLetter d
        && sourceTopic.equals(d.sourceTopic)
        && sourcePartition == d.sourcePartition
        && sourceOffset == d.sourceOffset
        && timestamp == d.timestamp
        && Arrays.equals(key, d.key)
        && Arrays.equals(value, d.value)
        && Objects.equals(error, d.error);
  }

  @Override
  public int hashCode() {
    return Objects.hash(sourceTopic, sourcePartition, sourceOffset);
  }

  @Override
  public String toString() {
    return sourceTopic + "-" + sourcePartition + "@" + sourceOffset + ": " + error;
  }
}
