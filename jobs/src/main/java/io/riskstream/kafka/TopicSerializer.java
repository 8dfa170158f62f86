package io.riskstream.kafka;

import java.util.List;
import java.util.Optional;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

/**
 * A serializer that writes to one topic and says which: the Kafka sink's pooled transactional ids
 * need the target topics to find the transactions a restarted job must abort.
 */
interface TopicSerializer<T> extends KafkaRecordSerializationSchema<T>, KafkaDatasetFacetProvider {
  String topic();

  @Override
  default Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
    return Optional.of(
        new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic()))));
  }
}
