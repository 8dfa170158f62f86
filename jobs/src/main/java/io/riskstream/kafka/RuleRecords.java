package io.riskstream.kafka;

import io.riskstream.avro.RuleUpdate;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads {@code risk-rules} as {@link RuleRecord}s: each update with the record it came from. The
 * decoding and its checks are {@link WireRecordDeserializer}'s.
 */
public final class RuleRecords implements KafkaRecordDeserializationSchema<RuleRecord> {
  private final WireRecordDeserializer<RuleUpdate> wire;

  public RuleRecords(WireRecordDeserializer<RuleUpdate> wire) {
    this.wire = wire;
  }

  @Override
  public void open(DeserializationSchema.InitializationContext context) throws Exception {
    wire.open(context);
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RuleRecord> out) {
    wire.deserialize(
        record,
        new Collector<>() {
          @Override
          public void collect(Either<DeadLetter, RuleUpdate> read) {
            out.collect(
                read.isLeft()
                    ? new RuleRecord(read.left(), null)
                    : new RuleRecord(DeadLetter.of(record, null), read.right()));
          }

          @Override
          public void close() {}
        });
  }

  @Override
  public TypeInformation<RuleRecord> getProducedType() {
    return RuleRecord.type();
  }
}
