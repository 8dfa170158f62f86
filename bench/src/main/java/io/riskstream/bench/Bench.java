package io.riskstream.bench;

import io.riskstream.Uids;
import io.riskstream.avro.Alert;
import io.riskstream.cli.Riskstream;
import io.riskstream.config.ConfigException;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.config.Topics;
import io.riskstream.detect.DetectJob;
import io.riskstream.detect.Rules;
import io.riskstream.generate.Traffic;
import io.riskstream.generate.TrafficGenerator;
import io.riskstream.kafka.KafkaTopics;
import io.riskstream.kafka.TopicReader;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.serde.AvroWireDeserializer;
import io.riskstream.testkit.BrokerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.FileUtils;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark harness: in one run on one machine, the decode limit, riskstream's detect job and a
 * Flink SQL peer drain the same topics; then latency at half the measured rate and state bytes per
 * key. Everything runs in this JVM (broker, registry, Flink mini cluster), as in the demo.
 */
@Command(
    name = "riskstream-bench",
    mixinStandardHelpOptions = true,
    description =
        "Throughput, latency and state of riskstream against the machine's limit and a"
            + " Flink SQL peer; writes a Markdown report.")
public final class Bench implements Callable<Integer> {
  @Option(
      names = "--events",
      defaultValue = "1000000",
      description = "Events to generate (default ${DEFAULT-VALUE}).")
  long events;

  @Option(
      names = "--runs",
      defaultValue = "3",
      description = "Runs of each measurement; figures are medians (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Generator seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--parallelism",
      defaultValue = "2",
      description = "Flink parallelism and limit threads (default ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(
      names = "--latency-seconds",
      defaultValue = "60",
      description =
          "How long each latency run writes at half the measured rate (default ${DEFAULT-VALUE}).")
  int latencySeconds;

  @Option(
      // Named by its negative form: picocli flips a default-true negatable option on its
      // positive name, so "--no-micro" is the spelling that reliably turns it off.
      names = "--no-micro",
      negatable = true,
      defaultValue = "true",
      description =
          "Also run the JMH micro-benchmarks (about 3 minutes; default ${DEFAULT-VALUE}).")
  boolean micro;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "A riskstream configuration key for every job of the run, e.g. to compare tunings:"
              + " --set flink.state.backend.rocksdb.timer-service.factory=ROCKSDB (repeatable).")
  List<String> sets = new ArrayList<>();

  @Option(
      names = "--demo-jar",
      defaultValue = "demo/target/riskstream-demo.jar",
      description =
          "The demo jar, whose `broker` command runs Kafka and the registry (default ${DEFAULT-VALUE}).")
  Path demoJar;

  @Option(
      names = "--out",
      defaultValue = "bench/RESULTS.md",
      description = "The report (default ${DEFAULT-VALUE}).")
  Path out;

  private Path work;
  private final Map<String, Figure> figures = new java.util.LinkedHashMap<>();

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Bench()).setExecutionExceptionHandler(Riskstream.USER_MISTAKES);
  }

  @Override
  public Integer call() throws Exception {
    if (events < 1_000 || runs < 1 || parallelism < 1 || latencySeconds < 1) {
      System.err.println(
          "--events must be at least 1000; --runs, --parallelism, --latency-seconds at least 1");
      return 2;
    }
    work = Files.createTempDirectory("riskstream-bench");
    try {
      // A mistyped --set fails here, in one line, before a broker starts.
      RiskstreamConfig.load(
          null,
          Map.of(),
          settings("localhost:9092", "http://localhost:8081", "bench", "bench", true));
    } catch (ConfigException e) {
      FileUtils.deleteDirectory(work.toFile());
      throw e;
    }
    say("starting the broker and registry (riskstream broker, in a child JVM)");
    try (BrokerProcess broker = BrokerProcess.start(demoJar, work.resolve("broker.log"))) {
      SchemaRegistryClient registry = new SchemaRegistryClient(broker.registryUrl());
      Rules rules = Rules.defaults();
      RiskstreamConfig base = config(broker, "bench", "bench", false);
      Topics topics = base.topics();

      long t = System.nanoTime();
      Workload workload = Workload.generate(events, seed, TrafficGenerator.Settings.DEFAULT_START);
      double generateSeconds = seconds(t);
      say("generated %,d events in %.1f s", workload.size(), generateSeconds);
      t = System.nanoTime();
      workload.load(base.kafkaProperties(), registry, topics);
      double loadSeconds = seconds(t);
      say(
          "loaded them into %s, %s, %s in %.1f s (%,.0f events/s)",
          topics.payments(),
          topics.bills(),
          topics.balanceChanges(),
          loadSeconds,
          workload.size() / loadSeconds);
      long paymentsAndBills =
          workload.traffic().payments().size() + workload.traffic().bills().size();

      List<Alert> firstAlerts = null;
      Set<String> firstPeer = null;
      for (int run = 1; run <= runs; run++) {
        t = System.nanoTime();
        long decoded = DecodeLimit.run(base.kafkaProperties(), registry, topics, parallelism);
        check(
            decoded == workload.size(), "the limit decoded " + decoded + " of " + workload.size());
        record("limit", workload.size() / seconds(t));
        say(
            "[run %d/%d] limit (bare consumers, decode only): %,.0f events/s",
            run, runs, figure("limit").median());

        RiskstreamConfig detect = config(broker, "bench-detect-" + run, "bench", true);
        StreamExecutionEnvironment env = DetectJob.environment(detect);
        DetectJob.build(env, detect, rules);
        t = System.nanoTime();
        env.execute("bench-detect-" + run);
        double detectSeconds = seconds(t);
        record("riskstream", workload.size() / detectSeconds);
        List<Alert> alerts = alerts(detect, registry);
        record("alerts", alerts.size());
        say(
            "[run %d/%d] riskstream detect: %,.0f events/s (%,d alerts)",
            run, runs, workload.size() / detectSeconds, alerts.size());

        t = System.nanoTime();
        Set<String> peer = SqlPeer.run(config(broker, "bench-peer-" + run, "bench", true), rules);
        double peerSeconds = seconds(t);
        record("peer", paymentsAndBills / peerSeconds);
        say(
            "[run %d/%d] Flink SQL peer: %,.0f events/s (payments and bills; %,d findings)",
            run, runs, paymentsAndBills / peerSeconds, peer.size());
        if (firstAlerts == null) {
          firstAlerts = alerts;
          firstPeer = peer;
        }
      }
      Agreement agreement = Agreement.of(firstAlerts, firstPeer);

      double rate = figure("riskstream").median() / 2;
      int live = (int) Math.min(workload.size(), Math.max(1_000, rate * latencySeconds));
      List<Traffic.Event> liveEvents = workload.events().subList(0, live);
      for (int run = 1; run <= runs; run++) {
        RiskstreamConfig latency = config(broker, "bench-live-" + run, "bench-live-" + run, false);
        say("[run %d/%d] latency: writing %,d events at %,.0f events/s", run, runs, live, rate);
        LatencyRun.Result r =
            LatencyRun.run(
                latency,
                rules,
                registry,
                liveEvents,
                rate,
                Files.createDirectories(work.resolve("savepoints").resolve("run-" + run)));
        long[] ms = r.latenciesMillis();
        check(ms.length > 0, "no alert could be timed in the latency run");
        record("p50", percentile(ms, 0.50));
        record("p99", percentile(ms, 0.99));
        record("max", ms[ms.length - 1]);
        record("timed alerts", ms.length);
        record("achieved rate", r.events() / r.secondsToWrite());
        record("bytes/UTR", (double) r.state().of(Uids.UTR_MATCHER) / r.keys().utrs());
        record("bytes/order", (double) r.state().of(Uids.ORDER_MATCHER) / r.keys().orders());
        record(
            "bytes/account",
            (double) r.state().of(Uids.BALANCE_CHAIN_CHECKER) / r.keys().accounts());
        record("bytes/IP", (double) r.state().of(Uids.IP_BURST_DETECTOR) / r.keys().ips());
        say(
            "[run %d/%d] latency beyond the rule's wait: p50 %d ms, p99 %d ms, max %d ms over %,d alerts;"
                + " state %,d B in UtrMatcher for %,d UTRs",
            run,
            runs,
            percentile(ms, 0.50),
            percentile(ms, 0.99),
            ms[ms.length - 1],
            ms.length,
            r.state().of(Uids.UTR_MATCHER),
            r.keys().utrs());
      }

      List<String> microRows = List.of();
      if (micro) {
        say("JMH micro-benchmarks: serde and each detector's cost per event");
        try {
          microRows = Micro.run();
        } catch (Exception e) { // the macro figures above are worth a report without these
          System.err.println("JMH micro-benchmarks failed: " + e);
        }
      }
      Report report =
          new Report(
              this,
              workload,
              generateSeconds,
              loadSeconds,
              paymentsAndBills,
              agreement,
              figures,
              microRows);
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(out, report.markdown());
      say("wrote %s", out);
      if (!agreement.agree()) {
        System.err.println("the SQL peer and riskstream disagree; see " + out);
        return 1;
      }
      return 0;
    } finally {
      FileUtils.deleteDirectory(work.resolve("savepoints").toFile()); // broker.log stays
      FileUtils.deleteDirectory(work.resolve("checkpoints").toFile());
    }
  }

  /**
   * A job's configuration: its own group, transactional ids and alert topic ({@code name}); input
   * topics under {@code input}; {@code drain} stops at the end offsets. Creates the topics.
   */
  private RiskstreamConfig config(BrokerProcess broker, String name, String input, boolean drain) {
    RiskstreamConfig config =
        RiskstreamConfig.load(
            null,
            Map.of(),
            settings(broker.bootstrapServers(), broker.registryUrl(), name, input, drain));
    KafkaTopics.create(broker.bootstrapServers(), config.topics(), parallelism);
    return config;
  }

  /** The keys of {@link #config}, then every --set, which wins. */
  private List<String> settings(
      String bootstrap, String registryUrl, String name, String input, boolean drain) {
    List<String> sets =
        new ArrayList<>(
            List.of(
                "kafka.bootstrap-servers=" + bootstrap,
                "registry.url=" + registryUrl,
                "kafka.starting-offsets=earliest",
                "kafka.bounded=" + drain,
                "kafka.group-id=" + name,
                "job.name=" + name,
                "job.transactional-id-prefix=" + name,
                "job.parallelism=" + parallelism,
                "checkpoints.interval=10 s",
                // On disk, as on a cluster: the JobManager's in-memory storage refuses state over 5
                // MB.
                "checkpoints.dir=" + work.resolve("checkpoints").toUri(),
                "topics.alerts=" + name + "-alerts",
                "topics.dead-letters=" + name + "-dead-letters",
                "topics.payments=" + input + "-payments",
                "topics.bills=" + input + "-bills",
                "topics.balance-changes=" + input + "-balance-changes"));
    sets.addAll(this.sets);
    return sets;
  }

  private static List<Alert> alerts(RiskstreamConfig config, SchemaRegistryClient registry)
      throws Exception {
    AvroWireDeserializer<Alert> deserializer = new AvroWireDeserializer<>(registry, Alert.class);
    List<Alert> alerts = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r :
        TopicReader.readAll(config.kafkaProperties(), config.topics().alerts())) {
      alerts.add(deserializer.deserialize(r.value()));
    }
    return alerts;
  }

  static long percentile(long[] sorted, double p) {
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  }

  private void record(String name, double value) {
    figures.computeIfAbsent(name, k -> new Figure()).add(value);
  }

  private Figure figure(String name) {
    return figures.get(name);
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new IllegalStateException(message);
    }
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static void say(String format, Object... args) {
    System.out.printf(format + "%n", args);
  }
}
