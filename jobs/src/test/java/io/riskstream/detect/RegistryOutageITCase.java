package io.riskstream.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.avro.Payment;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.generate.Label;
import io.riskstream.generate.Traffic;
import io.riskstream.generate.TrafficGenerator;
import io.riskstream.kafka.KafkaTopics;
import io.riskstream.kafka.TopicReader;
import io.riskstream.kafka.WireProducer;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.testing.KafkaStack;
import io.riskstream.testing.KafkaTestSupport;
import io.riskstream.testkit.EmbeddedSchemaRegistry.Outage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The schema registry goes away in the middle of a run, three ways one after the other (refusing
 * connections, answering 503, a proxy's HTML 404), while records of a writer schema the job has not
 * seen yet arrive: the job must fail and restart until it answers again, never dead-letter a good
 * record, and end with exactly the injected cases' alerts, each once.
 */
class RegistryOutageITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = KafkaStack.miniCluster(2);

  @RegisterExtension static final KafkaStack STACK = new KafkaStack();

  @Test
  void anOutageMidRunLosesNothingAndDeadLettersNothing(
      @InjectClusterClient ClusterClient<?> cluster) throws Exception {
    RiskstreamConfig config =
        KafkaTestSupport.config(
            STACK.kafka(),
            STACK.registry(),
            "registry.timeout=1 s",
            "registry.max-attempts=2",
            "flink.restart-strategy.type=fixed-delay",
            "flink.restart-strategy.fixed-delay.attempts=10000",
            "flink.restart-strategy.fixed-delay.delay=500 ms");
    KafkaTopics.create(STACK.kafka().bootstrapServers(), config.topics(), 2);
    SchemaRegistryClient client = new SchemaRegistryClient(STACK.registry().url());
    Traffic traffic = KafkaTestSupport.traffic(3_000, 31);
    List<Traffic.Event> events = traffic.inEventTimeOrder();
    int half = events.size() / 2;
    // A newer Payment writer schema (one more optional field), registered while the registry is
    // up; its records reach the job only during the outage.
    Schema newer = KafkaTestSupport.withRiskScore(Payment.getClassSchema());
    int newerId = client.register(config.topics().payments() + "-value", newer);

    try (WireProducer producer = new WireProducer(config.kafkaProperties(), client)) {
      KafkaTestSupport.produce(producer, config.topics(), events.subList(0, half));
    }
    JobClient job = KafkaTestSupport.startDetect(config, "registry-outage");
    try {
      KafkaTestSupport.await(
          "the first half read",
          Duration.ofMinutes(2),
          () ->
              KafkaTestSupport.committedToTheEnd(
                  config, config.groupId(), config.topics().payments()));

      STACK.registry().stopListening();
      try (WireProducer producer = new WireProducer(config.kafkaProperties(), client)) {
        for (Traffic.Event e : events.subList(half, events.size())) {
          KafkaTestSupport.sendAsNewerWriter(producer, config.topics(), e, newerId, newer);
        }
        KafkaTestSupport.produce(
            producer,
            config.topics(),
            TrafficGenerator.closing(events.get(events.size() - 1).eventTime()));
      }
      // Each way of being down in turn, for a few restarts each.
      STACK.registry().recoverThroughEveryOutage(Duration.ofSeconds(5));

      List<Label> expected = traffic.labels();
      KafkaTestSupport.await(
          "every injected case's alert",
          Duration.ofMinutes(3),
          () -> KafkaTestSupport.alerts(config, client).size() >= expected.size());
      KafkaTestSupport.await(
          "everything read and checkpointed",
          Duration.ofMinutes(1),
          () -> KafkaTestSupport.inputsReadToTheEnd(config));
      List<Alert> alerts = KafkaTestSupport.alerts(config, client);
      assertThat(alerts).extracting(Alert::getAlertId).doesNotHaveDuplicates();
      assertThat(alerts).extracting(Label::of).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(TopicReader.readAll(config.kafkaProperties(), config.topics().deadLetters()))
          .as("good records dead-lettered during the outage")
          .isEmpty();
      assertThat(exceptions(cluster, job))
          .as("the outage failed the tasks that needed the registry, and they restarted")
          .contains("RegistryUnavailableException");
    } finally {
      STACK.registry().outage(Outage.NONE);
      job.cancel().get(1, TimeUnit.MINUTES);
    }
  }

  /** The job's exception history, from Flink's REST API. */
  private static String exceptions(ClusterClient<?> cluster, JobClient job) throws Exception {
    HttpResponse<String> answer =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            cluster.getWebInterfaceURL()
                                + "/jobs/"
                                + job.getJobID()
                                + "/exceptions"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return answer.body();
  }
}
