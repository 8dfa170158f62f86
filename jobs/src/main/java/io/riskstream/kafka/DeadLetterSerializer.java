package io.riskstream.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a dead letter as its original key and value, with where it came from and why in headers
 * (spec 2).
 */
public final class DeadLetterSerializer implements TopicSerializer<DeadLetter> {
  public static final String SOURCE_TOPIC = "source.topic";
  public static final String SOURCE_PARTITION = "source.partition";
  public static final String SOURCE_OFFSET = "source.offset";
  public static final String SOURCE_TIMESTAMP = "source.timestamp";
  public static final String ERROR = "error";

  /**
   * Which job found it: every job that reads a bad record reports it, so one record may come once
   * per job.
   */
  public static final String SOURCE_JOB = "source.job";

  private final String topic;
  private final String job;

  public DeadLetterSerializer(String topic, String job) {
    this.topic = topic;
    this.job = job;
  }

  @Override
  public String topic() {
    return topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      DeadLetter letter, KafkaSinkContext context, Long timestamp) {
    // Timestamped now, not with the original time: an old timestamp would let retention delete it
    // at once.
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(topic, null, null, letter.key, letter.value);
    record
        .headers()
        .add(SOURCE_TOPIC, utf8(letter.sourceTopic))
        .add(SOURCE_PARTITION, utf8(String.valueOf(letter.sourcePartition)))
        .add(SOURCE_OFFSET, utf8(String.valueOf(letter.sourceOffset)))
        .add(SOURCE_TIMESTAMP, utf8(String.valueOf(letter.timestamp)))
        .add(ERROR, utf8(letter.error))
        .add(SOURCE_JOB, utf8(job));
    return record;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
