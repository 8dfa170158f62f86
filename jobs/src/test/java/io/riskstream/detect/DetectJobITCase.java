package io.riskstream.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.LedgerState;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.generate.Label;
import io.riskstream.generate.Traffic;
import io.riskstream.generate.TrafficGenerator;
import io.riskstream.kafka.DeadLetterSerializer;
import io.riskstream.kafka.KafkaTopics;
import io.riskstream.kafka.LateEventSerializer;
import io.riskstream.kafka.TopicReader;
import io.riskstream.kafka.WireProducer;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.serde.AvroWireDeserializer;
import io.riskstream.testing.KafkaStack;
import io.riskstream.testing.KafkaTestSupport;
import io.riskstream.testing.KafkaTestSupport.PoisonPill;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detection job end to end on real parts: a KRaft broker, the registry, a Flink MiniCluster
 * with RocksDB.
 */
class DetectJobITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = KafkaStack.miniCluster(2);

  @RegisterExtension static final KafkaStack STACK = new KafkaStack();

  @Test
  void shouldCommitEveryLabelledAlertOnceAndDeadLetterEveryPoisonPill(@TempDir Path savepoints)
      throws Exception {
    RiskstreamConfig config = KafkaTestSupport.config(STACK.kafka(), STACK.registry());
    KafkaTopics.create(STACK.kafka().bootstrapServers(), config.topics(), 2);
    SchemaRegistryClient client = new SchemaRegistryClient(STACK.registry().url());
    Traffic traffic = KafkaTestSupport.traffic(4_000, 11);
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

    Set<String> adminClientsBefore = adminClientThreads();
    JobClient job = KafkaTestSupport.startDetect(config, "detect-it");
    KafkaTestSupport.await(
        "all expected alerts and dead letters",
        Duration.ofMinutes(3),
        () ->
            KafkaTestSupport.alerts(config, client).size() >= expected.size()
                && TopicReader.readAll(config.kafkaProperties(), config.topics().deadLetters())
                        .size()
                    >= pills.size());
    // Every traffic line is in order now: one behind its account's first line cannot be placed.
    BalanceChange first =
        traffic.balanceChanges().stream()
            .filter(c -> c.getState() == LedgerState.SUCCESS)
            .min(java.util.Comparator.comparing(BalanceChange::getEventTime))
            .orElseThrow();
    BalanceChange late =
        BalanceChange.newBuilder(first)
            .setLogId("L-LATE")
            .setOrderNo(null)
            .setEventTime(first.getEventTime().minusSeconds(1))
            .build();
    try (WireProducer producer = new WireProducer(config.kafkaProperties(), client)) {
      producer.send(config.topics().balanceChanges(), late.getAccountId(), late);
    }
    KafkaTestSupport.await(
        "the late line on " + config.topics().lateEvents(),
        Duration.ofMinutes(1),
        () ->
            !TopicReader.readAll(config.kafkaProperties(), config.topics().lateEvents()).isEmpty());
    job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
        .get(2, TimeUnit.MINUTES);
    // Every Kafka client the job opened is closed with it, the exactly-once writers' admin clients
    // too (AdminClosingKafkaSink): a client left behind keeps reconnecting to its broker.
    KafkaTestSupport.await(
        "no Kafka admin client of the job left running",
        Duration.ofSeconds(30),
        () -> adminClientsBefore.containsAll(adminClientThreads()));

    List<ConsumerRecord<byte[], byte[]>> lateEvents =
        TopicReader.readAll(config.kafkaProperties(), config.topics().lateEvents());
    assertThat(lateEvents).hasSize(1);
    ConsumerRecord<byte[], byte[]> lateRecord = lateEvents.get(0);
    assertThat(new String(lateRecord.key(), StandardCharsets.UTF_8)).isEqualTo(late.getAccountId());
    assertThat(
            new AvroWireDeserializer<>(client, BalanceChange.class).deserialize(lateRecord.value()))
        .isEqualTo(late);
    assertThat(header(lateRecord.headers(), DeadLetterSerializer.SOURCE_TOPIC))
        .isEqualTo(config.topics().balanceChanges());
    assertThat(header(lateRecord.headers(), DeadLetterSerializer.ERROR))
        .startsWith(
            "CHAIN_BREAK cannot place it: account "
                + late.getAccountId()
                + " is checked up to line ");
    assertThat(Long.parseLong(header(lateRecord.headers(), LateEventSerializer.LATE_BY_MS)))
        .isGreaterThan(Duration.ofHours(1).toMillis());

    List<Alert> alerts = KafkaTestSupport.alerts(config, client);
    assertThat(alerts).extracting(Alert::getAlertId).doesNotHaveDuplicates();
    // Transactional ids are pooled, not one per checkpoint: the broker keeps every id it has seen
    // for a week. Three sinks (alerts, dead letters, late events) at parallelism 2, each subtask
    // with at most three transactions open or pending; one id per checkpoint gave 24 here.
    List<String> transactionalIds;
    try (var admin = STACK.kafka().admin()) {
      transactionalIds =
          admin.listTransactions().all().get().stream()
              .map(t -> t.transactionalId())
              .filter(id -> id.startsWith(config.transactionalIdPrefix()))
              .toList();
    }
    System.out.printf(
        "transactional ids on the broker after the run: %d%n", transactionalIds.size());
    assertThat(transactionalIds).hasSizeBetween(6, 18);
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
      // A dead letter carries at most the request size (1 MiB) less 16 KiB; beyond, its value is
      // cut and its full size and SHA-256 are in headers.
      int carried = 1_048_576 - 16 * 1024;
      if (pill.value().length > carried) {
        assertThat(letter.value()).isEqualTo(Arrays.copyOf(pill.value(), carried));
        assertThat(header(letter.headers(), DeadLetterSerializer.VALUE_SIZE))
            .isEqualTo(String.valueOf(pill.value().length));
        assertThat(header(letter.headers(), DeadLetterSerializer.VALUE_SHA256))
            .isEqualTo(
                java.util.HexFormat.of()
                    .formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(pill.value())));
      } else {
        assertThat(letter.value()).isEqualTo(pill.value());
      }
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

  private static Set<String> adminClientThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(name -> name.startsWith("kafka-admin-client-thread"))
        .collect(Collectors.toSet());
  }

  private static String header(Headers headers, String name) {
    return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
