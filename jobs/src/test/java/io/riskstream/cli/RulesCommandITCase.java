package io.riskstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.testing.KafkaStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code riskstream rules publish} and {@code history} against a real broker and registry. */
class RulesCommandITCase {
  @RegisterExtension static final KafkaStack STACK = new KafkaStack();

  @TempDir Path dir;

  private static CliRun rules(String... args) {
    List<String> all = new ArrayList<>(List.of("rules"));
    all.addAll(List.of(args));
    all.addAll(
        List.of(
            "--set",
            "kafka.bootstrap-servers=" + STACK.kafka().bootstrapServers(),
            "--set",
            "registry.url=" + STACK.registry().url(),
            "--set",
            "topics.rules=rc-rules"));
    return CliRun.of(all.toArray(String[]::new));
  }

  @Test
  void publishesOnlyWhatChangedNumberedAboveTheLastAndListsTheHistory() throws Exception {
    io.riskstream.kafka.KafkaTopics.create(
        STACK.kafka().bootstrapServers(), java.util.Map.of("rc-rules", 1));
    Path first =
        Files.writeString(dir.resolve("v1.yaml"), "rules:\n  large-amount: {limit: 75000.00}\n");
    Path second =
        Files.writeString(
            dir.resolve("v2.yaml"),
            "rules:\n  large-amount: {limit: 75000.00, merchants: {M-7: {limit: 60000.00}}}\n");
    Path shadow =
        Files.writeString(dir.resolve("v3.yaml"), "rules:\n  large-amount: {limit: 50000.00}\n");

    CliRun empty = rules("history");
    CliRun initial = rules("publish", first.toString(), "--author", "priya", "--reason", "start");
    CliRun again = rules("publish", first.toString(), "--author", "priya", "--reason", "again");
    CliRun change =
        rules(
            "publish",
            second.toString(),
            "--author",
            "priya",
            "--reason",
            "M-7 chargebacks",
            "--effective-from",
            "2026-12-02T00:00+05:30");
    CliRun trial =
        rules("publish", shadow.toString(), "--author", "arun", "--reason", "try 50k", "--shadow");
    Path versions = dir.resolve("rule-history.jsonl");
    CliRun history = rules("history", "large-amount", "--out", versions.toString());

    assertThat(empty.exitCode()).isZero();
    assertThat(empty.out().strip())
        .isEqualTo("no rule versions on rc-rules: the job runs on its rules file");
    assertThat(initial.exitCode()).as(initial.err()).isZero();
    // Only what differs from the job's rules file (here none: the built-in rules) is published.
    assertThat(initial.out().lines())
        .containsExactly(
            "large-amount v2 ACTIVE, effective " + initialEffective(initial),
            "  large-amount: limit 100000.00 → 75000.00",
            "1 rule version published to rc-rules");
    assertThat(again.out().strip())
        .isEqualTo("nothing to publish: every rule is as its latest version on rc-rules");
    assertThat(change.out().lines())
        .containsExactly(
            "large-amount v3 ACTIVE, effective 2026-12-01T18:30:00Z",
            "  large-amount for M-7: limit — → 60000.00",
            "1 rule version published to rc-rules");
    List<String> trialLines = trial.out().lines().toList();
    assertThat(trialLines).hasSize(4);
    assertThat(trialLines.get(0)).startsWith("large-amount v4 SHADOW, effective ");
    assertThat(trialLines.subList(1, 3))
        .containsExactly(
            "  large-amount: limit 75000.00 → 50000.00",
            "  large-amount for M-7: limit 60000.00 → —");
    assertThat(trialLines.get(3)).isEqualTo("1 rule version published to rc-rules");
    assertThat(history.out().lines())
        .hasSize(3)
        .satisfies(
            lines -> {
              assertThat(lines.get(0)).matches("large-amount +v2 +ACTIVE .* by priya: start .*");
              assertThat(lines.get(1))
                  .matches(
                      "large-amount +v3 +ACTIVE +effective 2026-12-01T18:30:00Z  by priya: M-7"
                          + " chargebacks .*");
              assertThat(lines.get(2)).matches("large-amount +v4 +SHADOW .* by arun: try 50k .*");
            });
    // What backtest --rule-history replays: every version, in topic order, as JSON lines.
    assertThat(Files.readAllLines(versions))
        .hasSize(3)
        .satisfiesExactly(
            v2 -> assertThat(v2).contains("\"version\":2,\"mode\":\"ACTIVE\""),
            v3 -> assertThat(v3).contains("\"version\":3,\"mode\":\"ACTIVE\""),
            v4 ->
                assertThat(v4)
                    .contains("\"version\":4,\"mode\":\"SHADOW\"")
                    .contains("\"author\":\"arun\""));
  }

  /** The effective time the command printed (now, by default). */
  private static String initialEffective(CliRun run) {
    return run.out().lines().findFirst().orElseThrow().replaceFirst(".*, effective ", "");
  }

  @Test
  void anInvalidFileIsRefusedBeforeAnythingIsWritten() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "rules:\n  large-amount: {limit: 0}\n");

    String line = rules("publish", bad.toString(), "--author", "a", "--reason", "r").mistake();

    assertThat(line)
        .isEqualTo(
            "riskstream rules publish: nothing published: "
                + bad
                + ": invalid 'rules.large-amount.limit': expected a positive amount such as"
                + " 100000.00 (riskstream rules validate)");
  }
}
