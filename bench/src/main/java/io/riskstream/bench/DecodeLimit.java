package io.riskstream.bench;

import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.Payment;
import io.riskstream.config.Topics;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.serde.AvroWireDeserializer;
import io.riskstream.serde.BadRecordException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The ceiling: bare KafkaConsumers that read the three topics from the beginning to their end and
 * decode every record (wire format + Avro) into the specific classes, doing nothing else. One
 * consumer thread per parallel slot, the partitions split between them as Flink's sources split
 * them, so that the limit and the job use the same cores.
 */
final class DecodeLimit {
  private DecodeLimit() {}

  /**
   * Reads and decodes everything, calling {@code firstRecord} after every poll that returned
   * records (the first call marks the phase's first record); returns the number of records decoded.
   */
  static long run(
      Properties kafka,
      SchemaRegistryClient registry,
      Topics topics,
      int threads,
      Runnable firstRecord)
      throws Exception {
    List<TopicPartition> all = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> probe = consumer(kafka)) {
      for (String topic : List.of(topics.payments(), topics.bills(), topics.balanceChanges())) {
        probe
            .partitionsFor(topic, Duration.ofSeconds(30))
            .forEach(p -> all.add(new TopicPartition(topic, p.partition())));
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Long>> counts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        List<TopicPartition> mine = new ArrayList<>();
        for (int i = t; i < all.size(); i += threads) {
          mine.add(all.get(i));
        }
        counts.add(pool.submit(() -> drain(kafka, registry, topics, mine, firstRecord)));
      }
      long total = 0;
      for (Future<Long> count : counts) {
        total += count.get();
      }
      return total;
    } finally {
      pool.shutdownNow();
    }
  }

  private static long drain(
      Properties kafka,
      SchemaRegistryClient registry,
      Topics topics,
      List<TopicPartition> partitions,
      Runnable firstRecord)
      throws BadRecordException {
    Map<String, AvroWireDeserializer<?>> decoders =
        Map.of(
            topics.payments(), new AvroWireDeserializer<>(registry, Payment.class),
            topics.bills(), new AvroWireDeserializer<>(registry, Bill.class),
            topics.balanceChanges(), new AvroWireDeserializer<>(registry, BalanceChange.class));
    long decoded = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
        if (!records.isEmpty()) {
          firstRecord.run();
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
          if (decoders.get(r.topic()).deserialize(r.value()) != null) {
            decoded++;
          }
        }
      }
    }
    return decoded;
  }

  private static KafkaConsumer<byte[], byte[]> consumer(Properties kafka) {
    Properties props = new Properties();
    props.putAll(kafka);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return new KafkaConsumer<>(props);
  }
}
