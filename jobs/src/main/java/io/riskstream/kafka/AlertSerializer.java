package io.riskstream.kafka;

import io.riskstream.avro.Alert;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.serde.AvroWireSerializer;
import io.riskstream.serde.ConfluentWireFormat;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes alerts keyed by {@code alert_id}, values in the Confluent wire format under {@code
 * <topic>-value}.
 */
public final class AlertSerializer implements TopicSerializer<Alert> {
  private final String topic;
  private final SchemaRegistryClient.Settings registry;
  private final boolean autoRegister;
  private transient AvroWireSerializer<Alert> serializer;

  public AlertSerializer(
      String topic, SchemaRegistryClient.Settings registry, boolean autoRegister) {
    this.topic = topic;
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
            Alert.class,
            autoRegister);
    serializer
        .schemaId(); // fail at start, not on the first alert, when the schema cannot be registered
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      Alert alert, KafkaSinkContext context, Long timestamp) {
    // The record timestamp is left to the producer (now): event times run ahead of or far behind
    // the wall clock
    // in replays, and brokers reject timestamps over log.message.timestamp.after.max.ms (1 h) in
    // the future.
    return new ProducerRecord<>(
        topic,
        null,
        null,
        alert.getAlertId().getBytes(StandardCharsets.UTF_8),
        serializer.serialize(alert));
  }
}
