package io.riskstream.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.avro.Payment;
import io.riskstream.backtest.Backtest;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.detect.RuleBook;
import io.riskstream.generate.Traffic;
import io.riskstream.generate.TrafficGenerator;
import io.riskstream.kafka.DeadLetterSerializer;
import io.riskstream.kafka.KafkaTopics;
import io.riskstream.kafka.TopicReader;
import io.riskstream.kafka.WireProducer;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.testing.KafkaTestSupport;
import io.riskstream.testing.KafkaTestSupport.PoisonPill;
import io.riskstream.testkit.BrokerProcess;
import io.riskstream.testkit.Directories;
import io.riskstream.testkit.EmbeddedKafka;
import io.riskstream.testkit.EmbeddedSchemaRegistry;
import io.riskstream.testkit.Ports;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * One run of the fault suite: a broker, the registry and PostgreSQL of its own, the local cluster
 * running {@code detect} and {@code sink}, seeded generated traffic written at a steady rate while
 * a test does harm, and the outcome checked against the alert set {@code backtest} finds in the
 * same traffic: every expected alert committed once on the alert topic and once in {@code
 * risk_alerts}, nothing else.
 */
final class FaultRun implements AutoCloseable {
  /** What a run is made of. */
  record Options(
      int events,
      long seed,
      int eventsPerSecond,
      int pillEvery,
      boolean brokerInChildProcess,
      boolean newerWriterFromHalfway,
      boolean emptyPartitions) {
    static Options of(int events, int eventsPerSecond) {
      return new Options(events, 7, eventsPerSecond, 0, false, false, false);
    }

    Options withPillEvery(int n) {
      return new Options(
          events,
          seed,
          eventsPerSecond,
          n,
          brokerInChildProcess,
          newerWriterFromHalfway,
          emptyPartitions);
    }

    Options withBrokerInChildProcess() {
      return new Options(
          events, seed, eventsPerSecond, pillEvery, true, newerWriterFromHalfway, emptyPartitions);
    }

    /** Three partitions per input topic, the last of which nothing is ever written to. */
    Options withEmptyPartitions() {
      return new Options(
          events,
          seed,
          eventsPerSecond,
          pillEvery,
          brokerInChildProcess,
          newerWriterFromHalfway,
          true);
    }

    /**
     * From halfway on, payments are written with a newer writer schema (one more optional field)
     * the job has not met before: it must ask the registry for it.
     */
    Options withNewerWriterFromHalfway() {
      return new Options(
          events, seed, eventsPerSecond, pillEvery, brokerInChildProcess, true, emptyPartitions);
    }
  }

  private static final String CANARY = "fault-canary-5ecret-91b4";

  private final Path dir;
  private final Options options;
  private final List<AutoCloseable> started = new ArrayList<>();
  private EmbeddedKafka kafka;
  private BrokerProcess broker;
  private final int brokerPort;
  private final EmbeddedSchemaRegistry registry;
  private EmbeddedPostgres postgres;
  private final int postgresPort;
  final LocalCluster cluster;
  final RiskstreamConfig config;
  final Traffic traffic;
  final TreeSet<String> expected;
  private final Map<String, Alert> expectedAlerts = new TreeMap<>();
  private final List<PoisonPill> sentPills = new ArrayList<>();
  private String sinkJob;
  private CompletableFuture<Void> pump;
  private Runnable atHalfway = () -> {};

  FaultRun(Path dir, Options options) throws Exception {
    this.dir = dir;
    this.options = options;
    brokerPort = options.brokerInChildProcess() ? Ports.free() : 0;
    // A start that fails half-way stops what it started: the test never gets to close this run,
    // and a cluster left behind would run on beside every later test.
    try {
      startBroker();
      registry = add(EmbeddedSchemaRegistry.start(0));
      postgresPort = Ports.free();
      startPostgres();
      config = RiskstreamConfig.load(null, Map.of(), settings());
      KafkaTopics.create(bootstrapServers(), config.topics(), options.emptyPartitions() ? 3 : 2);
      traffic = KafkaTestSupport.traffic(options.events(), options.seed());
      expected = new TreeSet<>();
      Backtest.run(
              new Backtest.Inputs(traffic.payments(), traffic.bills(), traffic.balanceChanges()),
              RuleBook.defaults(),
              2,
              config.maxOutOfOrderness())
          .forEach(a -> expectedAlerts.put(a.getAlertId(), a));
      expected.addAll(expectedAlerts.keySet());
      cluster =
          new LocalCluster(
              dir.resolve("flink"),
              Map.of(
                  "RISKSTREAM_POSTGRES_PASSWORD",
                  "postgres",
                  // Unused on a PLAINTEXT broker, but handed to every Kafka client like any secret:
                  // it must not show in any process's log.
                  "RISKSTREAM_KAFKA_PROPERTIES",
                  "ssl.key.password: " + CANARY));
      started.add(cluster);
      cluster.start(2);
    } catch (Exception | Error e) {
      try {
        close();
      } catch (Exception alsoFailed) {
        e.addSuppressed(alsoFailed);
      }
      throw e;
    }
  }

  private <T extends AutoCloseable> T add(T closeable) {
    started.add(closeable);
    return closeable;
  }

  private void startBroker() throws Exception {
    if (options.brokerInChildProcess()) {
      broker =
          BrokerProcess.start(
              Path.of(System.getProperty("riskstream.demo-jar")),
              dir.resolve("broker.log"),
              List.of(
                  "--kafka-port",
                  String.valueOf(brokerPort),
                  "--data-dir",
                  dir.resolve("kafka").toString(),
                  "--no-registry"));
    } else {
      kafka = add(EmbeddedKafka.start());
    }
  }

  /**
   * PostgreSQL on the run's port and data directory: the data outlives {@link #stopPostgres()} and
   * {@link #close()} deletes it.
   */
  void startPostgres() throws IOException {
    postgres =
        EmbeddedPostgres.builder()
            .setDataDirectory(dir.resolve("postgres"))
            .setCleanDataDirectory(false)
            .setPort(postgresPort)
            .start();
  }

  /** A fast shutdown of PostgreSQL: open connections are closed under the jobs. */
  void stopPostgres() throws IOException {
    postgres.close();
  }

  String bootstrapServers() {
    return broker != null ? broker.bootstrapServers() : kafka.bootstrapServers();
  }

  /** Throttles the detect job's reading of {@code topic} to {@code bytesPerSecond}. */
  void throttleDetect(String topic, int bytesPerSecond) throws Exception {
    KafkaTestSupport.throttle(bootstrapServers(), config.groupId() + "-" + topic, bytesPerSecond);
  }

  /** The run's schema registry, to take down. */
  EmbeddedSchemaRegistry registry() {
    return registry;
  }

  /** {@code kill -9} of the broker's process (a child process run only). */
  void killBroker() throws Exception {
    broker.kill();
  }

  /** A clean stop of the broker's process (a child process run only). */
  void stopBroker() throws Exception {
    broker.close();
  }

  /** The broker again on its port and data directory. */
  void restartBroker() throws Exception {
    startBroker();
  }

  /** The settings of both jobs, and of this side's readers: the jobs get them as --set flags. */
  private List<String> settings() {
    return List.of(
        "kafka.bootstrap-servers=" + bootstrapServers(),
        "registry.url=" + registry.url(),
        "kafka.starting-offsets=committed-or-earliest",
        "kafka.transaction-timeout=2 min",
        "checkpoints.interval=1 s",
        "checkpoints.timeout=55 s",
        // watermarks.idleness stays at its default (30 s): the traffic runs about 800 times faster
        // than real time, so a partition idle for one second would let the watermark jump some
        // fourteen minutes of event time past a consumer that a quota holds back.
        "job.parallelism=2",
        "postgres.url=" + postgres.getJdbcUrl("postgres", "postgres"),
        "postgres.user=postgres",
        "sink.batch-interval=200 ms");
  }

  /**
   * Submits {@code job} to the cluster with the run's settings and then {@code args} (flags of the
   * command); its job id.
   */
  String submit(String job, String... args) throws Exception {
    List<String> flags = new ArrayList<>();
    for (String s : settings()) {
      flags.add("--set");
      flags.add(s);
    }
    flags.addAll(List.of(args));
    return cluster.submit(job, flags);
  }

  /**
   * Submits {@code detect} and {@code sink} and waits until every task of both runs; the detect
   * job's id. Traffic started before then spent its seconds on the jobs' start-up: on a loaded
   * machine detect took 22 s to deploy, the 15 s of traffic were all written before its first
   * checkpoint, and a fault "after two checkpoints" no longer landed mid-stream. {@code
   * detectArgs}: more flags for detect.
   */
  String submitBoth(String... detectArgs) throws Exception {
    String detect = submit("detect", detectArgs);
    sinkJob = submit("sink");
    for (String job : List.of(detect, sinkJob)) {
      awaitCluster(
          job + " running, every task deployed",
          Duration.ofMinutes(3),
          () -> cluster.allRunning(job));
    }
    return detect;
  }

  /** The sink job's id, once {@link #submitBoth()} submitted it. */
  String sinkJob() {
    return sinkJob;
  }

  /**
   * Starts writing the traffic as {@link #startTraffic()} does, running {@code atHalfway} before
   * the second half is written.
   */
  void startTraffic(Runnable atHalfway) {
    this.atHalfway = atHalfway;
    startTraffic();
  }

  /**
   * Starts writing the traffic in event-time order at the run's rate, a poison pill after every
   * {@code pillEvery} events (cycling through docs/contract.md (Bad input)'s kinds, each under a
   * key of its own), then the closing events that move every watermark past it.
   */
  void startTraffic() {
    SchemaRegistryClient client = new SchemaRegistryClient(registry.url());
    List<PoisonPill> kinds = new ArrayList<>(KafkaTestSupport.poisonPills(client, config.topics()));
    kinds.addAll(KafkaTestSupport.brokenClocks(client, config.topics()));
    Schema newer = KafkaTestSupport.withRiskScore(Payment.getClassSchema());
    // Registered only when used: a run without it leaves the registry as the jobs found it.
    int newerId =
        options.newerWriterFromHalfway()
            ? client.register(config.topics().payments() + "-value", newer)
            : -1;
    pump =
        CompletableFuture.runAsync(
            () -> {
              java.util.Properties producing =
                  options.emptyPartitions()
                      ? KafkaTestSupport.allButTheLastPartition(config)
                      : config.kafkaProperties();
              try (WireProducer producer = new WireProducer(producing, client)) {
                List<Traffic.Event> events = traffic.inEventTimeOrder();
                long begin = System.nanoTime();
                int half = events.size() / 2;
                for (int i = 0; i < events.size(); i++) {
                  Traffic.Event e = events.get(i);
                  if (i == half) {
                    atHalfway.run();
                  }
                  if (options.newerWriterFromHalfway() && i >= half) {
                    KafkaTestSupport.sendAsNewerWriter(
                        producer, config.topics(), e, newerId, newer);
                  } else {
                    producer.send(e.topic(config.topics()), e.key(), e.record());
                  }
                  if (options.pillEvery() > 0 && (i + 1) % options.pillEvery() == 0) {
                    PoisonPill pill =
                        kinds
                            .get(sentPills.size() % kinds.size())
                            .withKey("PILL-" + sentPills.size());
                    pill.send(producer);
                    sentPills.add(pill);
                  }
                  long due = begin + (long) ((i + 1) * 1e9 / options.eventsPerSecond());
                  long wait = due - System.nanoTime();
                  if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                  }
                }
                KafkaTestSupport.produce(
                    producer,
                    config.topics(),
                    TrafficGenerator.closing(events.get(events.size() - 1).eventTime()));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
  }

  boolean trafficWritten() {
    return pump.isDone();
  }

  /** Waits until {@code jobId} has completed at least {@code n} checkpoints. */
  void awaitCheckpoints(String jobId, long n) throws Exception {
    awaitCluster(
        n + " completed checkpoints of " + jobId,
        Duration.ofMinutes(2),
        () -> cluster.completedCheckpoints(jobId) >= n);
  }

  /**
   * Waits until {@code jobId} restarts after {@code before}, a {@link LocalCluster#lastRestart}.
   */
  void awaitRestart(String jobId, long before) throws Exception {
    awaitCluster(
        jobId + " restarted", Duration.ofMinutes(2), () -> cluster.lastRestart(jobId) > before);
  }

  /**
   * Waits until {@code jobId} runs again after a fault, every task deployed; the seconds it took
   * from {@code since} (a {@link System#nanoTime()}).
   */
  double awaitRecovered(String jobId, long since) throws Exception {
    awaitCluster(jobId + " running again", Duration.ofMinutes(3), () -> cluster.allRunning(jobId));
    return (System.nanoTime() - since) / 1e9;
  }

  /** A wait on the cluster whose timeout also says which process crashed meanwhile, if any. */
  private void awaitCluster(String what, Duration timeout, KafkaTestSupport.Condition condition)
      throws Exception {
    try {
      KafkaTestSupport.await(what, timeout, condition);
    } catch (AssertionError | Exception failed) {
      // A timeout, or the refused connection of a JobManager's REST API whose process died.
      throw explained(failed);
    }
  }

  /** Fails if the job ever restarted: nothing in the scenario should have made it. */
  void assertNeverRestarted(String jobId) throws Exception {
    long restarted = cluster.lastRestart(jobId);
    if (restarted != 0) {
      throw explained(
          new AssertionError(jobId + " restarted at " + Instant.ofEpochMilli(restarted)));
    }
  }

  /**
   * {@code failure}, naming any process of the cluster that died of a JVM fatal error; a {@link
   * JvmCrashed} if each died in the JVM's own code, which nothing the job does can cause. Without
   * one, it names the processes that are not running (a TaskManager that exited on a fatal error of
   * the job's own, say) with their logs.
   */
  private AssertionError explained(Throwable failure) throws IOException {
    List<LocalCluster.Crash> crashes = cluster.crashes();
    if (crashes.isEmpty()) {
      List<String> exited = cluster.exited();
      if (!exited.isEmpty()) {
        return new AssertionError(failure.getMessage() + "; " + String.join("; ", exited), failure);
      }
      return failure instanceof AssertionError assertion
          ? assertion
          : new AssertionError(failure.getMessage(), failure);
    }
    String message = failure.getMessage() + "; " + crashes;
    return crashes.stream().allMatch(LocalCluster.Crash::inTheJvm)
        ? new JvmCrashed(message, failure)
        : new AssertionError(message, failure);
  }

  /**
   * Waits until everything written has been read, decided and stored: the traffic is written, the
   * detect job's offsets are committed at the end of every input (after its sinks flushed), as many
   * alerts as expected are committed, and {@code risk_alerts} holds the ids on the alert topic.
   * (The sink job's own offsets never reach the alert topic's end: a source commits the offset
   * after the last record it read, and the topic ends with a transaction marker.) A run that never
   * settles fails on the outcome, with what differs.
   */
  void awaitSettled() throws Exception {
    awaitAllRead();
    // Decisions wait for the watermark: after a restart a partition with nothing more to read
    // holds it back for IdleWhenCaughtUp's first-record grace (a minute) before it goes idle.
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (System.nanoTime() < deadline
        && (new TreeSet<>(committedAlertIds()).size() < expected.size()
            || !new TreeSet<>(alertRows()).equals(new TreeSet<>(committedAlertIds())))) {
      Thread.sleep(500);
    }
  }

  /**
   * Waits until the traffic is written and the detect job has committed its offsets at the end of
   * every input: a checkpoint holds everything read.
   */
  void awaitAllRead() throws Exception {
    pump.get(10, TimeUnit.MINUTES);
    awaitCluster(
        "the detect job at the end of its inputs",
        Duration.ofMinutes(5),
        () -> KafkaTestSupport.inputsReadToTheEnd(config));
  }

  /** Alert ids as committed on the alert topic, in topic order (duplicates kept). */
  List<String> committedAlertIds() throws Exception {
    return KafkaTestSupport.alerts(config, new SchemaRegistryClient(registry.url())).stream()
        .map(Alert::getAlertId)
        .toList();
  }

  List<String> alertRows() throws Exception {
    List<String> ids = new ArrayList<>();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT alert_id FROM risk_alerts ORDER BY alert_id")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }

  /**
   * The outcome: the committed alerts and the {@code risk_alerts} rows are the backtest's alert
   * set, each id once, and every poison pill is in the dead-letter topic once with its reason.
   * Prints one line of figures for the closing note.
   */
  void assertExact(String fault, double recoverySeconds) throws Exception {
    List<Alert> alerts = KafkaTestSupport.alerts(config, new SchemaRegistryClient(registry.url()));
    List<String> committed = alerts.stream().map(Alert::getAlertId).toList();
    TreeSet<String> seen = new TreeSet<>(committed);
    TreeSet<String> lost = new TreeSet<>(expected);
    lost.removeAll(seen);
    TreeSet<String> spurious = new TreeSet<>(seen);
    spurious.removeAll(expected);
    List<ConsumerRecord<byte[], byte[]>> letters =
        TopicReader.readAll(config.kafkaProperties(), config.topics().deadLetters());
    System.out.printf(
        "FAULT %s: recovery %.1f s; alerts expected %d, committed %d, duplicated %d, lost %d,"
            + " spurious %d; rows %d; dead letters %d for %d pills%n",
        fault,
        recoverySeconds,
        expected.size(),
        committed.size(),
        committed.size() - seen.size(),
        lost.size(),
        spurious.size(),
        alertRows().size(),
        letters.size(),
        sentPills.size());

    // The first few of each, enough to see what went wrong.
    lost.stream()
        .limit(10)
        .forEach(id -> System.out.println("  lost: " + describe(expectedAlerts.get(id))));
    alerts.stream()
        .filter(a -> spurious.contains(a.getAlertId()))
        .limit(10)
        .forEach(a -> System.out.println("  spurious: " + describe(a)));

    assertThat(expected).as("the backtest's alert set").hasSizeGreaterThan(50);
    assertThat(committed).doesNotHaveDuplicates();
    assertThat(seen).isEqualTo(expected);
    assertThat(alertRows()).containsExactlyElementsOf(expected);

    // Both jobs read the inputs, and each sets aside every bad record it reads, once.
    Map<String, Map<String, String>> errorByPillByJob = new TreeMap<>();
    for (ConsumerRecord<byte[], byte[]> letter : letters) {
      String key = new String(letter.key(), StandardCharsets.UTF_8);
      String job = header(letter, DeadLetterSerializer.SOURCE_JOB);
      assertThat(
              errorByPillByJob
                  .computeIfAbsent(job, j -> new TreeMap<>())
                  .put(key, header(letter, DeadLetterSerializer.ERROR)))
          .as(job + "'s dead letters of " + key)
          .isNull();
    }
    Map<String, String> expectedErrors = new TreeMap<>();
    sentPills.forEach(
        p -> expectedErrors.put(new String(p.key(), StandardCharsets.UTF_8), p.error()));
    assertThat(errorByPillByJob)
        .isEqualTo(
            sentPills.isEmpty()
                ? Map.of()
                : Map.of("detect", expectedErrors, "sink", expectedErrors));
  }

  private static String describe(Alert a) {
    return a.getType() + "/" + a.getReason() + " at " + a.getEventTime() + ": " + a.getSummary();
  }

  /**
   * No log of any process of the cluster (JobManager, TaskManagers, RocksDB's own) holds the canary
   * secret or a payer's full UPI id.
   */
  void assertLogsHideSecretsAndUpiIds() throws Exception {
    List<String> vpas =
        traffic.payments().stream()
            .map(p -> p.getPayerVpa())
            .filter(java.util.Objects::nonNull)
            .map(CharSequence::toString)
            .distinct()
            .toList();
    assertThat(vpas).hasSizeGreaterThan(100);
    Path logs = dir.resolve("flink/log");
    assertThat(java.nio.file.Files.readString(logs.resolve("jobmanager.log")))
        .as("the JobManager's log, where the jobs' settings would show")
        .contains("riskstream-detect");
    try (var files = java.nio.file.Files.walk(logs)) {
      for (Path log : files.filter(java.nio.file.Files::isRegularFile).toList()) {
        String text = java.nio.file.Files.readString(log, StandardCharsets.ISO_8859_1);
        assertThat(text).as(log.toString()).doesNotContain(CANARY);
        for (String vpa : vpas) {
          assertThat(text.contains(vpa)).as(log + " holds UPI id " + vpa).isFalse();
        }
      }
    }
  }

  int pillsSent() {
    return sentPills.size();
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws Exception {
    Exception failure = null;
    List<AutoCloseable> reversed = new ArrayList<>(started);
    java.util.Collections.reverse(reversed);
    if (broker != null) {
      reversed.add(broker);
    }
    if (postgres != null) {
      reversed.add(postgres);
    }
    reversed.add(() -> Directories.deleteRecursively(dir.resolve("postgres")));
    for (AutoCloseable c : reversed) {
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
