package io.riskstream.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.config.ConfigException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulesTest {
  @TempDir Path dir;

  private Path rules(String yaml) throws Exception {
    return rules("rules.yaml", yaml);
  }

  private Path rules(String name, String yaml) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void defaultsAreThoseOfTheSpec() {
    Rules rules = Rules.defaults();

    assertThat(rules.matchWindow()).isEqualTo(Duration.ofMinutes(30));
    assertThat(rules.utrRetention()).isEqualTo(Duration.ofDays(30));
    assertThat(rules.largeAmount(null))
        .isEqualTo(
            new Rules.LargeAmount(
                new Rules.RuleVersion("large-amount", 1),
                new BigDecimal("100000.00"),
                new BigDecimal("10000.00"),
                true));
  }

  @Test
  void aRulesFileOverridesOnlyWhatItNames() throws Exception {
    Rules rules =
        Rules.load(
            rules(
                "match-window: 15 min\nrules:\n  large-amount:\n    version: 2\n    limit: 50000\n"));

    assertThat(rules.matchWindow()).isEqualTo(Duration.ofMinutes(15));
    assertThat(rules.utrRetention()).isEqualTo(Duration.ofDays(30));
    assertThat(rules.largeAmount("M-1").limit()).isEqualByComparingTo("50000");
    assertThat(rules.largeAmount("M-1").adminLimit()).isEqualByComparingTo("10000");
    assertThat(rules.largeAmount("M-1").rule().version()).isEqualTo(2);
  }

  @Test
  void badKeysAndValuesAreNamed() throws Exception {
    Path typo = rules("rules:\n  large-amount:\n    limt: 5\n");
    assertThatThrownBy(() -> Rules.load(typo))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            typo
                + ": unknown rules key 'rules.large-amount.limt'; known here: version, enabled, limit, admin-limit,"
                + " merchants");
    Path negative = rules("rules:\n  large-amount:\n    merchants:\n      M-9: {limit: -5}\n");
    assertThatThrownBy(() -> Rules.load(negative))
        .hasMessage(
            negative
                + ": invalid 'rules.large-amount.merchants.M-9.limit': expected a positive amount such"
                + " as 100000.00");
    Path window = rules("match-window: forever\n");
    assertThatThrownBy(() -> Rules.load(window))
        .hasMessage(
            window
                + ": invalid 'match-window': 'forever'; expected a positive duration such as 30 min or 30 d");
  }

  @Test
  void everyRuleTakesItsSettingsAndMerchantOverrides() throws Exception {
    Rules rules =
        Rules.load(
            rules(
                "rules:\n"
                    + "  forged-utr:\n"
                    + "    utr-patterns: {IMPS: '[0-9]{12}'}\n"
                    + "    merchants:\n"
                    + "      M-7: {version: 4, severity: {NO_BANK_RECORD: CRITICAL}}\n"
                    + "  ip-burst: {distinct-payers: 3, window: 5 min}\n"));

    assertThat(rules.forgedUtr("M-1").wellFormed("ABCDEF123456", "IMPS")).isFalse();
    assertThat(rules.forgedUtr("M-1").wellFormed("ABCDEF123456", "NEFT")).isTrue();
    assertThat(rules.forgedUtr("M-1").wellFormed("41234567890", null)).isFalse();
    assertThat(rules.forgedUtr("M-7").basic().severity(Reason.NO_BANK_RECORD))
        .isEqualTo(io.riskstream.avro.Severity.CRITICAL);
    assertThat(rules.forgedUtr("M-7").basic().severity(Reason.INVALID_FORMAT))
        .isEqualTo(io.riskstream.avro.Severity.HIGH);
    assertThat(rules.forgedUtr("M-7").basic().rule())
        .isEqualTo(new Rules.RuleVersion("forged-utr", 4));
    assertThat(rules.forgedUtr("M-1").basic().rule().version()).isEqualTo(1);
    assertThat(rules.ipBurst().distinctPayers()).isEqualTo(3);
    assertThat(rules.ipBurst().window()).isEqualTo(Duration.ofMinutes(5));

    Path badSeverity = rules("rules:\n  amount-mismatch:\n    severity: {UNDERPAID: URGENT}\n");
    assertThatThrownBy(() -> Rules.load(badSeverity))
        .hasMessage(
            badSeverity
                + ": invalid 'rules.amount-mismatch.severity.UNDERPAID': expected LOW, MEDIUM, HIGH or"
                + " CRITICAL");
  }

  @Test
  void severitiesDefaultToTheContractsAndAreOverriddenPerReason() throws Exception {
    Rules defaults = Rules.defaults();
    Rules tuned = Rules.load(rules("rules:\n  amount-mismatch:\n    severity: {OVERPAID: LOW}\n"));

    // docs/contract.md: UNDERPAID HIGH, OVERPAID MEDIUM, UTR_REUSED CRITICAL, CHAIN_BREAK HIGH.
    assertThat(defaults.amountMismatch(null).severities())
        .containsExactlyInAnyOrderEntriesOf(
            java.util.Map.of(
                Reason.UNDERPAID,
                io.riskstream.avro.Severity.HIGH,
                Reason.OVERPAID,
                io.riskstream.avro.Severity.MEDIUM));
    assertThat(defaults.duplicatePayment(null).severity(Reason.UTR_REUSED))
        .isEqualTo(io.riskstream.avro.Severity.CRITICAL);
    assertThat(defaults.balanceMismatch().severity(Reason.CHAIN_BREAK))
        .isEqualTo(io.riskstream.avro.Severity.HIGH);
    assertThat(tuned.amountMismatch("M-1").severity(Reason.OVERPAID))
        .isEqualTo(io.riskstream.avro.Severity.LOW);
    assertThat(tuned.amountMismatch("M-1").severity(Reason.UNDERPAID))
        .isEqualTo(io.riskstream.avro.Severity.HIGH);
  }

  @Test
  void overridesThatCouldNeverApplyAreRefused() throws Exception {
    Path ipMerchant =
        rules("ip.yaml", "rules:\n  ip-burst:\n    merchants:\n      M-1: {window: 5 min}\n");
    Path otherReason =
        rules("reason.yaml", "rules:\n  amount-mismatch:\n    severity: {UTR_REUSED: LOW}\n");
    Path largeSeverity =
        rules(
            "large.yaml",
            "rules:\n  large-amount:\n    merchants:\n      M-1: {severity: {PAYMENT_OVER_LIMIT:"
                + " LOW}}\n");

    assertThatThrownBy(() -> Rules.load(ipMerchant))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            ipMerchant
                + ": 'rules.ip-burst.merchants' cannot apply: ip-burst decides without a merchant"
                + " (one IP's payers span merchants); remove the override");
    assertThatThrownBy(() -> Rules.load(otherReason))
        .hasMessage(
            otherReason
                + ": invalid 'rules.amount-mismatch.severity.UTR_REUSED': expected one of the"
                + " reasons [UNDERPAID, OVERPAID]");
    assertThatThrownBy(() -> Rules.load(largeSeverity))
        .hasMessageStartingWith(
            largeSeverity
                + ": invalid 'rules.large-amount.merchants.M-1.severity': expected no severity: a"
                + " large amount's follows the amount");
  }

  @Test
  void aRetentionShorterThanTheMatchWindowIsRefused() throws Exception {
    Path shortRetention = rules("short.yaml", "match-window: 2 h\norder-retention: 1 h\n");

    assertThatThrownBy(() -> Rules.load(shortRetention))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            shortRetention
                + ": invalid 'order-retention': expected at least match-window (2 h): a key cleared"
                + " before its window closes");
  }
}
