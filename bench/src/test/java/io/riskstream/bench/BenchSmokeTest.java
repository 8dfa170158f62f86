package io.riskstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The harness end to end on a few thousand events, so that it keeps working: every phase runs, the
 * peer agrees with riskstream, and the report holds every section. Its figures mean nothing at this
 * size; the real ones are in bench/RESULTS.md.
 */
class BenchSmokeTest {
  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void shouldMeasureEveryPhaseAndWriteTheReport(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("RESULTS.md");

    int exit =
        new CommandLine(new Bench())
            .execute(
                "--events",
                "4000",
                "--runs",
                "1",
                "--latency-seconds",
                "3",
                "--no-micro",
                "--demo-jar",
                "../demo/target/riskstream-demo.jar",
                "--out",
                report.toString());

    assertThat(exit).as("exit code (1 = the peer disagreed)").isZero();
    String md = Files.readString(report);
    assertThat(md)
        .contains("| limit: bare KafkaConsumers, decode only |")
        .contains("| riskstream `detect` (all seven alert types), drained from earliest |")
        .contains("| Flink SQL peer")
        .contains("They agree on every key.")
        .contains("| p99 |")
        .contains("| UtrMatcher, per UTR |")
        .contains("| ≤ 200 B of state per open UTR |");
    assertThat(md).doesNotContain("NaN").doesNotContain("Infinity");
    assertThat(md).as("--no-micro skips JMH").doesNotContain("## Micro-benchmarks");
  }
}
