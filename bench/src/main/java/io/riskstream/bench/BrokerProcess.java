package io.riskstream.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The embedded broker and registry of {@code riskstream broker} (the demo jar), in a child JVM: the
 * broker's Scala 2.13 cannot share a class path with the SQL planner's Scala 2.12. It also keeps
 * the broker's garbage out of the measured JVM, as on a real deployment.
 */
final class BrokerProcess implements AutoCloseable {
  private final Process process;
  final String bootstrapServers;
  final String registryUrl;

  private BrokerProcess(Process process, String bootstrapServers, String registryUrl) {
    this.process = process;
    this.bootstrapServers = bootstrapServers;
    this.registryUrl = registryUrl;
  }

  static BrokerProcess start(Path demoJar, Path log) throws IOException {
    if (!Files.isRegularFile(demoJar)) {
      throw new IllegalArgumentException(
          "no demo jar at "
              + demoJar
              + ": build it first (mvn -B -q -DskipTests package) or pass --demo-jar");
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process =
        new ProcessBuilder(java.toString(), "-Xmx2g", "-jar", demoJar.toString(), "broker")
            .redirectError(log.toFile())
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("kafka.bootstrap-servers=")) {
        String[] settings = line.split(" ");
        return new BrokerProcess(
            process,
            settings[0].substring("kafka.bootstrap-servers=".length()),
            settings[1].substring("registry.url=".length()));
      }
    }
    process.destroy();
    throw new IllegalStateException("the broker process ended before it started; see " + log);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy(); // SIGTERM: its shutdown hook stops the broker and deletes its logs
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
