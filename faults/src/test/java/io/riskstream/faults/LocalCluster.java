package io.riskstream.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riskstream.testkit.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The standalone cluster of {@code deploy/local/cluster.sh}, driven as an operator would: the
 * script starts, stops and submits; a process is killed with {@code kill -9} by the pid the script
 * wrote; the JobManager's REST API says what happened. Each instance has its own home and ports.
 */
final class LocalCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SUBMITTED = Pattern.compile("submitted as job ([0-9a-f]{32})");
  private static final Pattern SAVEPOINT = Pattern.compile("Savepoint completed\\. Path: (\\S+)");

  private final Path script = Path.of(System.getProperty("riskstream.cluster-script"));
  private final Path home;
  private final int restPort;
  private final int rpcPort;
  private final Map<String, String> jobEnvironment;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** {@code jobEnvironment}: what submitted jobs also see (secrets, as in production). */
  LocalCluster(Path home, Map<String, String> jobEnvironment) throws IOException {
    this.home = home;
    this.restPort = Ports.free();
    this.rpcPort = Ports.free();
    this.jobEnvironment = jobEnvironment;
  }

  void start(int taskManagers) throws Exception {
    script("start", String.valueOf(taskManagers));
  }

  void startJobManager() throws Exception {
    script("start-jobmanager");
  }

  /** Starts TaskManager {@code name} ({@code taskmanager-2}, say) again. */
  void startTaskManager(String name) throws Exception {
    script("start-taskmanager", name.substring("taskmanager-".length()));
  }

  void stop() throws Exception {
    script("stop");
  }

  /** {@code kill -9} of {@code process} (jobmanager, taskmanager-1, ...): no shutdown hook runs. */
  void kill(String process) throws Exception {
    ProcessHandle handle = running(process);
    handle.destroyForcibly();
    handle.onExit().get(30, TimeUnit.SECONDS);
  }

  /** The running {@code process} (jobmanager, taskmanager-1, ...) by the pid the script wrote. */
  ProcessHandle running(String process) throws IOException {
    long pid = Long.parseLong(Files.readString(home.resolve("pid/" + process + ".pid")).strip());
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .orElseThrow(() -> new AssertionError(process + " (pid " + pid + ") is not running"));
  }

  /** Submits a riskstream job ({@code detect}, {@code sink}) with {@code flags}; its job id. */
  String submit(String job, List<String> flags) throws Exception {
    List<String> args = new ArrayList<>(List.of("submit", job));
    args.addAll(flags);
    String out = script(args.toArray(String[]::new));
    Matcher m = SUBMITTED.matcher(out);
    if (!m.find()) {
      throw new AssertionError("no job id in the output of cluster.sh submit " + job + ":\n" + out);
    }
    return m.group(1);
  }

  /** Stops the job with a savepoint (Flink's CLI, {@code flink stop}); the savepoint's path. */
  String stopWithSavepoint(String jobId) throws Exception {
    String out =
        script(
            "flink",
            "stop",
            "--type",
            "canonical",
            "--savepointPath",
            home.resolve("savepoints").toUri().toString(),
            jobId);
    Matcher m = SAVEPOINT.matcher(out);
    if (!m.find()) {
      throw new AssertionError("no savepoint path in the output of flink stop:\n" + out);
    }
    return m.group(1);
  }

  JsonNode rest(String path) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(path + ": HTTP " + response.statusCode() + " " + response.body());
    }
    return JSON.readTree(response.body());
  }

  long completedCheckpoints(String jobId) throws Exception {
    return rest("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
  }

  /**
   * When the job last switched to RESTARTING (epoch millis; 0 if it never has), from the job's own
   * status timestamps. Not the {@code numRestarts} metric: the REST metric store starts no new
   * fetch while one is in flight, and a fetch that asks a killed TaskManager waits out {@code
   * web.timeout} (10 min), so after a kill the metric stayed stale past the test's wait.
   */
  long lastRestart(String jobId) throws Exception {
    return rest("/jobs/" + jobId).path("timestamps").path("RESTARTING").asLong();
  }

  /** The TaskManagers (their process names) that run tasks of the job. */
  java.util.SortedSet<String> taskManagersOf(String jobId) throws Exception {
    java.util.SortedSet<String> names = new java.util.TreeSet<>();
    for (JsonNode vertex : rest("/jobs/" + jobId).path("vertices")) {
      for (JsonNode tm :
          rest("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/taskmanagers")
              .path("taskmanagers")) {
        names.add(tm.path("taskmanager-id").asText());
      }
    }
    return names;
  }

  /**
   * A process that died of a JVM fatal error: its name, the frame it died in (the report's first
   * line after "Problematic frame:"), and the report, which {@code cluster.sh} writes beside the
   * logs.
   */
  record Crash(String process, String frame, Path report) {
    /**
     * Whether it died in the JVM's own code (VM code, a stub, compiled or interpreted Java) rather
     * than in a native library such as RocksDB's, which the job's use of it could have broken. A
     * report cut short, with no frame, counts as neither: it is not run again.
     */
    boolean inTheJvm() {
      return frame.matches("[VvJj] .*");
    }

    @Override
    public String toString() {
      return process + " died in " + frame + " (" + report + ")";
    }
  }

  /**
   * The processes the script started that are no longer running (killed by a scenario, or gone on
   * their own), each with its log: what a wait that timed out cannot say by itself.
   */
  List<String> exited() throws IOException {
    return exitedIn(home);
  }

  static List<String> exitedIn(Path home) throws IOException {
    Path pids = home.resolve("pid");
    List<String> exited = new ArrayList<>();
    if (!Files.isDirectory(pids)) {
      return exited;
    }
    try (var files = Files.list(pids)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".pid")).sorted().toList()) {
        String name = file.getFileName().toString().replaceFirst("\\.pid$", "");
        long pid = Long.parseLong(Files.readString(file).strip());
        if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) {
          exited.add(
              name + " (pid " + pid + ") is not running: " + home.resolve("log/" + name + ".log"));
        }
      }
    }
    return exited;
  }

  /** The processes that died of a JVM fatal error so far; empty if none did. */
  List<Crash> crashes() throws IOException {
    return crashesIn(home.resolve("log"));
  }

  /** The fatal-error reports in a cluster's log directory. */
  static List<Crash> crashesIn(Path logs) throws IOException {
    List<Crash> crashes = new ArrayList<>();
    try (var reports = Files.list(logs)) {
      for (Path report : reports.filter(p -> p.toString().contains("-hs_err-")).sorted().toList()) {
        String name = report.getFileName().toString();
        String frame =
            Files.readAllLines(report, StandardCharsets.ISO_8859_1).stream()
                .dropWhile(line -> !line.startsWith("# Problematic frame:"))
                .skip(1)
                .findFirst()
                .orElse("# (no frame)")
                .substring(1)
                .strip();
        crashes.add(new Crash(name.substring(0, name.indexOf("-hs_err-")), frame, report));
      }
    }
    return crashes;
  }

  /** Whether every task of the job is running (after a restart, all redeployed). */
  boolean allRunning(String jobId) throws Exception {
    JsonNode job = rest("/jobs/" + jobId);
    if (!job.path("state").asText().equals("RUNNING")) {
      return false;
    }
    for (JsonNode vertex : job.path("vertices")) {
      if (!vertex.path("status").asText().equals("RUNNING")) {
        return false;
      }
    }
    return true;
  }

  private String script(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", script.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("FLINK_LOCAL_HOME", home.toString());
    builder.environment().put("FLINK_LOCAL_REST_PORT", String.valueOf(restPort));
    builder.environment().put("FLINK_LOCAL_RPC_PORT", String.valueOf(rpcPort));
    builder.environment().putAll(jobEnvironment);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      throw new AssertionError("cluster.sh " + String.join(" ", args) + " hung:\n" + out);
    }
    int exit = process.exitValue();
    if (exit != 0) {
      String failed =
          "cluster.sh " + String.join(" ", args) + " failed (exit " + exit + "):\n" + out;
      throw brokenByTheMachine(exit, out)
          ? new JvmCrashed(failed, null)
          : new AssertionError(failed);
    }
    return out;
  }

  /**
   * Whether the script, or the JVM it became, died of a segmentation fault or an abort (exit 128 +
   * SIGSEGV or SIGABRT: bash itself segfaulted once in {@code cluster.sh start}, with nothing
   * written), or a process it started was {@link #abortedOnACorruptHeap}: the memory corruption
   * {@link JvmCrashed} describes, in a process that runs none of riskstream's code.
   */
  static boolean brokenByTheMachine(int exitValue, String output) {
    return exitValue == 128 + 11 || exitValue == 128 + 6 || abortedOnACorruptHeap(output);
  }

  /**
   * Whether a process the script started was aborted by the C library's own heap checks, such as
   * "malloc(): unaligned tcache chunk detected" on this machine: at a JVM's start, before any of
   * riskstream's code ran, the memory corruption {@link JvmCrashed} describes.
   */
  static boolean abortedOnACorruptHeap(String output) {
    return output
        .lines()
        .anyMatch(
            line ->
                line.matches(
                    "(malloc|free|realloc)\\(\\)(: .*)?|double free or corruption.*"
                        + "|corrupted (size vs\\. prev_size|double-linked list).*"));
  }

  @Override
  public void close() throws Exception {
    stop();
  }
}
