package io.riskstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.config.RiskstreamConfig;
import io.riskstream.generate.Traffic;
import io.riskstream.kafka.KafkaTopics;
import io.riskstream.kafka.WireProducer;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.testing.KafkaStack;
import io.riskstream.testing.KafkaTestSupport;
import io.riskstream.testkit.EmbeddedSchemaRegistry.Outage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code riskstream detect} on a local cluster, as a user runs it: it prints its own few lines
 * (where its state comes from; the job id, web UI and log file; a status line per update, each a
 * line of its own when the output is not a terminal; how it ended) while Flink's and Kafka's
 * logging goes to the log file, and its REST API, which cancels jobs without authentication,
 * answers on 127.0.0.1 only.
 */
class LocalRunITCase {
  @RegisterExtension static final KafkaStack STACK = new KafkaStack();

  private static final String STATUS =
      "\\d\\d:\\d\\d:\\d\\d  in [\\d,]+ · alerts [\\d,]+ · dead letters 0 · (no checkpoint yet"
          + "|checkpoint \\d+ \\d+ (s|min) ago) · (no watermark yet|watermark lag \\d+ (s|min|h|d))";

  @Test
  void detectPrintsItsOwnLinesLogsToItsFileAndKeepsItsApiToThisMachine(@TempDir Path dir)
      throws Exception {
    RiskstreamConfig config = KafkaTestSupport.config(STACK.kafka(), STACK.registry());
    KafkaTopics.create(STACK.kafka().bootstrapServers(), config.topics(), 2);
    Traffic traffic = KafkaTestSupport.traffic(2_000, 5);
    try (WireProducer producer =
        new WireProducer(
            config.kafkaProperties(), new SchemaRegistryClient(STACK.registry().url()))) {
      KafkaTestSupport.produce(producer, config.topics(), traffic);
    }
    String everyEvent = String.format("  in %,d · ", traffic.size());
    Path log = dir.resolve("detect.log");
    List<String> args =
        new ArrayList<>(List.of("detect", "--status-every", "1s", "--log-file", log.toString()));
    for (String set : KafkaTestSupport.settings(STACK.kafka(), STACK.registry())) {
      args.addAll(List.of("--set", set));
    }

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
    String out;
    int exit;
    try {
      CompletableFuture<Integer> run =
          CompletableFuture.supplyAsync(() -> Riskstream.run(args.toArray(String[]::new)));
      Pattern statusLine = Pattern.compile(STATUS);
      for (int i = 0;
          i < 240
              && (count(statusLine, printed) < 3
                  || !printed.toString(StandardCharsets.UTF_8).contains(everyEvent));
          i++) {
        Thread.sleep(500);
      }
      Matcher job =
          Pattern.compile("job ([0-9a-f]{32}), web UI http://127\\.0\\.0\\.1:(\\d+)")
              .matcher(printed.toString(StandardCharsets.UTF_8));
      assertThat(job.find()).as(printed.toString(StandardCharsets.UTF_8)).isTrue();
      int port = Integer.parseInt(job.group(2));
      assertRestOnLoopbackOnly(port);
      Matcher metrics =
          Pattern.compile("metrics (http://127\\.0\\.0\\.1:\\d+/metrics)")
              .matcher(printed.toString(StandardCharsets.UTF_8));
      assertThat(metrics.find()).isTrue();
      assertThat(
              HttpClient.newHttpClient()
                  .send(
                      HttpRequest.newBuilder(URI.create(metrics.group(1))).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body())
          .as("Prometheus metrics of the job's operators")
          .contains("flink_taskmanager_job_task_operator_riskstream_lateEvents{")
          .contains("flink_jobmanager_job_lastCheckpointDuration{");
      HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:" + port + "/jobs/" + job.group(1) + "?mode=cancel"))
                  .method("PATCH", HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      exit = run.get(1, TimeUnit.MINUTES);
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
    out = printed.toString(StandardCharsets.UTF_8);
    List<String> lines = out.lines().toList();

    assertThat(exit).as(out).isEqualTo(1);
    assertThat(out).doesNotContain("\r").doesNotContain(" WARN ").doesNotContain(" INFO ");
    assertThat(lines.get(0))
        .isEqualTo("riskstream-detect: starting with empty state (no checkpoints.dir set)");
    assertThat(lines.get(1))
        .matches(
            "riskstream-detect: job [0-9a-f]{32}, web UI http://127\\.0\\.0\\.1:\\d+, metrics"
                + " http://127\\.0\\.0\\.1:\\d+/metrics, log "
                + Pattern.quote(log.toAbsolutePath().toString()));
    assertThat(lines.subList(2, lines.size()))
        .hasSizeGreaterThanOrEqualTo(3)
        .allMatch(l -> l.matches(STATUS));
    assertThat(lines.get(lines.size() - 1)).as("the sources read every event").contains(everyEvent);
    assertThat(Files.readString(log)).contains("MiniCluster").contains("riskstream-detect");
    assertThat(errors.toString(StandardCharsets.UTF_8).strip())
        .isEqualTo("riskstream detect: the job was cancelled");
  }

  /**
   * A bounded run whose job fails (here: the registry stops answering reads of schemas by id) ends
   * with the cause in one line and exit code 1, instead of restarting: a restart restores its
   * bounded Kafka source from a checkpoint, which then never finishes (docs/operations.md).
   */
  @Test
  void aBoundedRunWhoseJobFailsEndsWithTheCauseInsteadOfWaitingForEver(@TempDir Path dir)
      throws Exception {
    List<String> sets = new ArrayList<>(KafkaTestSupport.settings(STACK.kafka(), STACK.registry()));
    sets.addAll(
        List.of(
            "kafka.bounded=true",
            "registry.max-attempts=1",
            "kafka.group-id=bounded",
            "job.transactional-id-prefix=bounded",
            "topics.payments=bounded-payments",
            "topics.bills=bounded-bills",
            "topics.balance-changes=bounded-balance-changes",
            "topics.alerts=bounded-alerts",
            "topics.dead-letters=bounded-dead-letters"));
    RiskstreamConfig config = RiskstreamConfig.load(null, Map.of(), sets);
    KafkaTopics.create(STACK.kafka().bootstrapServers(), config.topics(), 2);
    try (WireProducer producer =
        new WireProducer(
            config.kafkaProperties(), new SchemaRegistryClient(STACK.registry().url()))) {
      KafkaTestSupport.produce(producer, config.topics(), KafkaTestSupport.traffic(500, 7));
    }
    List<String> args =
        new ArrayList<>(List.of("detect", "--log-file", dir.resolve("detect.log").toString()));
    sets.forEach(set -> args.addAll(List.of("--set", set)));

    STACK.registry().outage(Outage.READS_BY_ID_UNAVAILABLE);
    CliRun run;
    try {
      run =
          CompletableFuture.supplyAsync(() -> CliRun.of(args.toArray(String[]::new)))
              .get(3, TimeUnit.MINUTES);
    } finally {
      STACK.registry().outage(Outage.NONE);
    }

    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    assertThat(run.err().lines()).as(run.err()).hasSize(1);
    assertThat(run.err())
        .startsWith(
            "riskstream detect: the job failed (its log has the details):"
                + " io.riskstream.registry.RegistryUnavailableException: ")
        .contains("503");
  }

  private static int count(Pattern pattern, ByteArrayOutputStream printed) {
    Matcher m = pattern.matcher(printed.toString(StandardCharsets.UTF_8));
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  /** Answers on 127.0.0.1; refuses connections on the machine's other IPv4 addresses. */
  private static void assertRestOnLoopbackOnly(int port) throws Exception {
    assertThat(
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/jobmanager/config"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body())
        .contains("{\"key\":\"jobmanager.bind-host\",\"value\":\"127.0.0.1\"}")
        .contains("{\"key\":\"rest.bind-address\",\"value\":\"127.0.0.1\"}");
    List<InetAddress> others = new ArrayList<>();
    for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
      if (nic.isUp() && !nic.isLoopback()) {
        nic.inetAddresses().filter(a -> a instanceof Inet4Address).forEach(others::add);
      }
    }
    for (InetAddress other : others) {
      assertThatThrownBy(
              () -> {
                try (Socket socket = new Socket()) {
                  socket.connect(new InetSocketAddress(other, port), 2_000);
                }
              })
          .as("the REST port from " + other)
          .isInstanceOf(IOException.class);
    }
  }
}
