package io.riskstream.detect;

import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.payment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riskstream.avro.Alert;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.avro.RuleMode;
import io.riskstream.cli.CliRun;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.kafka.DeadLetterSerializer;
import io.riskstream.kafka.KafkaTopics;
import io.riskstream.kafka.TopicReader;
import io.riskstream.kafka.WireProducer;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.serde.AvroWireDeserializer;
import io.riskstream.testing.KafkaStack;
import io.riskstream.testing.KafkaTestSupport;
import io.riskstream.testing.RuleUpdates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rule versions published while the detection job runs (docs/rules.md), on real parts: the next
 * alerts carry the new version without a restart, a shadow version's alerts go to the shadow topic
 * only, a refused version is dead-lettered, and a job restored from a savepoint keeps the versions.
 */
class RuleUpdatesITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = KafkaStack.miniCluster(2);

  @RegisterExtension static final KafkaStack STACK = new KafkaStack();

  /** When the published versions take effect. */
  private static final Instant T = BEGINNING.plus(Duration.ofMinutes(20));

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aPublishedChangeDecidesTheNextAlertsWithoutARestartAndSurvivesOne(
      @InjectClusterClient ClusterClient<?> cluster, @TempDir Path dir) throws Exception {
    RiskstreamConfig config =
        KafkaTestSupport.config(STACK.kafka(), STACK.registry(), "rules.shadow=true");
    KafkaTopics.create(STACK.kafka().bootstrapServers(), config.topics(), 2);
    SchemaRegistryClient registry = new SchemaRegistryClient(STACK.registry().url());
    String rest = cluster.getWebInterfaceURL();

    JobClient job = KafkaTestSupport.startDetect(config, "rules-it");
    String id = job.getJobID().toString();
    // Three payers on one IP before T: not a burst by the rules file (five).
    send(
        config,
        registry,
        burst("10.0.0.1", BEGINNING),
        tick(BEGINNING.plus(Duration.ofMinutes(10))));

    Path active =
        Files.writeString(dir.resolve("active.yaml"), "rules:\n  ip-burst: {distinct-payers: 3}\n");
    Path shadow =
        Files.writeString(dir.resolve("shadow.yaml"), "rules:\n  ip-burst: {distinct-payers: 2}\n");
    CliRun published =
        publish(
            config,
            active,
            "--author",
            "priya",
            "--reason",
            "bursts of 3",
            "--effective-from",
            T.toString());
    CliRun trial =
        publish(
            config,
            shadow,
            "--author",
            "arun",
            "--reason",
            "try 2",
            "--shadow",
            "--effective-from",
            T.toString());
    assertThat(published.exitCode()).as(published.err()).isZero();
    assertThat(trial.out()).startsWith("ip-burst v3 SHADOW, effective ");
    // A version not above the last, written past the command (which would refuse it).
    try (WireProducer producer = new WireProducer(config.kafkaProperties(), registry)) {
      producer.send(
          config.topics().rules(),
          "ip-burst",
          RuleUpdates.update("ip-burst", 2, RuleMode.ACTIVE, "distinct-payers: 9\n", T));
    }
    // Every subtask of every live and shadow detector holds the 2 accepted versions (ip-burst's
    // v2, and its shadow v3) before the events they govern are sent.
    KafkaTestSupport.await(
        "the versions in every detector",
        Duration.ofMinutes(1),
        () -> minOfGauge(rest, id, "riskstream.ruleVersions") == 2);

    send(
        config,
        registry,
        burst("10.0.0.2", T.plus(Duration.ofMinutes(1))),
        tick(T.plus(Duration.ofMinutes(15))));
    KafkaTestSupport.await(
        "the burst after T, live and in shadow",
        Duration.ofMinutes(1),
        () ->
            alerts(config, registry, config.topics().alerts()).size() == 1
                && alerts(config, registry, config.topics().alertsShadow()).size() == 1);

    assertThat(alerts(config, registry, config.topics().alerts()))
        .extracting(Alert::getIp, Alert::getRuleId, Alert::getRuleVersion)
        .containsExactly(tuple("10.0.0.2", "ip-burst", 2));
    assertThat(alerts(config, registry, config.topics().alertsShadow()))
        .extracting(Alert::getIp, Alert::getRuleId, Alert::getRuleVersion)
        .containsExactly(tuple("10.0.0.2", "ip-burst", 3));
    assertThat(gauge(rest, "/jobs/" + id + "/metrics?get=numRestarts")).isZero();
    List<ConsumerRecord<byte[], byte[]>> letters =
        TopicReader.readAll(config.kafkaProperties(), config.topics().deadLetters());
    assertThat(letters).hasSize(1);
    assertThat(
            new String(
                letters.get(0).headers().lastHeader(DeadLetterSerializer.ERROR).value(),
                StandardCharsets.UTF_8))
        .isEqualTo(
            "rule update refused, the rules in force stay: ip-burst version 2 is not above its"
                + " last version, 3");

    // Restored from a savepoint by a job graph that knows only the rules file: the versions come
    // from the detectors' broadcast state, the rules source resumes after them.
    String savepoint =
        job.stopWithSavepoint(
                false, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
            .get(2, TimeUnit.MINUTES);
    var flink = config.flinkConfiguration();
    flink.setString("execution.savepoint.path", savepoint);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    DetectJob.build(env, config, RuleBook.defaults());
    JobClient restored = env.executeAsync("rules-it-restored");
    try {
      send(
          config,
          registry,
          burst("10.0.0.3", T.plus(Duration.ofMinutes(30))),
          tick(T.plus(Duration.ofMinutes(45))));
      KafkaTestSupport.await(
          "the burst after the restore",
          // A restored job holds event time for a minute on partitions with nothing new to read
          // (watermarks.first-record-grace, 15 s in these tests; 62 s measured at the default).
          Duration.ofMinutes(3),
          () -> alerts(config, registry, config.topics().alerts()).size() == 2);
      assertThat(alerts(config, registry, config.topics().alerts()))
          .extracting(Alert::getIp, Alert::getRuleVersion)
          .containsExactlyInAnyOrder(tuple("10.0.0.2", 2), tuple("10.0.0.3", 2));
    } finally {
      restored.cancel().get(1, TimeUnit.MINUTES);
    }
  }

  private static CliRun publish(RiskstreamConfig config, Path file, String... args) {
    List<String> all = new ArrayList<>(List.of("rules", "publish", file.toString()));
    all.addAll(List.of(args));
    all.addAll(
        List.of(
            "--set", "kafka.bootstrap-servers=" + config.kafkaProperties().get("bootstrap.servers"),
            "--set", "registry.url=" + STACK.registry().url()));
    return CliRun.of(all.toArray(String[]::new));
  }

  /** Three payers on {@code ip}, a minute apart from {@code from}. */
  private static List<Payment> burst(String ip, Instant from) {
    List<Payment> payments = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Instant at = from.plus(Duration.ofMinutes(i));
      payments.add(
          payment("PE-" + ip + "-" + i, "O-" + ip + "-" + i, PaymentStatus.CREATED, "100", at)
              .setUserId("U-" + ip + "-" + i)
              .setIp(ip)
              .build());
    }
    return payments;
  }

  /** A payment that moves event time on, from a payer of its own. */
  private static Payment tick(Instant at) {
    return payment("PE-tick-" + at, "O-tick-" + at, PaymentStatus.CREATED, "100", at)
        .setUserId("U-tick")
        .setIp("192.0.2.1")
        .build();
  }

  private static void send(
      RiskstreamConfig config,
      SchemaRegistryClient registry,
      List<Payment> payments,
      Payment tick) {
    try (WireProducer producer = new WireProducer(config.kafkaProperties(), registry)) {
      for (Payment p : payments) {
        producer.send(config.topics().payments(), p.getOrderNo(), p);
      }
      producer.send(config.topics().payments(), tick.getOrderNo(), tick);
    }
  }

  private static List<Alert> alerts(
      RiskstreamConfig config, SchemaRegistryClient registry, String topic) throws Exception {
    AvroWireDeserializer<Alert> alerts = new AvroWireDeserializer<>(registry, Alert.class);
    List<Alert> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : TopicReader.readAll(config.kafkaProperties(), topic)) {
      out.add(alerts.deserialize(r.value()));
    }
    return out;
  }

  /**
   * The least value of the operator gauge named {@code suffix} over every subtask of every vertex
   * that has it (REST API), or -1 when none has it yet.
   */
  private static long minOfGauge(String rest, String job, String suffix) throws Exception {
    long min = Long.MAX_VALUE;
    for (JsonNode vertex : get(rest + "/jobs/" + job).path("vertices")) {
      String base = rest + "/jobs/" + job + "/vertices/" + vertex.path("id").asText();
      for (int subtask = 0; subtask < vertex.path("parallelism").asInt(); subtask++) {
        String metrics = base + "/subtasks/" + subtask + "/metrics";
        for (JsonNode metric : get(metrics)) {
          String name = metric.path("id").asText();
          if (name.endsWith(suffix)) {
            min = Math.min(min, get(metrics + "?get=" + name).path(0).path("value").asLong());
          }
        }
      }
    }
    return min == Long.MAX_VALUE ? -1 : min;
  }

  private static long gauge(String rest, String path) throws Exception {
    return get(rest + path).path(0).path("value").asLong();
  }

  private static JsonNode get(String url) throws Exception {
    return JSON.readTree(
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString())
            .body());
  }
}
