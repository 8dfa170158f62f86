package io.riskstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.config.RiskstreamConfig;
import io.riskstream.kafka.KafkaTopics;
import io.riskstream.kafka.WireProducer;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.testing.KafkaStack;
import io.riskstream.testing.KafkaTestSupport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code riskstream detect} prints when it runs on a local cluster: its own few lines (where
 * its state comes from; the job id, web UI and log file; a status line per update, each a line of
 * its own when the output is not a terminal; how it ended), while Flink's and Kafka's logging goes
 * to the log file.
 */
class JobConsoleITCase {
  @RegisterExtension static final KafkaStack STACK = new KafkaStack();

  @Test
  void aLocalRunPrintsItsJobWebUiLogAndStatusAndLogsToTheFile(@TempDir Path dir) throws Exception {
    RiskstreamConfig config = KafkaTestSupport.config(STACK.kafka(), STACK.registry());
    KafkaTopics.create(STACK.kafka().bootstrapServers(), config.topics(), 2);
    try (WireProducer producer =
        new WireProducer(
            config.kafkaProperties(), new SchemaRegistryClient(STACK.registry().url()))) {
      KafkaTestSupport.produce(producer, config.topics(), KafkaTestSupport.traffic(3_000, 5));
    }
    Path log = dir.resolve("detect.log");
    List<String> args = new ArrayList<>(List.of("detect"));
    for (String set : KafkaTestSupport.settings(STACK.kafka(), STACK.registry())) {
      args.addAll(List.of("--set", set));
    }
    args.addAll(
        List.of(
            "--set", "kafka.bounded=true", "--status-every", "1s", "--log-file", log.toString()));

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    int exit;
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      exit = Riskstream.run(args.toArray(String[]::new));
    } finally {
      System.setOut(stdout);
    }
    String out = printed.toString(StandardCharsets.UTF_8);
    List<String> lines = out.lines().toList();

    assertThat(exit).as(out).isZero();
    assertThat(out).doesNotContain("\r").doesNotContain(" WARN ").doesNotContain(" INFO ");
    assertThat(lines.get(0))
        .isEqualTo("riskstream-detect: starting with empty state (no checkpoints.dir set)");
    assertThat(lines.get(1))
        .matches(
            "riskstream-detect: job [0-9a-f]{32}, web UI http://127\\.0\\.0\\.1:\\d+, log "
                + java.util.regex.Pattern.quote(log.toAbsolutePath().toString()));
    assertThat(lines.subList(2, lines.size() - 1))
        .isNotEmpty()
        .allMatch(
            l ->
                l.matches(
                    "\\d\\d:\\d\\d:\\d\\d  in [\\d,]+ · alerts [\\d,]+ · dead letters 0 · (no"
                        + " checkpoint yet|checkpoint \\d+ \\d+ (s|min) ago) · (no watermark"
                        + " yet|watermark lag \\d+ (s|min|h|d))"),
            "status lines");
    assertThat(lines.get(lines.size() - 1)).startsWith("finished after ");
    assertThat(Files.readString(log)).contains("MiniCluster").contains("riskstream-detect");
  }
}
