package io.riskstream.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.config.RiskstreamConfig;
import io.riskstream.generate.Traffic;
import io.riskstream.generate.TrafficGenerator;
import io.riskstream.kafka.KafkaTopics;
import io.riskstream.kafka.TopicReader;
import io.riskstream.kafka.WireProducer;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.testing.KafkaStack;
import io.riskstream.testing.KafkaTestSupport;
import io.riskstream.testkit.EmbeddedKafka;
import io.riskstream.testkit.EmbeddedSchemaRegistry;
import io.riskstream.testkit.TlsFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detect job's sources and sinks, and the producer and readers beside it, over the connections
 * a production cluster asks for: Kafka with SCRAM-SHA-512 over TLS ({@code SASL_SSL}), Kafka with
 * mutual TLS ({@code SSL} and a client certificate), and a registry over HTTPS with basic auth.
 * Secrets come from the environment, as riskstream requires; the alerts are exactly the injected
 * cases, and no record the job wrote carries a secret.
 */
class SecuredConnectionsITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = KafkaStack.miniCluster(2);

  private static final String USER = "risk";
  private static final String SCRAM_PASSWORD = "scram-canary-41d9";
  private static final String REGISTRY_USER_INFO = "risk:registry-canary-77c2";

  @TempDir static Path certificates;
  private static TlsFiles tls;
  private static EmbeddedKafka kafka;
  private static EmbeddedSchemaRegistry registry;

  @BeforeAll
  static void start() throws Exception {
    tls = TlsFiles.generate(certificates);
    kafka = EmbeddedKafka.startSecured(new EmbeddedKafka.Security(tls, USER, SCRAM_PASSWORD));
    registry = EmbeddedSchemaRegistry.startSecured(tls, REGISTRY_USER_INFO);
  }

  @AfterAll
  static void stop() {
    registry.close();
    kafka.close();
  }

  @Test
  void scramOverTls() throws Exception {
    detectsExactly(
        "SASL_SSL",
        Map.of(
            "RISKSTREAM_KAFKA_PROPERTIES",
            "sasl.jaas.config: org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\""
                + USER
                + "\" password=\""
                + SCRAM_PASSWORD
                + "\";\nssl.truststore.password: "
                + tls.password()),
        List.of("kafka.properties.sasl.mechanism=SCRAM-SHA-512"),
        31);
  }

  @Test
  void mutualTls() throws Exception {
    detectsExactly(
        "SSL",
        Map.of(
            "RISKSTREAM_KAFKA_PROPERTIES",
            "ssl.truststore.password: "
                + tls.password()
                + "\nssl.keystore.password: "
                + tls.password()
                + "\nssl.key.password: "
                + tls.password()),
        List.of(
            "kafka.properties.ssl.keystore.location=" + tls.clientKeystore(),
            "kafka.properties.ssl.keystore.type=PKCS12"),
        32);
  }

  private void detectsExactly(
      String protocol, Map<String, String> kafkaSecrets, List<String> kafkaSettings, long seed)
      throws Exception {
    Map<String, String> environment = new java.util.HashMap<>(kafkaSecrets);
    environment.put("RISKSTREAM_REGISTRY_BASIC_AUTH_USER_INFO", REGISTRY_USER_INFO);
    environment.put("RISKSTREAM_REGISTRY_SSL_TRUSTSTORE_PASSWORD", tls.password());
    String prefix = protocol.toLowerCase(java.util.Locale.ROOT);
    List<String> sets = new ArrayList<>(KafkaTestSupport.settings(kafka, registry));
    sets.addAll(
        List.of(
            "kafka.bootstrap-servers=" + kafka.bootstrapServers(protocol),
            "kafka.properties.security.protocol=" + protocol,
            "kafka.properties.ssl.truststore.location=" + tls.truststore(),
            "kafka.properties.ssl.truststore.type=PKCS12",
            "registry.ssl.truststore.location=" + tls.truststore(),
            "topics.payments=" + prefix + "-payments",
            "topics.bills=" + prefix + "-bills",
            "topics.balance-changes=" + prefix + "-balance-changes",
            "topics.alerts=" + prefix + "-alerts",
            "topics.dead-letters=" + prefix + "-dead-letters",
            "topics.late-events=" + prefix + "-late-events",
            "kafka.group-id=" + prefix + "-detect",
            "job.transactional-id-prefix=" + prefix + "-detect"));
    sets.addAll(kafkaSettings);
    RiskstreamConfig config = RiskstreamConfig.load(null, environment, sets);
    // Topics through the broker's own PLAINTEXT listener, as an administrator would.
    KafkaTopics.create(kafka.bootstrapServers(), config.topics(), 2);
    SchemaRegistryClient client = new SchemaRegistryClient(config.registry());
    Traffic traffic = KafkaTestSupport.traffic(2_000, seed);
    try (WireProducer producer = new WireProducer(config.kafkaProperties(), client)) {
      KafkaTestSupport.produce(producer, config.topics(), traffic);
      KafkaTestSupport.produce(
          producer,
          config.topics(),
          TrafficGenerator.closing(traffic.inEventTimeOrder().get(traffic.size() - 1).eventTime()));
    }

    JobClient job = KafkaTestSupport.startDetect(config, "secured-" + prefix);
    KafkaTestSupport.detectedExactly(config, client, job, traffic.labels());
    for (String topic : List.of(config.topics().alerts(), config.topics().deadLetters())) {
      for (ConsumerRecord<byte[], byte[]> r :
          TopicReader.readAll(config.kafkaProperties(), topic)) {
        String written = new String(r.value(), StandardCharsets.ISO_8859_1);
        assertThat(written).doesNotContain(SCRAM_PASSWORD).doesNotContain(REGISTRY_USER_INFO);
      }
    }
  }
}
