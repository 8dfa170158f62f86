package io.riskstream.kafka;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a dead letter as its original key and value, with where it came from and why in headers
 * (spec 2). A record too large for the producer's {@code max.request.size} would fail the sink and
 * restart the job for ever: its value is cut to fit, with its full size and SHA-256 in headers, so
 * that the original can be found at its source coordinates and recognised.
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

  /** On a cut value: its size in bytes before the cut, and the SHA-256 (hex) of all of it. */
  public static final String VALUE_SIZE = "value.size";

  public static final String VALUE_SHA256 = "value.sha256";

  /** Room left under the request size for the key, the headers and the batch's own overhead. */
  static final int HEADROOM = 16 * 1024;

  /** An error message longer than this is cut: it describes the record, it is not the record. */
  static final int MAX_ERROR_CHARS = 1_000;

  /** A key longer than this is cut too (keys are ids; the value is what gets looked at). */
  static final int MAX_KEY_BYTES = 1_024;

  private final String topic;
  private final String job;
  private final int maxValueBytes;

  /**
   * @param maxRequestBytes the dead-letter producer's {@code max.request.size}
   */
  public DeadLetterSerializer(String topic, String job, int maxRequestBytes) {
    this.topic = topic;
    this.job = job;
    this.maxValueBytes = Math.max(1, maxRequestBytes - HEADROOM);
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
    byte[] key = letter.key == null ? null : cut(letter.key, MAX_KEY_BYTES);
    byte[] value = letter.value;
    boolean tooLarge = value != null && value.length > maxValueBytes;
    if (tooLarge) {
      value = Arrays.copyOf(value, maxValueBytes);
    }
    String error =
        letter.error.length() > MAX_ERROR_CHARS
            ? letter.error.substring(0, MAX_ERROR_CHARS) + "…"
            : letter.error;
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, null, key, value);
    record
        .headers()
        .add(SOURCE_TOPIC, utf8(letter.sourceTopic))
        .add(SOURCE_PARTITION, utf8(String.valueOf(letter.sourcePartition)))
        .add(SOURCE_OFFSET, utf8(String.valueOf(letter.sourceOffset)))
        .add(SOURCE_TIMESTAMP, utf8(String.valueOf(letter.timestamp)))
        .add(ERROR, utf8(error))
        .add(SOURCE_JOB, utf8(job));
    if (tooLarge) {
      record
          .headers()
          .add(VALUE_SIZE, utf8(String.valueOf(letter.value.length)))
          .add(VALUE_SHA256, utf8(sha256(letter.value)));
    }
    return record;
  }

  private static byte[] cut(byte[] bytes, int max) {
    return bytes.length > max ? Arrays.copyOf(bytes, max) : bytes;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
