package io.riskstream.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.generate.Label;
import io.riskstream.generate.Traffic;
import io.riskstream.generate.TrafficGenerator;
import io.riskstream.kafka.DeadLetterSerializer;
import io.riskstream.kafka.EmbeddedKafka;
import io.riskstream.kafka.TopicReader;
import io.riskstream.kafka.WireProducer;
import io.riskstream.registry.EmbeddedSchemaRegistry;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.testing.KafkaTestSupport;
import io.riskstream.testing.KafkaTestSupport.PoisonPill;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detection job end to end on real parts: a KRaft broker, the registry, a Flink MiniCluster
 * with RocksDB.
 */
class DetectJobITCase {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static EmbeddedKafka kafka;
  private static EmbeddedSchemaRegistry registry;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start();
    registry = EmbeddedSchemaRegistry.start(0);
  }

  @AfterAll
  static void stop() {
    registry.close();
    kafka.close();
  }

  @Test
  void shouldCommitEveryLabelledAlertOnceAndDeadLetterEveryPoisonPill(@TempDir Path savepoints)
      throws Exception {
    RiskstreamConfig config = KafkaTestSupport.config(kafka, registry);
    kafka.createTopics(config.topics(), 2);
    SchemaRegistryClient client = new SchemaRegistryClient(registry.url());
    Traffic traffic =
        TrafficGenerator.generate(
            new TrafficGenerator.Settings(4_000, 11, 0.1, TrafficGenerator.Settings.DEFAULT_START));
    List<PoisonPill> pills = new ArrayList<>();
    try (WireProducer producer = new WireProducer(config.kafkaProperties(), client)) {
      // Broken clocks first: placed, they would make every event after them late.
      pills.addAll(KafkaTestSupport.sendBrokenClocks(producer, client, config.topics()));
      KafkaTestSupport.produce(producer, config.topics(), traffic);
      pills.addAll(KafkaTestSupport.sendPoisonPills(producer, client, config.topics()));
      KafkaTestSupport.produce(
          producer,
          config.topics(),
          TrafficGenerator.closing(traffic.inEventTimeOrder().get(traffic.size() - 1).eventTime()));
    }
    List<Label> expected = traffic.labels();
    assertThat(expected)
        .extracting(Label::reason)
        .contains("NO_BANK_RECORD", "BILL_WITHOUT_ORDER", "DISTINCT_ACCOUNTS", "CHAIN_BREAK");

    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(config.flinkConfiguration());
    DetectJob.build(env, config, Rules.defaults());
    JobClient job = env.executeAsync("detect-it");
    KafkaTestSupport.await(
        "all expected alerts and dead letters",
        Duration.ofMinutes(3),
        () -> {
          try {
            return KafkaTestSupport.alerts(config, client).size() >= expected.size()
                && TopicReader.readAll(config.kafkaProperties(), config.topics().deadLetters())
                        .size()
                    >= pills.size();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
        .get(2, TimeUnit.MINUTES);

    List<Alert> alerts = KafkaTestSupport.alerts(config, client);
    assertThat(alerts).extracting(Alert::getAlertId).doesNotHaveDuplicates();
    // Transactional ids are pooled, not one per checkpoint: the broker keeps every id it has seen
    // for a week. Two sinks at parallelism 2, each with at most a few transactions open.
    List<String> transactionalIds =
        kafka.admin().listTransactions().all().get().stream()
            .map(t -> t.transactionalId())
            .filter(id -> id.startsWith(config.transactionalIdPrefix()))
            .toList();
    System.out.printf(
        "transactional ids on the broker after the run: %d%n", transactionalIds.size());
    assertThat(transactionalIds).hasSizeBetween(4, 12);
    assertThat(alerts).extracting(Label::of).containsExactlyInAnyOrderElementsOf(expected);

    List<ConsumerRecord<byte[], byte[]>> letters =
        TopicReader.readAll(config.kafkaProperties(), config.topics().deadLetters());
    assertThat(letters).hasSize(pills.size());
    for (PoisonPill pill : pills) {
      ConsumerRecord<byte[], byte[]> letter =
          letters.stream()
              .filter(
                  l ->
                      new String(l.key(), StandardCharsets.UTF_8)
                          .equals(new String(pill.key(), StandardCharsets.UTF_8)))
              .findFirst()
              .orElseThrow(
                  () -> new AssertionError("no dead letter for " + new String(pill.key())));
      assertThat(letter.value()).isEqualTo(pill.value());
      assertThat(header(letter.headers(), DeadLetterSerializer.SOURCE_TOPIC))
          .isEqualTo(pill.topic());
      assertThat(header(letter.headers(), DeadLetterSerializer.ERROR)).isEqualTo(pill.error());
      assertThat(header(letter.headers(), DeadLetterSerializer.SOURCE_JOB)).isEqualTo("detect");
      assertThat(Integer.parseInt(header(letter.headers(), DeadLetterSerializer.SOURCE_PARTITION)))
          .isBetween(0, 1);
      assertThat(Long.parseLong(header(letter.headers(), DeadLetterSerializer.SOURCE_OFFSET)))
          .isNotNegative();
    }
  }

  private static String header(Headers headers, String name) {
    return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
