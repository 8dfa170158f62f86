package io.riskstream.kafka;

import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Payment;
import io.riskstream.config.Topics;
import io.riskstream.detect.LateEvent;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.serde.ConfluentWireFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a late event as the record it came in as: its original key, and a value in the Confluent
 * wire format under its input topic's subject (so it reads like any record of that topic and can be
 * produced there again), with the reason and {@code late.by.ms} in headers like a dead letter's.
 * The value is the job's own decoding of the event, not the producer's bytes: the detectors see
 * decoded events, and the Kafka position does not travel with them.
 */
public final class LateEventSerializer implements TopicSerializer<LateEvent> {
  public static final String LATE_BY_MS = "late.by.ms";

  private final Topics topics;
  private final SchemaRegistryClient.Settings registry;
  private final boolean autoRegister;
  private final String job;
  private transient int paymentSchemaId;
  private transient int balanceChangeSchemaId;

  public LateEventSerializer(
      Topics topics, SchemaRegistryClient.Settings registry, boolean autoRegister, String job) {
    this.topics = topics;
    this.registry = registry;
    this.autoRegister = autoRegister;
    this.job = job;
  }

  @Override
  public String topic() {
    return topics.lateEvents();
  }

  @Override
  public void open(
      SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
    SchemaRegistryClient client = new SchemaRegistryClient(registry);
    paymentSchemaId = schemaId(client, topics.payments(), Payment.getClassSchema());
    balanceChangeSchemaId =
        schemaId(client, topics.balanceChanges(), BalanceChange.getClassSchema());
  }

  private int schemaId(SchemaRegistryClient client, String topic, Schema schema) {
    String subject = ConfluentWireFormat.valueSubject(topic);
    return autoRegister ? client.register(subject, schema) : client.lookup(subject, schema);
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      LateEvent event, KafkaSinkContext context, Long timestamp) {
    boolean payment = event.source == LateEvent.Source.PAYMENTS;
    ByteBuffer value = ByteBuffer.allocate(ConfluentWireFormat.HEADER_LENGTH + event.body.length);
    ConfluentWireFormat.writeHeader(value, payment ? paymentSchemaId : balanceChangeSchemaId);
    value.put(event.body);
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(topic(), null, null, utf8(event.key), value.array());
    record
        .headers()
        .add(
            DeadLetterSerializer.SOURCE_TOPIC,
            utf8(payment ? topics.payments() : topics.balanceChanges()))
        .add(DeadLetterSerializer.ERROR, utf8(event.reason))
        .add(LATE_BY_MS, utf8(String.valueOf(event.lateByMs)))
        .add(DeadLetterSerializer.SOURCE_JOB, utf8(job));
    return record;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
