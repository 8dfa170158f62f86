package io.riskstream.kafka;

import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.serde.AvroWireDeserializer;
import io.riskstream.serde.BadRecordException;
import java.time.Instant;
import java.time.ZoneId;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.api.java.typeutils.TypeExtractor;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads a topic's Confluent wire-format values into {@code T}, or into a {@link DeadLetter} when
 * the bytes or the values are bad, so that bad input flows on to the dead-letter topic inside the
 * same exactly-once dataflow instead of failing the job. A registry outage is not caught: it fails
 * the task, which restarts from its checkpoint.
 */
public final class WireRecordDeserializer<T extends SpecificRecordBase>
    implements KafkaRecordDeserializationSchema<Either<DeadLetter, T>> {
  private final SchemaRegistryClient.Settings registry;
  private final Class<T> type;
  private final RecordCheck<T> check;
  private final SerializableTimestampAssigner<T> eventTime;
  private final EventTimeBounds bounds;
  private final ZoneId localTimeZone;
  private transient AvroWireDeserializer<T> deserializer;
  private transient Counter deadLetters;

  /**
   * @param eventTime the record's event time, checked against {@code bounds} with the Kafka
   *     record's timestamp as the time it was written
   * @param localTimeZone the zone of writer schemas with local-timestamp fields
   */
  public WireRecordDeserializer(
      SchemaRegistryClient.Settings registry,
      Class<T> type,
      RecordCheck<T> check,
      SerializableTimestampAssigner<T> eventTime,
      EventTimeBounds bounds,
      ZoneId localTimeZone) {
    this.registry = registry;
    this.type = type;
    this.check = check;
    this.eventTime = eventTime;
    this.bounds = bounds;
    this.localTimeZone = localTimeZone;
  }

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    deserializer =
        new AvroWireDeserializer<>(new SchemaRegistryClient(registry), type, localTimeZone);
    deadLetters = context.getMetricGroup().addGroup("riskstream").counter("deadLetters");
  }

  @Override
  public void deserialize(
      ConsumerRecord<byte[], byte[]> record, Collector<Either<DeadLetter, T>> out) {
    ReadPosition.set(record.topic(), record.partition(), record.offset());
    String error;
    try {
      T value = deserializer.deserialize(record.value());
      error = check.violation(value);
      if (error == null) {
        // A record without a timestamp (-1, a very old producer) is checked against the reader's
        // clock.
        long written = record.timestamp() >= 0 ? record.timestamp() : System.currentTimeMillis();
        error =
            bounds.violation(
                Instant.ofEpochMilli(eventTime.extractTimestamp(value, record.timestamp())),
                written);
      }
      if (error == null) {
        out.collect(Either.Right(value));
        return;
      }
    } catch (BadRecordException e) {
      error = e.getMessage();
    }
    deadLetters.inc();
    out.collect(Either.Left(DeadLetter.of(record, error)));
  }

  @Override
  public TypeInformation<Either<DeadLetter, T>> getProducedType() {
    return new EitherTypeInfo<>(
        TypeExtractor.createTypeInfo(DeadLetter.class), new AvroTypeInfo<>(type));
  }
}
