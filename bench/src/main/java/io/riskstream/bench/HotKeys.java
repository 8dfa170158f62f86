package io.riskstream.bench;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Runs the hot-key benchmark (JMH, {@code HotKeyBenchmark}) and writes its section of RESULTS.md:
 * µs per event on a UTR, an IP and an account holding 10, 1,000 and 100,000 entries.
 *
 * <p>Run: {@code java -Xms8g -Xmx8g -XX:+AlwaysPreTouch -cp bench/target/riskstream-bench.jar
 * io.riskstream.bench.HotKeys bench/RESULTS.md} (about 10 minutes).
 */
public final class HotKeys {
  private HotKeys() {}

  public static void main(String[] args) throws Exception {
    Path results = Path.of(args.length > 0 ? args[0] : "bench/RESULTS.md");
    FixedHeap.warnUnlessHeld(System.out); // JMH's fork inherits this JVM's flags
    List<String> rows = Micro.run("io\\.riskstream\\.bench\\.jmh\\.HotKeyBenchmark.*");
    ResultsSection.write(
        results,
        "hot keys",
        "## Hot keys: µs per event on a key holding that many entries ("
            + Instant.now().truncatedTo(ChronoUnit.SECONDS)
            + ", "
            + Runtime.getRuntime().availableProcessors()
            + " cores)\n\n"
            + "Flat across `entries` is the goal (bench/README.md, \"Hot keys\").\n\n"
            + "```\njava "
            + FixedHeap.FLAGS
            + " -cp bench/target/riskstream-bench.jar io.riskstream.bench.HotKeys"
            + " bench/RESULTS.md\n```\n\n"
            + "| benchmark | parameters | µs per event |\n|---|---|---:|\n"
            + String.join("\n", rows)
            + "\n");
    System.out.println(String.join("\n", rows));
  }
}
