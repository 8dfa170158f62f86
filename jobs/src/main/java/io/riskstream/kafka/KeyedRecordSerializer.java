package io.riskstream.kafka;

import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.serde.AvroWireSerializer;
import io.riskstream.serde.ConfluentWireFormat;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a job's own records (alerts, daily summaries) keyed as the contract says, values in the
 * Confluent wire format under {@code <topic>-value}.
 */
public final class KeyedRecordSerializer<T extends SpecificRecordBase>
    implements TopicSerializer<T> {
  private final String topic;
  private final Class<T> type;
  private final SerializableFunction<T, String> key;
  private final SchemaRegistryClient.Settings registry;
  private final boolean autoRegister;
  private transient AvroWireSerializer<T> serializer;

  public KeyedRecordSerializer(
      String topic,
      Class<T> type,
      SerializableFunction<T, String> key,
      SchemaRegistryClient.Settings registry,
      boolean autoRegister) {
    this.topic = topic;
    this.type = type;
    this.key = key;
    this.registry = registry;
    this.autoRegister = autoRegister;
  }

  @Override
  public String topic() {
    return topic;
  }

  @Override
  public void open(
      SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
    serializer =
        new AvroWireSerializer<>(
            new SchemaRegistryClient(registry),
            ConfluentWireFormat.valueSubject(topic),
            type,
            autoRegister);
    serializer.schemaId(); // fail at start, not on the first record, when it cannot be registered
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      T record, KafkaSinkContext context, Long timestamp) {
    // The record timestamp is left to the producer (now): event times run ahead of or far behind
    // the wall clock in replays, and brokers reject timestamps over
    // log.message.timestamp.after.max.ms (1 h) in the future.
    return new ProducerRecord<>(
        topic,
        null,
        null,
        key.apply(record).getBytes(StandardCharsets.UTF_8),
        serializer.serialize(record));
  }
}
