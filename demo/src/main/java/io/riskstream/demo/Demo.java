package io.riskstream.demo;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.detect.DetectJob;
import io.riskstream.detect.RuleBook;
import io.riskstream.generate.Label;
import io.riskstream.generate.Traffic;
import io.riskstream.notify.NotifyJob;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.sink.SinkJob;
import io.riskstream.testkit.OnCallInbox;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The demo: everything riskstream needs, in this process ({@link DemoStack}: a KRaft broker, a
 * schema registry, PostgreSQL, a stand-in for Telegram; and a Flink mini cluster with RocksDB and
 * its web UI), fed with generated traffic with injected fraud and a few poison pills ({@link
 * TrafficPump}); live progress on one line and, at the end, what was detected against what was
 * injected ({@link DemoReport}).
 */
public final class Demo {
  /** What the demo runs. */
  public record Options(
      Duration duration,
      int rate,
      long seed,
      double fraudRate,
      int uiPort,
      int postgresPort,
      Path workDir,
      boolean keepRunning) {}

  /**
   * What came out: the alerts, the dead letters' reasons, and the injected labels; {@code
   * postgresUrl} and {@code metricsUrl} are null when the database and the job stop with the demo.
   */
  public record Result(
      List<Alert> alerts,
      List<String> deadLetterErrors,
      List<Label> labels,
      long produced,
      Map<String, Long> tableRows,
      String postgresUrl,
      String metricsUrl,
      List<OnCallInbox.Received> onCallMessages,
      DemoRules.Change ruleChange,
      List<Alert> shadowAlerts,
      List<AlertUpdate> updates,
      LateEvidence late) {}

  /** The analysts' connection string of the demo's PostgreSQL on {@code port}. */
  public static String postgresUrl(int port) {
    return "postgresql://postgres:postgres@127.0.0.1:" + port + "/postgres";
  }

  private final Options options;
  private final PrintStream out;

  public Demo(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /**
   * Runs the demo; {@code whileUp} gets the result while Kafka and PostgreSQL are still running
   * (the demo's {@code --keep-running} waits there, and then the job runs on too, for its web UI).
   */
  public Result run(Consumer<Result> whileUp) throws Exception {
    out.println(
        "riskstream demo: starting an embedded Kafka broker (KRaft), a schema registry and Flink...");
    try (DemoStack stack = DemoStack.start(options)) {
      RiskstreamConfig config = stack.config;
      long events = (long) options.rate() * options.duration().toSeconds();
      Traffic traffic =
          TrafficPump.endingBefore(
              Instant.now().truncatedTo(ChronoUnit.SECONDS),
              events,
              options,
              config.reconciliationTimeZone());

      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(config.flinkConfiguration());
      // One Flink job holding the three pipelines: a mini cluster serves one web UI, and they stay
      // independent (the sink and notify read the alert topic, not the detector's stream), exactly
      // as when run as separate jobs.
      DetectJob.build(env, config, RuleBook.defaults());
      SinkJob.build(env, config);
      NotifyJob.build(env, config, stack.onCall);
      JobClient job = env.executeAsync(config.jobName());
      out.printf(
          "  Kafka      %s%n  registry   %s%n  Flink UI   http://127.0.0.1:%d  (job %s)%n"
              + "  metrics    %s  (Prometheus)%n  PostgreSQL psql %s%n",
          stack.kafka.bootstrapServers(),
          stack.registry.url(),
          options.uiPort(),
          job.getJobID(),
          stack.metricsUrl(),
          postgresUrl(options.postgresPort()));
      LateEvidence late = LateEvidence.of(traffic, options.seed());
      out.printf(
          "  traffic    %,d events at %,d/s with %.0f%% injected fraud, plus 3 poison pills;"
              + " %d bank lines held back an hour, %d cleared overnight%n%n",
          late.traffic().size(),
          options.rate(),
          options.fraudRate() * 100,
          late.held().size(),
          late.overnight());

      SchemaRegistryClient client = new SchemaRegistryClient(stack.registry.url());
      DemoRules rules = new DemoRules(config, options.workDir(), out);
      rules.trial(traffic.inEventTimeOrder().get(0).eventTime());
      out.println();
      DemoRules.Change[] change = new DemoRules.Change[1];
      long produced =
          new TrafficPump(options, config, client, out)
              .pump(
                  late,
                  job,
                  // A margin of event time: events just past the version's time may be decided
                  // before it reaches every detector (docs/rules.md, "When a version arrives").
                  at -> change[0] = publish(rules, at.plus(Duration.ofMinutes(5))));
      DemoReport report = new DemoReport(config, client, out);
      report.awaitAlerts(traffic.labels().size(), late.held().size() + late.overnight(), job);
      report.awaitRows(traffic.labels().size());
      out.println();
      acknowledgeOne(config, stack.inbox);
      if (!options.keepRunning()) {
        stopWithSavepoint(job);
      }
      Result result =
          new Result(
              report.alerts(),
              report.deadLetterErrors(),
              traffic.labels(),
              produced,
              report.tableRows(),
              options.keepRunning() ? postgresUrl(options.postgresPort()) : null,
              options.keepRunning() ? stack.metricsUrl() : null,
              stack.inbox.received(),
              change[0],
              report.shadowAlerts(),
              report.updates(),
              late);
      whileUp.accept(result);
      if (options.keepRunning()) {
        job.cancel().get(1, TimeUnit.MINUTES);
      }
      return result;
    }
  }

  /**
   * What on-call does with an alert it received: {@code riskstream alerts ack}, run here as on the
   * command line; then waits (at most 20 s) for its follow-up, a reply to the alert's message.
   */
  private void acknowledgeOne(RiskstreamConfig config, OnCallInbox inbox) throws Exception {
    String id =
        inbox.received().stream()
            .filter(m -> m.replyTo() == null && m.text().startsWith("HIGH · AMOUNT_MISMATCH"))
            .map(m -> m.text().substring(m.text().lastIndexOf("alert ") + 6).strip())
            .findFirst()
            .orElse(null);
    if (id == null) {
      return;
    }
    List<String> args =
        List.of(
            "alerts",
            "ack",
            id,
            "--actor",
            "asha",
            "--note",
            "calling the merchant",
            "--set",
            "kafka.bootstrap-servers=" + config.kafkaProperties().get("bootstrap.servers"),
            "--set",
            "registry.url=" + String.join(",", config.registry().urls()),
            "--set",
            "postgres.url=" + config.postgres().url(),
            "--set",
            "postgres.user=" + config.postgres().user());
    java.io.StringWriter printed = new java.io.StringWriter();
    picocli.CommandLine cli = io.riskstream.cli.Riskstream.commandLine();
    cli.setOut(new java.io.PrintWriter(printed));
    cli.setErr(new java.io.PrintWriter(printed));
    cli.execute(args.toArray(String[]::new));
    out.printf("  $ riskstream alerts ack %s --actor asha --note 'calling the merchant'%n", id);
    printed.toString().lines().forEach(l -> out.println("    " + l));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline
        && inbox.received().stream().noneMatch(m -> m.text().startsWith("ACKNOWLEDGED"))) {
      Thread.sleep(200);
    }
    out.println();
  }

  /** Stops the job with a savepoint, which commits the alerts of its last checkpoint interval. */
  private void stopWithSavepoint(JobClient job) throws Exception {
    out.println("Stopping the job with a savepoint, which commits its last alerts...");
    try {
      job.stopWithSavepoint(
              false,
              options.workDir().resolve("savepoints").toUri().toString(),
              SavepointFormatType.CANONICAL)
          .get(2, TimeUnit.MINUTES);
    } catch (java.util.concurrent.ExecutionException e) {
      // The summary still shows every alert committed so far; the log says why the savepoint
      // failed.
      out.println(
          "  the savepoint failed ("
              + e.getCause().getMessage().lines().findFirst().orElse("")
              + "); cancelling - alerts of the last checkpoint interval are not committed. See demo.log.");
      job.cancel().get(1, TimeUnit.MINUTES);
    }
  }

  private static DemoRules.Change publish(DemoRules rules, Instant at) {
    try {
      return rules.change(at);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A free loopback port: {@code preferred} if it is free, else any. */
  public static int freePort(int preferred) {
    for (int port : new int[] {preferred, 0}) {
      try (ServerSocket socket =
          new ServerSocket(port, 0, java.net.InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException e) {
        if (port == 0) {
          throw new UncheckedIOException(e);
        }
      }
    }
    throw new IllegalStateException("unreachable");
  }

  public static Path workDir() {
    try {
      return Files.createTempDirectory("riskstream-demo-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
