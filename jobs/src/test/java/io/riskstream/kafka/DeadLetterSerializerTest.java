package io.riskstream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class DeadLetterSerializerTest {
  private static final int ONE_MIB = 1_048_576;
  private final DeadLetterSerializer serializer =
      new DeadLetterSerializer("risk-dead-letters", "detect", ONE_MIB);

  private static String header(ProducerRecord<byte[], byte[]> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Test
  void aRecordLargerThanTheProducerSendsIsCutWithItsSizeAndHash() {
    byte[] twoMib = new byte[2 * ONE_MIB];
    Arrays.fill(twoMib, (byte) 'A');
    DeadLetter letter =
        new DeadLetter(
            "payments",
            1,
            42,
            1_000,
            "O-1".getBytes(StandardCharsets.UTF_8),
            twoMib,
            "x".repeat(5_000));

    ProducerRecord<byte[], byte[]> record = serializer.serialize(letter, null, null);

    // 1 MiB less 16 KiB of room for the key, headers and batch overhead.
    assertThat(record.value()).hasSize(ONE_MIB - 16 * 1024);
    assertThat(header(record, "value.size")).isEqualTo("2097152");
    // printf 'A%.0s' {1..2097152} | sha256sum
    assertThat(header(record, "value.sha256"))
        .isEqualTo("5b766f6d76a999636fd93b4e039d5a32187f84a19c0950449f0c721da0223914");
    assertThat(header(record, "error")).hasSize(1_001).endsWith("x…");
    assertThat(header(record, "source.topic")).isEqualTo("payments");
    assertThat(header(record, "source.partition")).isEqualTo("1");
    assertThat(header(record, "source.offset")).isEqualTo("42");
  }

  @Test
  void aRecordThatFitsIsWrittenAsItCame() {
    byte[] value = {0, 0, 0, 0, 1, 2};
    DeadLetter letter = new DeadLetter("bills", 0, 7, 1_000, null, value, "unknown schema id 1");

    ProducerRecord<byte[], byte[]> record = serializer.serialize(letter, null, null);

    assertThat(record.value()).isEqualTo(value);
    assertThat(record.key()).isNull();
    assertThat(header(record, "value.size")).isNull();
    assertThat(header(record, "error")).isEqualTo("unknown schema id 1");
  }
}
