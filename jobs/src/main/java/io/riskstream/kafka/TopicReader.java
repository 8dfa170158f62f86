package io.riskstream.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a whole topic as it stands now, as a {@code read_committed} consumer would see it: from the
 * beginning up to the end offsets taken at the start. For the demo's summary, the CLI and the
 * tests.
 */
public final class TopicReader {
  private TopicReader() {}

  /** Every committed record of {@code topic}, as a read_committed consumer sees them. */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(Properties kafka, String topic) {
    return readAll(kafka, topic, true);
  }

  /**
   * Every record of {@code topic}; with {@code committedOnly} false also those of open or aborted
   * transactions (for when a record was written matters, not whether it was committed yet).
   */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(
      Properties kafka, String topic, boolean committedOnly) {
    Properties props = new Properties();
    props.putAll(kafka);
    props.put(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
        committedOnly ? "read_committed" : "read_uncommitted");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = fromBeginning(consumer, topic);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("timed out reading " + topic + " up to " + end);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  /** Assigns every partition of {@code topic} to {@code consumer}, each at its beginning. */
  public static List<TopicPartition> fromBeginning(KafkaConsumer<?, ?> consumer, String topic) {
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return partitions;
  }
}
