package io.riskstream.kafka;

import io.riskstream.avro.Alert;
import io.riskstream.config.RiskstreamConfig;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Flink's Kafka source and sinks, configured for riskstream: wire-format values, read_committed,
 * exactly once.
 */
public final class KafkaConnectors {
  private final RiskstreamConfig config;

  public KafkaConnectors(RiskstreamConfig config) {
    this.config = config;
  }

  /**
   * A source of one topic's records, each either read into {@code type} or turned into a dead
   * letter.
   */
  public <T extends SpecificRecordBase> KafkaSource<Either<DeadLetter, T>> source(
      String topic, Class<T> type, RecordCheck<T> check) {
    return KafkaSource.<Either<DeadLetter, T>>builder()
        .setProperties(config.kafkaProperties())
        .setTopics(topic)
        .setGroupId(config.groupId())
        .setClientIdPrefix(config.groupId() + "-" + topic)
        .setStartingOffsets(startingOffsets())
        .setProperty("isolation.level", "read_committed")
        .setDeserializer(new WireRecordDeserializer<>(config.registry(), type, check))
        .build();
  }

  public KafkaSink<Alert> alertSink() {
    return exactlyOnce(
        new AlertSerializer(config.topics().alerts(), config.registry(), config.autoRegister()),
        "alerts");
  }

  public KafkaSink<DeadLetter> deadLetterSink() {
    return exactlyOnce(new DeadLetterSerializer(config.topics().deadLetters()), "dead-letters");
  }

  private <T> KafkaSink<T> exactlyOnce(KafkaRecordSerializationSchema<T> serializer, String what) {
    return KafkaSink.<T>builder()
        .setKafkaProducerConfig(config.kafkaProperties())
        .setRecordSerializer(serializer)
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(config.transactionalIdPrefix() + "-" + what)
        .setProperty(
            "transaction.timeout.ms", String.valueOf(config.transactionTimeout().toMillis()))
        .build();
  }

  private OffsetsInitializer startingOffsets() {
    return switch (config.startingOffsets()) {
      case COMMITTED_OR_EARLIEST ->
          OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
      case EARLIEST -> OffsetsInitializer.earliest();
      case LATEST -> OffsetsInitializer.latest();
    };
  }
}
