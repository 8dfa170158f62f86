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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The JVM of one phase ({@link PhaseJvm}): reads one request per line, tab-separated, runs it and
 * answers {@code ok <wall ns> <CPU ns> <JIT CPU ns>} (or {@code error <message>}) on a line of its
 * own. A request names the job's riskstream settings last:
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

  public static void main(String[] args) throws Exception {
    // Standard output carries the answers; whatever else prints goes to the log with the errors.
    PrintStream answers =
        new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    System.setOut(System.err);
    BufferedReader requests =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = requests.readLine()) != null) {
      String[] request = line.split("\t");
      try {
        answers.println(timed(() -> run(request)));
      } catch (Exception e) {
        e.printStackTrace();
        answers.println("error " + String.valueOf(e.getMessage()).replace('\n', ' '));
      }
    }
  }

  /** Runs {@code body} after a full GC (the last request's garbage is not its CPU time). */
  private static String timed(Callable<Void> body) throws Exception {
    System.gc();
    long jit = PhaseJvm.compilerCpuNanos();
    long cpu = cpuNanos();
    long t = System.nanoTime();
    body.call();
    String answer =
        "ok %d %d %d"
            .formatted(System.nanoTime() - t, cpuNanos() - cpu, PhaseJvm.compilerCpuNanos() - jit);
    awaitCompilerIdle();
    return answer;
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

  private static long cpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
  }

  private static Void run(String[] request) throws Exception {
    switch (request[0]) {
      case "detect" -> {
        RiskstreamConfig config = config(request, 2);
        StreamExecutionEnvironment env = DetectJob.environment(config);
        DetectJob.build(env, config, RuleBook.defaults(), detectors(request[1]));
        env.execute(config.jobName());
      }
      case "peer" ->
          Files.write(
              Path.of(request[1]),
              SqlPeer.run(config(request, 2), Rules.defaults()).stream().sorted().toList());
      case "latency" -> {
        RiskstreamConfig config = config(request, 8);
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

  private static RiskstreamConfig config(String[] request, int settingsFrom) {
    return RiskstreamConfig.load(
        null, Map.of(), Arrays.asList(request).subList(settingsFrom, request.length));
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
