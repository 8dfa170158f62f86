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
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job restored while part of its input is quiet decides what the watermark it had reached allows.
 * Flink checkpoints no watermark: a restored source starts from none and rebuilds it from the
 * records it reads next, so a partition read to its end before the checkpoint counted for nothing
 * after it, and the decisions it had allowed waited for its idleness, or for ever when the restore
 * came after the last records (the fault suite's broker scenario, with a TaskManager dead: 5 of 396
 * alerts never came).
 */
class QuietRestoreITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = KafkaStack.miniCluster(2);

  @RegisterExtension static final KafkaStack STACK = new KafkaStack();

  @Test
  void aPartitionReadToItsEndBeforeTheRestoreStillMovesTheWatermark(@TempDir Path savepoints)
      throws Exception {
    // Idleness longer than the test: only records move the watermark here.
    String idleness = "watermarks.idleness=10 min";
    RiskstreamConfig config = KafkaTestSupport.config(STACK.kafka(), STACK.registry(), idleness);
    KafkaTopics.create(STACK.kafka().bootstrapServers(), config.topics(), 2);
    SchemaRegistryClient client = new SchemaRegistryClient(STACK.registry().url());
    Traffic traffic = KafkaTestSupport.traffic(2_000, 23);
    Instant last = traffic.inEventTimeOrder().get(traffic.size() - 1).eventTime();
    try (WireProducer producer = new WireProducer(config.kafkaProperties(), client)) {
      KafkaTestSupport.produce(producer, config.topics(), traffic);
    }
    // The closing order on partition 0 of each topic only: partition 1 holds the watermark at its
    // last event, so the traffic's last cases wait.
    produceOn(0, config, client, TrafficGenerator.closing(last));

    JobClient first = KafkaTestSupport.startDetect(config, "quiet-restore-before");
    KafkaTestSupport.await(
        "the detect job through to the end of its inputs",
        Duration.ofMinutes(3),
        () -> KafkaTestSupport.inputsReadToTheEnd(config));
    String savepoint =
        first
            .stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
            .get(2, TimeUnit.MINUTES);
    assertThat(KafkaTestSupport.alerts(config, client))
        .as("alerts before the restore: the last cases wait for partition 1")
        .hasSizeLessThan(traffic.labels().size());

    // Partition 0 has nothing more to read. One record on partition 1, past the closing order,
    // lets the watermark reach what partition 0 had allowed before the restore.
    RiskstreamConfig restored =
        KafkaTestSupport.config(
            STACK.kafka(),
            STACK.registry(),
            idleness,
            "flink.execution.state-recovery.path=" + savepoint);
    JobClient second = KafkaTestSupport.startDetect(restored, "quiet-restore-after");
    produceOn(
        1,
        config,
        client,
        TrafficGenerator.closing(last.plus(Duration.ofMinutes(1)), "NUDGE", "999999999999"));
    KafkaTestSupport.detectedExactly(config, client, second, traffic.labels());
  }

  private static void produceOn(
      int partition, RiskstreamConfig config, SchemaRegistryClient client, Traffic traffic) {
    try (WireProducer producer =
        new WireProducer(KafkaTestSupport.toPartition(config, partition), client)) {
      KafkaTestSupport.produce(producer, config.topics(), traffic);
    }
  }
}
