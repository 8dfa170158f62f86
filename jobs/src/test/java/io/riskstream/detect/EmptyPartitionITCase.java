package io.riskstream.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.config.RiskstreamConfig;
import io.riskstream.generate.Traffic;
import io.riskstream.generate.TrafficGenerator;
import io.riskstream.kafka.KafkaTopics;
import io.riskstream.kafka.WireProducer;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.testing.KafkaStack;
import io.riskstream.testing.KafkaTestSupport;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every input topic has a partition nothing is ever written to: the watermark must still advance
 * past the others' events (the empty partition is idle once Kafka says there is nothing to read),
 * and the alerts must be exactly the injected cases.
 */
class EmptyPartitionITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = KafkaStack.miniCluster(2);

  @RegisterExtension static final KafkaStack STACK = new KafkaStack();

  @Test
  void aPartitionThatNeverGetsARecordHoldsNothingBack() throws Exception {
    RiskstreamConfig config = KafkaTestSupport.config(STACK.kafka(), STACK.registry());
    KafkaTopics.create(STACK.kafka().bootstrapServers(), config.topics(), 3);
    SchemaRegistryClient client = new SchemaRegistryClient(STACK.registry().url());
    Traffic traffic = KafkaTestSupport.traffic(3_000, 41);
    try (WireProducer producer =
        new WireProducer(KafkaTestSupport.allButTheLastPartition(config), client)) {
      KafkaTestSupport.produce(producer, config.topics(), traffic);
      KafkaTestSupport.produce(
          producer,
          config.topics(),
          TrafficGenerator.closing(traffic.inEventTimeOrder().get(traffic.size() - 1).eventTime()));
    }

    try (Admin admin = Admin.create(config.kafkaProperties())) {
      for (String topic :
          List.of(
              config.topics().payments(),
              config.topics().bills(),
              config.topics().balanceChanges())) {
        TopicPartition last = new TopicPartition(topic, 2);
        assertThat(
                admin
                    .listOffsets(Map.of(last, OffsetSpec.latest()))
                    .partitionResult(last)
                    .get()
                    .offset())
            .as(topic + " partition 2")
            .isZero();
      }
    }

    JobClient job = KafkaTestSupport.startDetect(config, "empty-partition");
    KafkaTestSupport.detectedExactly(config, client, job, traffic.labels());
  }
}
