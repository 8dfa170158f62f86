package io.riskstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.generate.Label;
import io.riskstream.generate.Traffic;
import io.riskstream.generate.TrafficGenerator;
import io.riskstream.kafka.KafkaTopics;
import io.riskstream.kafka.WireProducer;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.testing.KafkaStack;
import io.riskstream.testing.KafkaTestSupport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A detect job stopped mid-stream and started again the way a user would, with the default starting
 * offsets: it resumes from its latest retained checkpoint, and the alerts committed over both runs
 * are exactly the injected cases, each once. Started fresh instead, it would read on from the
 * committed offsets with empty state, and claims of the first run would meet bills of the second as
 * strangers.
 */
class ResumeITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = KafkaStack.miniCluster(2);

  @RegisterExtension static final KafkaStack STACK = new KafkaStack();

  private static RiskstreamConfig config(Path checkpoints, List<String> more) {
    List<String> sets = new ArrayList<>();
    sets.add("checkpoints.dir=" + checkpoints.toUri());
    sets.add("kafka.starting-offsets=committed-or-earliest");
    sets.addAll(more);
    return KafkaTestSupport.config(STACK.kafka(), STACK.registry(), sets.toArray(String[]::new));
  }

  /** What the CLI does before it submits the job; returns the line it printed. */
  private static RiskstreamConfig resumed(Path checkpoints, StringBuilder said) throws Exception {
    RiskstreamConfig base = config(checkpoints, List.of());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<String> sets =
        new Resume()
            .settings(base, base.jobName(), new PrintStream(out, true, StandardCharsets.UTF_8));
    said.append(out.toString(StandardCharsets.UTF_8).strip());
    return config(checkpoints, sets);
  }

  @Test
  void aJobStartedAgainResumesFromItsLatestCheckpoint(@TempDir Path checkpoints) throws Exception {
    RiskstreamConfig base = config(checkpoints, List.of());
    KafkaTopics.create(STACK.kafka().bootstrapServers(), base.topics(), 2);
    SchemaRegistryClient client = new SchemaRegistryClient(STACK.registry().url());
    Traffic traffic = KafkaTestSupport.traffic(4_000, 21);
    List<Traffic.Event> events = traffic.inEventTimeOrder();
    int half = events.size() / 2;
    try (WireProducer producer = new WireProducer(base.kafkaProperties(), client)) {
      KafkaTestSupport.produce(producer, base.topics(), events.subList(0, half));
    }

    StringBuilder first = new StringBuilder();
    JobClient job = KafkaTestSupport.startDetect(resumed(checkpoints, first), "resume-1");
    KafkaTestSupport.await(
        "a checkpoint after the first half was read",
        Duration.ofMinutes(2),
        () ->
            KafkaTestSupport.committedToTheEnd(
                    base, base.groupId(), base.topics().payments(), base.topics().bills())
                && Resume.latestCheckpoint(
                        Resume.checkpointsOf(checkpoints.toUri().toString(), base.jobName()))
                    .isPresent());
    job.cancel().get(1, TimeUnit.MINUTES);

    try (WireProducer producer = new WireProducer(base.kafkaProperties(), client)) {
      KafkaTestSupport.produce(producer, base.topics(), events.subList(half, events.size()));
      KafkaTestSupport.produce(
          producer,
          base.topics(),
          TrafficGenerator.closing(events.get(events.size() - 1).eventTime()));
    }
    StringBuilder second = new StringBuilder();
    JobClient again = KafkaTestSupport.startDetect(resumed(checkpoints, second), "resume-2");
    List<Label> expected = traffic.labels();
    try {
      KafkaTestSupport.await(
          "every injected case's alert",
          Duration.ofMinutes(3),
          () -> KafkaTestSupport.alerts(base, client).size() >= expected.size());
      KafkaTestSupport.await(
          "the second half read and checkpointed",
          Duration.ofMinutes(1),
          () -> KafkaTestSupport.committedToTheEnd(base, base.groupId(), base.topics().payments()));
    } finally {
      again.cancel().get(1, TimeUnit.MINUTES);
    }

    assertThat(first.toString())
        .startsWith("riskstream-detect: starting with empty state (no complete checkpoint in");
    assertThat(second.toString()).startsWith("riskstream-detect: resuming from file:");
    List<Alert> alerts = KafkaTestSupport.alerts(base, client);
    assertThat(alerts).extracting(Alert::getAlertId).doesNotHaveDuplicates();
    assertThat(alerts).extracting(Label::of).containsExactlyInAnyOrderElementsOf(expected);
  }
}
