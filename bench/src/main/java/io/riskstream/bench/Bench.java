package io.riskstream.bench;

import io.riskstream.Uids;
import io.riskstream.avro.Alert;
import io.riskstream.cli.DurationFlag;
import io.riskstream.cli.Riskstream;
import io.riskstream.cli.UserException;
import io.riskstream.config.ConfigException;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.config.Topics;
import io.riskstream.generate.TrafficGenerator;
import io.riskstream.kafka.KafkaTopics;
import io.riskstream.kafka.TopicReader;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.serde.AvroWireDeserializer;
import io.riskstream.testkit.BrokerProcess;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.flink.util.FileUtils;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark harness: in one run on one machine, after a warm-up, the decode limit, riskstream's
 * detect job on RocksDB and on the heap, the same graph with no-op detectors (the skeleton) and
 * with detectors that only keep a value and a timer per key (the state floor), and a fair Flink SQL
 * peer drain the same topics; then latency at half the measured rate and state bytes per key. The
 * broker and registry run in a child JVM, and each phase's Flink mini cluster in a JVM of its own
 * ({@link PhaseJvm}); the decode limit's consumers run in this one.
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
      names = "--warm-ups",
      defaultValue = "2",
      description =
          "Untimed runs of every phase before the measured ones, so that each phase's JVM has"
              + " compiled its code (default ${DEFAULT-VALUE}).")
  int warmUps;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Generator seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--case-gap",
      defaultValue = "3 s",
      converter = DurationFlag.class,
      description =
          "Mean event time between two of the generator's scenarios: 3 s (the default) is about"
              + " 1.5 events per second of event time, 1 ms about 3,000, a busy wallet's density"
              + " (bench/README.md, \"How dense the workload is\").")
  Duration caseGap;

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
      names = "--latency-rate",
      defaultValue = "0",
      description =
          "Events/s for the latency runs instead of half the measured rate: the tails of two jobs"
              + " compared at the same load (default: half the measured rate).")
  double latencyRate;

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

  /** Every job's checkpoint interval, a --set included: the report says what was measured. */
  Duration checkpointInterval;

  /**
   * Every phase's JVM heap, fixed ({@code -Xms} = {@code -Xmx}) so that a full GC does not shrink
   * it and the next phase pay the page faults of growing it again. The detectors' cache of keyed
   * values takes its default 20,000 keys per value from at least 2.7 GB of it ({@link
   * io.riskstream.detect.KeyedStateCache}).
   */
  static final String PHASE_HEAP = "3g";

  /** RocksDB's memory per slot in every job of the run (bench/README.md, "Equal memory"). */
  static final String SLOT_MEMORY = "128 mb";

  private Path work;
  private BrokerProcess broker;
  private SchemaRegistryClient registry;
  private final Map<String, Figure> figures = new java.util.LinkedHashMap<>();

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Bench()).setExecutionExceptionHandler(Riskstream.USER_MISTAKES);
  }

  @Override
  public Integer call() throws Exception {
    if (events < 1_000
        || runs < 1
        || warmUps < 1
        || parallelism < 1
        || latencySeconds < 1
        || latencyRate < 0) {
      throw new UserException(
          "--events must be at least 1000; --runs, --warm-ups, --parallelism, --latency-seconds at"
              + " least 1; --latency-rate positive (or 0: half the measured rate)");
    }
    work = Files.createTempDirectory("riskstream-bench");
    try {
      // A mistyped --set fails here, in one line, before a broker starts.
      checkpointInterval =
          RiskstreamConfig.load(
                  null,
                  Map.of(),
                  settings("localhost:9092", "http://localhost:8081", "bench", "bench", true))
              .checkpointInterval();
    } catch (ConfigException e) {
      FileUtils.deleteDirectory(work.toFile());
      throw e;
    }
    if (!Files.isRegularFile(demoJar)) {
      FileUtils.deleteDirectory(work.toFile());
      // Run from elsewhere than the repository's root, the default path finds nothing.
      throw new UserException(
          "no demo jar at "
              + demoJar.toAbsolutePath()
              + ": run from the repository's root after mvn -B -q -DskipTests package, or pass"
              + " --demo-jar");
    }
    say("starting the broker and registry (riskstream broker, in a child JVM)");
    try (BrokerProcess started = BrokerProcess.start(demoJar, work.resolve("broker.log"));
        Phases measured = new Phases("bench", started.pid())) {
      broker = started;
      registry = new SchemaRegistryClient(broker.registryUrl());
      RiskstreamConfig base = config(jobSettings("bench", "bench", false));
      Topics topics = base.topics();

      long t = System.nanoTime();
      Workload workload =
          Workload.generate(events, seed, TrafficGenerator.Settings.DEFAULT_START, caseGap);
      double generateSeconds = seconds(t);
      say("generated %,d events in %.1f s", workload.size(), generateSeconds);
      t = System.nanoTime();
      Workload.load(workload.events(), base.kafkaProperties(), registry, topics);
      double loadSeconds = seconds(t);
      say(
          "loaded them into %s, %s, %s in %.1f s (%,.0f events/s)",
          topics.payments(),
          topics.bills(),
          topics.balanceChanges(),
          loadSeconds,
          workload.size() / loadSeconds);

      // One untimed run of every phase over the whole workload first, alike for every pipeline: the
      // JIT, the SQL planner's generated code and the page cache start warm (bench/README.md, 2).
      measured.events = workload.size();
      say("warm-up: every phase %d times over the workload, not recorded", warmUps);
      for (int warmUp = 0; warmUp > -warmUps; warmUp--) {
        measured.all(warmUp);
      }
      List<Alert> firstAlerts = null;
      Set<String> firstPeer = null;
      for (int run = 1; run <= runs; run++) {
        record("load average", loadAverage());
        Phases.Outcome outcome = measured.all(run);
        check(
            outcome.skeletonAlerts() == 0,
            "the skeleton raised " + outcome.skeletonAlerts() + " alerts; it has no rules");
        check(
            outcome.floorAlerts() == 0,
            "the state floor raised " + outcome.floorAlerts() + " alerts; it has no rules");
        check(
            alertIds(outcome.heapAlerts()).equals(alertIds(outcome.alerts())),
            "riskstream on the heap backend raised other alerts than on RocksDB");
        record("alerts", outcome.alerts().size());
        record("riskstream/skeleton", figure("riskstream").last() / figure("skeleton").last());
        record("floor/skeleton", figure("floor").last() / figure("skeleton").last());
        record("riskstream/floor", figure("riskstream").last() / figure("floor").last());
        record("floor rocksdb/heap", figure("floor").last() / figure("floor-heap").last());
        record("rocksdb/heap", figure("riskstream").last() / figure("riskstream-heap").last());
        record("riskstream/peer", figure("riskstream").last() / figure("peer").last());
        if (firstAlerts == null) {
          firstAlerts = outcome.alerts();
          firstPeer = outcome.peer();
        }
      }
      Agreement agreement = Agreement.of(firstAlerts, firstPeer);

      double rate = latencyRate > 0 ? latencyRate : figure("riskstream").median() / 2;
      int live = (int) Math.min(workload.size(), Math.max(1_000, rate * latencySeconds));
      for (int run = 1; run <= runs; run++) {
        say("[run %d/%d] latency: writing %,d events at %,.0f events/s", run, runs, live, rate);
        LatencyRun.Result r = measured.latency(run, live, rate);
        long[] ms = r.latenciesMillis();
        check(ms.length > 0, "no alert could be timed in the latency run");
        record("p50", percentile(ms, 0.50));
        record("p99", percentile(ms, 0.99));
        record("max", ms[ms.length - 1]);
        long[] seen = r.visibleMillis();
        check(
            r.neverCommitted() == 0,
            r.neverCommitted() + " alerts were sent but not committed three checkpoints later");
        record("read_committed p50", percentile(seen, 0.50));
        record("read_committed p99", percentile(seen, 0.99));
        record("timed alerts", ms.length);
        record("achieved rate", r.events() / r.secondsToWrite());
        record("bytes/UTR", (double) r.state().of(Uids.UTR_MATCHER) / r.keys().utrs());
        record("bytes/order", (double) r.state().of(Uids.ORDER_MATCHER) / r.keys().orders());
        record(
            "bytes/account",
            (double) r.state().of(Uids.BALANCE_CHAIN_CHECKER) / r.keys().accounts());
        record("bytes/IP", (double) r.state().of(Uids.IP_BURST_DETECTOR) / r.keys().ips());
        record(
            "bytes/ledger line",
            (double) r.state().of(Uids.LEDGER_PENDING_DETECTOR) / r.keys().ledgerLines());
        say(
            "[run %d/%d] latency beyond the rule's wait: p50 %d ms, p99 %d ms, max %d ms over %,d alerts"
                + " (read_committed: p50 %d ms, p99 %d ms); state %,d B in UtrMatcher for %,d UTRs",
            run,
            runs,
            percentile(ms, 0.50),
            percentile(ms, 0.99),
            ms[ms.length - 1],
            ms.length,
            percentile(seen, 0.50),
            percentile(seen, 0.99),
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
          new Report(this, workload, generateSeconds, loadSeconds, agreement, figures, microRows);
      Files.createDirectories(out.toAbsolutePath().getParent());
      ResultsSection.writeReport(out, report.markdown());
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
   * One run of every throughput phase over the same topics, each timed in wall time and in CPU time
   * (the phase's JVM, which hosts its mini cluster, plus the broker's), per event of the workload.
   * Each phase keeps its JVM for every run ({@link PhaseJvm}); the decode limit runs in this one.
   */
  private final class Phases implements AutoCloseable {
    record Outcome(
        List<Alert> alerts,
        List<Alert> heapAlerts,
        int skeletonAlerts,
        int floorAlerts,
        Set<String> peer) {}

    /** The prefix of the input topics (and of each phase's job name). */
    private final String input;

    private final Map<String, PhaseJvm> jvms = new java.util.LinkedHashMap<>();

    /** The decode limit's clocks: it runs in this JVM. */
    private final Meter meter;

    /** How many events the input topics hold. */
    long events;

    /**
     * Phases over the topics under {@code input}, counting the CPU time of the broker's process.
     */
    Phases(String input, long brokerPid) throws IOException {
      this.input = input;
      for (String phase :
          List.of("riskstream", "riskstream-heap", "skeleton", "floor", "floor-heap", "peer")) {
        jvms.put(phase, PhaseJvm.start(phase, PHASE_HEAP, brokerPid, work.resolve(phase + ".log")));
      }
      meter = new Meter(brokerPid);
    }

    /** Run {@code run} (0 or less: a warm-up, whose figures are not recorded). */
    Outcome all(int run) throws Exception {
      RiskstreamConfig limit = config(jobSettings(input, input, false));
      Meter.Reading start = meter.start();
      long decoded =
          DecodeLimit.run(
              limit.kafkaProperties(), registry, limit.topics(), parallelism, meter::firstRecord);
      record(run, "limit", meter.since(start));
      check(decoded == events, "the limit decoded " + decoded + " of " + events);
      List<Alert> alerts = detect(run, "riskstream", "riskstream");
      List<Alert> heap = detect(run, "riskstream-heap", "riskstream", "state.backend=hashmap");
      List<Alert> skeleton = detect(run, "skeleton", "skeleton");
      List<Alert> floor = detect(run, "floor", "floor");
      List<Alert> floorHeap = detect(run, "floor-heap", "floor", "state.backend=hashmap");
      Path found = work.resolve("peer-" + run + ".txt");
      ask(
          run,
          "peer",
          List.of("peer", found.toString()),
          jobSettings(name("peer", run), input, true));
      Set<String> peer = Set.copyOf(Files.readAllLines(found));
      return new Outcome(alerts, heap, skeleton.size(), floor.size() + floorHeap.size(), peer);
    }

    private List<Alert> detect(int run, String phase, String detectors, String... extra)
        throws Exception {
      return alerts(
          ask(
              run,
              phase,
              List.of("detect", detectors),
              jobSettings(name(phase, run), input, true, extra)),
          registry);
    }

    /**
     * The latency run {@code run} in riskstream's JVM, over the first {@code live} events of the
     * workload written at {@code rate}.
     */
    LatencyRun.Result latency(int run, int live, double rate) throws Exception {
      Path result = work.resolve("latency-" + run + ".ser");
      Path savepoints = Files.createDirectories(work.resolve("savepoints").resolve("run-" + run));
      String name = "bench-live-" + run;
      List<String> sets = jobSettings(name, name, false);
      config(sets); // its topics
      jvms.get("riskstream")
          .ask(
              concat(
                  List.of(
                      "latency",
                      result.toString(),
                      savepoints.toString(),
                      String.valueOf(Bench.this.events),
                      String.valueOf(seed),
                      String.valueOf(caseGap.toNanos()),
                      String.valueOf(live),
                      String.valueOf(rate)),
                  sets));
      try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(result))) {
        return (LatencyRun.Result) in.readObject();
      }
    }

    /** A job's name, and its group's: each run's job reads the topics from the start. */
    private String name(String phase, int run) {
      return input + "-" + phase + "-" + (run > 0 ? String.valueOf(run) : "w" + (1 - run));
    }

    /**
     * Creates the job's topics, has the phase's JVM run the request with the job's settings, and
     * records what it took; returns the job's configuration.
     */
    private RiskstreamConfig ask(int run, String phase, List<String> request, List<String> sets)
        throws Exception {
      RiskstreamConfig config = config(sets);
      record(run, phase, jvms.get(phase).ask(concat(request, sets)));
      return config;
    }

    /**
     * Records a phase's rate and CPU per event from its first record to its last commit, as a job
     * that has started runs (bench/README.md, 4), and beside them its start and its rate over the
     * whole.
     */
    private void record(int run, String phase, Meter.Span span) {
      Meter.Reading job = span.fromFirstRecord();
      double rate = events / job.wallSeconds();
      double cpuMicros = job.allCpuNanos() / 1e3 / events;
      // The JIT's share of the phase's own JVM: how far its code was from a long-running job's.
      double jitShare = 100.0 * job.jitCpuNanos() / job.cpuNanos();
      double whole = events / span.whole().wallSeconds();
      if (run > 0) {
        Bench.this.record(phase, rate);
        Bench.this.record(phase + " cpu", cpuMicros);
        Bench.this.record(phase + " jit", jitShare);
        Bench.this.record(phase + " start", span.startSeconds());
        Bench.this.record(phase + " whole", whole);
      }
      say(
          "[%s] %s: %,.0f events/s, %.0f µs CPU per event, %.0f %% of it compiling; %.1f s to the"
              + " first record (%,.0f events/s over the whole)",
          run > 0 ? "run " + run + "/" + runs : "warm-up " + (1 - run) + "/" + warmUps,
          phase,
          rate,
          cpuMicros,
          jitShare,
          span.startSeconds(),
          whole);
    }

    @Override
    public void close() throws InterruptedException {
      for (PhaseJvm jvm : jvms.values()) {
        jvm.close();
      }
    }
  }

  private static List<String> concat(List<String> first, List<String> second) {
    List<String> both = new ArrayList<>(first);
    both.addAll(second);
    return both;
  }

  private static Set<String> alertIds(List<Alert> alerts) {
    return alerts.stream().map(Alert::getAlertId).collect(Collectors.toSet());
  }

  /** The machine's 1-minute load average before a run: other work on it skews every figure. */
  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /** A job's configuration ({@link #jobSettings}); creates its topics. */
  private RiskstreamConfig config(List<String> sets) {
    RiskstreamConfig config = RiskstreamConfig.load(null, Map.of(), sets);
    KafkaTopics.create(broker.bootstrapServers(), config.topics(), parallelism);
    return config;
  }

  /**
   * A job's settings: its own group, transactional ids and alert topic ({@code name}); input topics
   * under {@code input}; {@code drain} stops at the end offsets; {@code extra} wins over --set.
   */
  private List<String> jobSettings(String name, String input, boolean drain, String... extra) {
    List<String> sets =
        new ArrayList<>(
            settings(broker.bootstrapServers(), broker.registryUrl(), name, input, drain));
    sets.addAll(List.of(extra));
    return sets;
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
                // No shadow detectors: no peer has them, and no shadow version is published here.
                "rules.shadow=false",
                "kafka.group-id=" + name,
                "job.name=" + name,
                "job.transactional-id-prefix=" + name,
                "job.parallelism=" + parallelism,
                "checkpoints.interval=10 s",
                // Every job's RocksDB gets the same memory per slot, whatever else its operators
                // declare: managed memory is divided by weights between the state backend and
                // operators, and the SQL peer's operators would take a share of it.
                "flink.state.backend.rocksdb.memory.fixed-per-slot=" + SLOT_MEMORY,
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
