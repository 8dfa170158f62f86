package io.riskstream.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code riskstream broker} (the demo jar's embedded broker, and registry unless told not to) in a
 * child JVM. The benchmark runs it there because the broker's Scala 2.13 cannot share a class path
 * with the SQL planner's Scala 2.12, and to keep the broker's garbage out of the measured JVM; the
 * fault suite, to kill it with {@code -9} and start it again on the same port and data directory.
 */
public final class BrokerProcess implements AutoCloseable {
  private static final Pattern SETTING = Pattern.compile("--set ([a-z.-]+)=(\\S+)");

  private final Process process;
  private final String bootstrapServers;
  private final String registryUrl;

  private BrokerProcess(Process process, String bootstrapServers, String registryUrl) {
    this.process = process;
    this.bootstrapServers = bootstrapServers;
    this.registryUrl = registryUrl;
  }

  /** A broker on free ports with its registry; its logs are deleted when it stops. */
  public static BrokerProcess start(Path demoJar, Path log) throws IOException {
    return start(demoJar, log, List.of());
  }

  /**
   * A broker started with {@code flags} ({@code --kafka-port}, {@code --data-dir}, {@code
   * --no-registry}, ...); returns once it printed its settings.
   */
  public static BrokerProcess start(Path demoJar, Path log, List<String> flags) throws IOException {
    if (!Files.isRegularFile(demoJar)) {
      throw new IllegalArgumentException(
          "no demo jar at "
              + demoJar
              + ": build it first (mvn -B -q -DskipTests package) or pass --demo-jar");
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command =
        new ArrayList<>(List.of(java.toString(), "-Xmx2g", "-jar", demoJar.toString(), "broker"));
    command.addAll(flags);
    Process process =
        new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("--set kafka.bootstrap-servers=")) {
        String bootstrap = null;
        String registry = null;
        Matcher m = SETTING.matcher(line);
        while (m.find()) {
          if (m.group(1).equals("kafka.bootstrap-servers")) {
            bootstrap = m.group(2);
          } else if (m.group(1).equals("registry.url")) {
            registry = m.group(2);
          }
        }
        return new BrokerProcess(process, bootstrap, registry);
      }
    }
    process.destroy();
    throw new IllegalStateException("the broker process ended before it started; see " + log);
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The registry's URL, or {@code null} when started with {@code --no-registry}. */
  public String registryUrl() {
    return registryUrl;
  }

  /** The broker's process id: the benchmark counts its CPU time per event. */
  public long pid() {
    return process.pid();
  }

  /** {@code kill -9}: no shutdown hook runs, the broker's logs stay as a crash leaves them. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy(); // SIGTERM: its shutdown hook stops the broker cleanly
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
