package io.riskstream.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.backtest.Backtest;
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
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spec section 3, "Catch-up": a backlog read while one topic lags gives the backtest's alerts. The
 * whole history is in Kafka before the job starts; the broker throttles the consumers of {@code
 * bills} (a client quota, as an overloaded or quota-limited cluster does), so their fetches stall
 * for longer than the idleness timeout again and again while payments and the ledger are read at
 * full speed. Flink's own idleness then left bills out of the watermark and turned real bills into
 * NO_BANK_RECORD; idleness only for partitions with nothing to read must not. The detectors' values
 * go through the cache in front of RocksDB, as a backfill's should (docs/detection.md).
 */
class CatchUpITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = KafkaStack.miniCluster(2);

  @RegisterExtension static final KafkaStack STACK = new KafkaStack();

  private static final Duration DISORDER = Duration.ofMinutes(1);

  @Test
  void aBacklogReadWithOneTopicThrottledGivesTheBacktestsAlerts(@TempDir Path savepoints)
      throws Exception {
    RiskstreamConfig config =
        KafkaTestSupport.config(
            STACK.kafka(),
            STACK.registry(),
            "watermarks.idleness=500 ms",
            // Small fetches, so that the throttled topic arrives in many stalls, not in one.
            "kafka.properties.max.partition.fetch.bytes=1024",
            // A backlog is what the cache in front of RocksDB is for; one of 50 keys per value
            // keeps writing evicted keys back between checkpoints.
            "state.cache-keys=50");
    KafkaTopics.create(STACK.kafka().bootstrapServers(), config.topics(), 2);
    Traffic traffic = KafkaTestSupport.traffic(800, 5);
    Traffic closing =
        TrafficGenerator.closing(traffic.inEventTimeOrder().get(traffic.size() - 1).eventTime());
    SchemaRegistryClient client = new SchemaRegistryClient(STACK.registry().url());
    Properties smallBatches = config.kafkaProperties();
    smallBatches.put("batch.size", "1024");
    try (WireProducer producer = new WireProducer(smallBatches, client)) {
      KafkaTestSupport.produce(producer, config.topics(), traffic);
      KafkaTestSupport.produce(producer, config.topics(), closing);
    }
    Set<String> backtest =
        ids(
            Backtest.run(
                StreamExecutionEnvironment.getExecutionEnvironment(),
                new Backtest.Inputs(traffic.payments(), traffic.bills(), traffic.balanceChanges()),
                RuleBook.defaults(),
                DISORDER));
    assertThat(backtest).hasSize(traffic.labels().size());

    KafkaTestSupport.throttle(
        STACK.kafka().bootstrapServers(), config.groupId() + "-" + config.topics().bills(), 1_000);
    JobClient job = KafkaTestSupport.startDetect(config, "catch-up-it");
    KafkaTestSupport.await(
        "the backtest's number of alerts",
        Duration.ofMinutes(4),
        () -> KafkaTestSupport.alerts(config, client).size() >= backtest.size());
    // Stopping with a savepoint commits whatever else the job had decided, spurious or not.
    job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
        .get(2, TimeUnit.MINUTES);

    List<Alert> alerts = KafkaTestSupport.alerts(config, client);
    assertThat(alerts).extracting(Alert::getAlertId).doesNotHaveDuplicates();
    assertThat(ids(alerts)).isEqualTo(backtest);
  }

  private static Set<String> ids(List<Alert> alerts) {
    return alerts.stream().map(Alert::getAlertId).collect(Collectors.toSet());
  }
}
