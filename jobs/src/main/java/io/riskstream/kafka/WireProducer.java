package io.riskstream.kafka;

import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.serde.AvroWireSerializer;
import io.riskstream.serde.ConfluentWireFormat;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes Avro records to topics in the Confluent wire format (TopicNameStrategy subjects), as the
 * order system, the bill feed and the ledger would. Used by {@code produce}, the demo's traffic and
 * the tests. Idempotent producer.
 */
public final class WireProducer implements AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;
  private final SchemaRegistryClient registry;
  private final Map<String, AvroWireSerializer<SpecificRecord>> serializers = new HashMap<>();

  public WireProducer(Properties kafka, SchemaRegistryClient registry) {
    Properties props = new Properties();
    props.putAll(kafka);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    this.producer = new KafkaProducer<>(props);
    this.registry = registry;
  }

  public void send(String topic, String key, SpecificRecord value) {
    send(topic, key, value, metadata -> {});
  }

  /** Sends, and hands the broker's acknowledgement (partition, offset) to {@code acked}. */
  @SuppressWarnings("unchecked")
  public void send(String topic, String key, SpecificRecord value, Consumer<RecordMetadata> acked) {
    AvroWireSerializer<SpecificRecord> serializer =
        serializers.computeIfAbsent(
            topic + '\0' + value.getSchema().getFullName(),
            k ->
                new AvroWireSerializer<>(
                    registry,
                    ConfluentWireFormat.valueSubject(topic),
                    (Class<SpecificRecord>) value.getClass(),
                    true));
    sendRaw(
        topic,
        null,
        key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        serializer.serialize(value),
        acked);
  }

  /**
   * Sends bytes as they are: for records that are not Avro, such as the poison pills of the tests.
   */
  public void sendRaw(String topic, byte[] key, byte[] value) {
    sendRaw(topic, null, key, value, metadata -> {});
  }

  /** Sends bytes as they are with the record timestamp {@code timestamp} (epoch millis). */
  public void sendRaw(String topic, long timestamp, byte[] key, byte[] value) {
    sendRaw(topic, timestamp, key, value, metadata -> {});
  }

  private void sendRaw(
      String topic, Long timestamp, byte[] key, byte[] value, Consumer<RecordMetadata> acked) {
    producer.send(
        new ProducerRecord<>(topic, null, timestamp, key, value),
        (metadata, error) -> {
          if (error != null) {
            throw new IllegalStateException(
                "cannot write to " + topic + ": " + error.getMessage(), error);
          }
          acked.accept(metadata);
        });
  }

  public void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close();
  }
}
