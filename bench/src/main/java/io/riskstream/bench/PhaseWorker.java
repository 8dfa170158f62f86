package io.riskstream.bench;

import io.riskstream.config.RiskstreamConfig;
import io.riskstream.detect.DetectJob;
import io.riskstream.detect.DetectionWorkflow;
import io.riskstream.detect.RuleBook;
import io.riskstream.detect.Rules;
import io.riskstream.generate.Traffic;
import io.riskstream.generate.TrafficGenerator;
import io.riskstream.registry.SchemaRegistryClient;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.ObjectOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.metrics.MetricNames;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The JVM of one phase ({@link PhaseJvm}), started with the phase's name and the broker's process
 * id: reads one request per line, tab-separated, runs it and answers {@code ok} and the {@link
 * Meter.Span} it took (or {@code error <message>}) on a line of its own. A request names the job's
 * riskstream settings last:
 *
 * <ul>
 *   <li>{@code detect <riskstream|skeleton|floor> <settings...>}: the detect job with those
 *       detectors, until it has drained its bounded input;
 *   <li>{@code peer <file> <settings...>}: the SQL peer; its findings go to {@code file}, one per
 *       line;
 *   <li>{@code latency <file> <savepoints> <events> <seed> <case gap ns> <live> <rate>
 *       <settings...>}: {@link LatencyRun} over the first {@code live} events of the workload
 *       (generated again here, the same for the same seed); its result goes to {@code file},
 *       serialised.
 * </ul>
 */
final class PhaseWorker {
  private static final Pattern QUEUED = Pattern.compile("^\\d+ ");

  private PhaseWorker() {}

  /**
   * How often the job's record counters are looked at until its first record moves: each look
   * copies every metric of the job under the reporter's lock, which the job's start takes too; the
   * mark is at most this late, a fraction of a per cent of any phase's run at 1,000,000 events.
   */
  private static final long WATCH_MILLIS = 10;

  public static void main(String[] args) throws Exception {
    Meter meter = new Meter(Long.parseLong(args[1]));
    // Standard output carries the answers; whatever else prints goes to the log with the errors.
    PrintStream answers =
        new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    System.setOut(System.err);
    BufferedReader requests =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = requests.readLine()) != null) {
      String[] request = line.split("\t");
      // Flink's own in-memory reporter hands the job's counters to this JVM, which runs its mini
      // cluster: Flink announces no first record, and its REST API refreshes metrics every few s.
      InMemoryReporter reporter = InMemoryReporter.create();
      List<String> sets = new ArrayList<>();
      reporter
          .addToConfiguration(new Configuration())
          .toMap()
          .forEach((key, value) -> sets.add("flink." + key + "=" + value));
      try {
        answers.println(timed(meter, reporter, () -> run(request, sets)));
      } catch (Exception e) {
        e.printStackTrace();
        answers.println("error " + String.valueOf(e.getMessage()).replace('\n', ' '));
      } finally {
        // The mini cluster closes its reporter when it shuts down; a request that failed before one
        // started would otherwise leave it in the reporters' static map. Closing twice is harmless.
        reporter.close();
      }
    }
  }

  /**
   * Runs {@code body} after a full GC (the last request's garbage is not its CPU time), and marks
   * the moment the first record of its job, which reports to {@code reporter}, moves.
   */
  private static String timed(Meter meter, InMemoryReporter reporter, Callable<Void> body)
      throws Exception {
    System.gc();
    Meter.Reading start = meter.start();
    Thread watch = new Thread(() -> watchForFirstRecord(meter, reporter), "first-record");
    watch.setDaemon(true);
    watch.start();
    try {
      body.call();
    } finally {
      watch.interrupt();
    }
    watch.join();
    String answer = "ok " + meter.since(start).encode();
    awaitCompilerIdle();
    return answer;
  }

  private static void watchForFirstRecord(Meter meter, InMemoryReporter reporter) {
    try {
      while (!anyRecordOut(reporter)) {
        Thread.sleep(WATCH_MILLIS);
      }
      meter.firstRecord();
    } catch (InterruptedException ended) {
      // the job ended first; Meter.since says so
    }
  }

  /**
   * Waits (30 s at most) until this JVM's compilers have nothing queued: the compilations a run
   * left would otherwise take the next phase's CPU, in another JVM, while it is timed.
   */
  private static void awaitCompilerIdle() throws Exception {
    ObjectName diagnostics = new ObjectName("com.sun.management:type=DiagnosticCommand");
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < until) {
      String queue =
          (String)
              ManagementFactory.getPlatformMBeanServer()
                  .invoke(
                      diagnostics,
                      "compilerQueue",
                      new Object[] {null},
                      new String[] {String[].class.getName()});
      // `jcmd Compiler.queue`: a compilation in progress names its thread; a queued one starts
      // with its id.
      if (queue.lines().noneMatch(l -> l.contains("CompilerThread") || QUEUED.matcher(l).find())) {
        return;
      }
      Thread.sleep(100);
    }
  }

  /** Whether any operator of the job has sent a record on. */
  private static boolean anyRecordOut(InMemoryReporter reporter) {
    return reporter.getMetricsByGroup().values().stream()
        .map(metrics -> metrics.get(MetricNames.IO_NUM_RECORDS_OUT))
        .anyMatch(out -> out instanceof Counter counter && counter.getCount() > 0);
  }

  /** Runs the request, its job with {@code sets} added to its settings. */
  private static Void run(String[] request, List<String> sets) throws Exception {
    switch (request[0]) {
      case "detect" -> {
        RiskstreamConfig config = config(request, 2, sets);
        StreamExecutionEnvironment env = DetectJob.environment(config);
        DetectJob.build(env, config, RuleBook.defaults(), detectors(request[1]));
        env.execute(config.jobName());
      }
      case "peer" ->
          Files.write(
              Path.of(request[1]),
              SqlPeer.run(config(request, 2, sets), Rules.defaults()).stream().sorted().toList());
      case "latency" -> {
        RiskstreamConfig config = config(request, 8, sets);
        List<Traffic.Event> live =
            Workload.generate(
                    Long.parseLong(request[3]),
                    Long.parseLong(request[4]),
                    TrafficGenerator.Settings.DEFAULT_START,
                    Duration.ofNanos(Long.parseLong(request[5])))
                .events()
                .subList(0, Integer.parseInt(request[6]));
        LatencyRun.Result result =
            LatencyRun.run(
                config,
                RuleBook.defaults(),
                new SchemaRegistryClient(config.registry()),
                live,
                Double.parseDouble(request[7]),
                Path.of(request[2]));
        try (ObjectOutputStream out =
            new ObjectOutputStream(Files.newOutputStream(Path.of(request[1])))) {
          out.writeObject(result);
        }
      }
      default -> throw new IllegalArgumentException("no such request: " + request[0]);
    }
    return null;
  }

  /** The request's settings from {@code settingsFrom} on, then {@code more}. */
  private static RiskstreamConfig config(String[] request, int settingsFrom, List<String> more) {
    List<String> sets =
        new ArrayList<>(Arrays.asList(request).subList(settingsFrom, request.length));
    sets.addAll(more);
    return RiskstreamConfig.load(null, Map.of(), sets);
  }

  private static Function<RuleBook, DetectionWorkflow.Detectors> detectors(String name) {
    return switch (name) {
      case "riskstream" -> DetectionWorkflow.Detectors::of;
      case "skeleton" -> book -> Skeleton.detectors();
      case "floor" -> book -> Skeleton.stateFloor();
      default -> throw new IllegalArgumentException("no such detectors: " + name);
    };
  }
}
