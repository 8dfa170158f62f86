package io.riskstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code riskstream rules validate} and {@code diff}: files only, no Kafka. */
class RulesCommandTest {
  @TempDir Path dir;

  @Test
  void validateReportsEveryBadRuleOnItsOwnLineWithItsPath() throws Exception {
    Path bad =
        Files.writeString(
            dir.resolve("bad.yaml"),
            """
            rules:
              large-amount: {limit: -5}
              ip-burst: {distinct-payers: 1}
              pending-too-long:
                sla: {BANK_PENDING: 9 d}
              forged-utr: {version: 2}
            """);

    CliRun run = CliRun.of("rules", "validate", bad.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out().lines())
        .containsExactly(
            bad
                + ": invalid 'rules.large-amount.limit': expected a positive amount such as 100000.00",
            bad + ": invalid 'rules.ip-burst.distinct-payers': expected a whole number >= 2",
            bad
                + ": invalid 'rules.pending-too-long.sla.BANK_PENDING': expected at most 7 d"
                + " (order-retention): the state it waits in is not kept longer",
            "3 problems in " + bad);
  }

  @Test
  void validateAcceptsAGoodFile() throws Exception {
    Path good =
        Files.writeString(
            dir.resolve("good.yaml"), "rules:\n  suspicious-refund: {refund-window: 15 min}\n");

    CliRun run = CliRun.of("rules", "validate", good.toString());

    assertThat(run.exitCode()).isZero();
    assertThat(run.out().strip()).isEqualTo(good + ": valid");
  }

  @Test
  void diffShowsEachChangedSettingPerRuleAndMerchant() throws Exception {
    Path before =
        Files.writeString(
            dir.resolve("before.yaml"),
            "rules:\n  large-amount: {merchants: {M-9: {limit: 20000.00}}}\n");
    Path after =
        Files.writeString(
            dir.resolve("after.yaml"),
            """
            rules:
              large-amount:
                limit: 75000.00
                merchants:
                  M-7: {version: 2, limit: 50000.00}
              status-mismatch: {enabled: false, severity: {LEDGER_WITHOUT_SUCCESS: HIGH}}
            """);

    CliRun run = CliRun.of("rules", "diff", before.toString(), after.toString());

    assertThat(run.exitCode()).isZero();
    assertThat(run.out().lines())
        .containsExactly(
            "large-amount: limit 100000.00 → 75000.00",
            "large-amount for M-7: limit — → 50000.00",
            "large-amount for M-7: version — → 2",
            "large-amount for M-9: limit 20000.00 → —",
            "status-mismatch: enabled true → false",
            "status-mismatch: severity.LEDGER_WITHOUT_SUCCESS — → HIGH");
  }

  @Test
  void aMissingFileIsOneLine() {
    String line = CliRun.of("rules", "validate", dir.resolve("none.yaml").toString()).mistake();

    assertThat(line)
        .startsWith(
            "riskstream rules validate: rules file "
                + dir.resolve("none.yaml")
                + " does not exist");
  }
}
