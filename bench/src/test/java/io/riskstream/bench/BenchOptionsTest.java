package io.riskstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The harness's command line: a user mistake is one line and exit code 2, nothing started. */
class BenchOptionsTest {
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cmd = Bench.commandLine();
    cmd.setErr(new PrintWriter(err, true));
    return cmd.execute(args);
  }

  @Test
  void shouldNameTheMistypedKeyOfASet() {
    assertThat(run("--set", "checkpoints.intervall=5 s")).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("riskstream-bench: ")
        .contains("checkpoints.intervall")
        .contains("checkpoints.interval")
        .doesNotContain("\tat ");
  }

  @Test
  void shouldRefuseASetThatBreaksExactlyOnce() {
    assertThat(run("--set", "checkpoints.interval=10 min")).isEqualTo(2);
    assertThat(err.toString()).contains("kafka.transaction-timeout").doesNotContain("\tat ");
  }

  @Test
  void shouldRefuseToMeasureWithoutAWarmUp() {
    assertThat(run("--warm-ups", "0")).isEqualTo(2);
    assertThat(err.toString())
        .contains("--warm-ups")
        .contains("at least 1")
        .doesNotContain("\tat ");
  }

  @Test
  void shouldSayWhereTheDemoJarWasLookedFor() {
    assertThat(run("--demo-jar", "no/such/riskstream-demo.jar")).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "riskstream-bench: no demo jar at "
                + java.nio.file.Path.of("no/such/riskstream-demo.jar").toAbsolutePath()
                + ": run from the repository's root after mvn -B -q -DskipTests package, or pass"
                + " --demo-jar"
                + System.lineSeparator());
  }

  @Test
  void shouldReadTheGapBetweenScenariosAsTheConfigurationWritesDurations() {
    Bench bench = new Bench();
    new CommandLine(bench).parseArgs("--case-gap", "30 ms");
    assertThat(bench.caseGap).isEqualTo(java.time.Duration.ofMillis(30));
    new CommandLine(bench = new Bench()).parseArgs();
    assertThat(bench.caseGap).isEqualTo(java.time.Duration.ofSeconds(3));
    assertThat(run("--case-gap", "0 s")).isEqualTo(2);
    assertThat(err.toString())
        .startsWith(
            "Invalid value for option '--case-gap': '0 s' is not a positive duration such as 10 s"
                + " or 1 min")
        .doesNotContain("\tat ");
  }

  @Test
  void shouldTurnTheMicroBenchmarksOff() {
    Bench bench = new Bench();
    new CommandLine(bench).parseArgs("--no-micro");
    assertThat(bench.micro).isFalse();
    new CommandLine(bench = new Bench()).parseArgs();
    assertThat(bench.micro).isTrue();
  }
}
