package io.riskstream.detect;

import static io.riskstream.testing.RuleUpdates.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.RuleMode;
import io.riskstream.avro.RuleUpdate;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which settings decide an event at each event time (docs/rules.md). */
class RuleBookTest {
  private static final Instant T = Instant.parse("2026-12-02T00:00:00Z");
  private static final long BEFORE = T.toEpochMilli() - 1;
  private static final long AT = T.toEpochMilli();

  private static RuleBook book(RuleUpdate... published) {
    return RuleBook.defaults().with(List.of(published));
  }

  @Test
  void aVersionDecidesFromItsEffectiveFromOnNotBefore() {
    RuleBook book =
        book(
            update(
                "large-amount",
                2,
                RuleMode.ACTIVE,
                "limit: 75000.00\nmerchants: {M-7: {limit: 50000.00}}\n",
                T));
    RulesInForce rules = book.view();

    assertThat(rules.at(BEFORE).largeAmount("M-7").limit()).isEqualByComparingTo("100000.00");
    assertThat(rules.at(BEFORE).largeAmount("M-7").rule().version()).isEqualTo(1);
    assertThat(rules.at(AT).largeAmount(null).limit()).isEqualByComparingTo("75000.00");
    assertThat(rules.at(AT).largeAmount("M-7").limit()).isEqualByComparingTo("50000.00");
    // The merchant's override is part of version 2: its alerts name version 2.
    assertThat(rules.at(AT).largeAmount("M-7").rule())
        .isEqualTo(new Rules.RuleVersion("large-amount", 2));
    // The other rules stay the rules file's.
    assertThat(rules.at(AT).ipBurst().distinctPayers()).isEqualTo(5);
  }

  @Test
  void theHighestVersionInForceWinsAndALaterEffectiveFromWaitsItsTurn() {
    RuleBook book =
        book(
            update("ip-burst", 2, RuleMode.ACTIVE, "distinct-payers: 4\n", T),
            update(
                "ip-burst",
                3,
                RuleMode.ACTIVE,
                "distinct-payers: 6\n",
                T.plus(Duration.ofHours(1))),
            // Published later, effective earlier: from T - 1 h it is the team's word.
            update(
                "ip-burst",
                4,
                RuleMode.ACTIVE,
                "distinct-payers: 3\n",
                T.minus(Duration.ofHours(1))));
    RulesInForce rules = book.view();

    assertThat(rules.at(AT - Duration.ofHours(2).toMillis()).ipBurst().distinctPayers())
        .isEqualTo(5);
    assertThat(rules.at(AT - Duration.ofHours(1).toMillis()).ipBurst().distinctPayers())
        .isEqualTo(3);
    assertThat(rules.at(AT).ipBurst().distinctPayers()).isEqualTo(3);
    assertThat(rules.at(AT + Duration.ofHours(2).toMillis()).ipBurst().distinctPayers())
        .isEqualTo(3);
  }

  @Test
  void aDisabledVersionSwitchesTheRuleOffForEveryoneFromItsTime() {
    RuleBook book =
        book(
            update(
                "large-amount",
                2,
                RuleMode.DISABLED,
                "merchants: {M-7: {enabled: true, limit: 50000.00}}\n",
                T));

    assertThat(book.view().at(BEFORE).enabled("large-amount", "M-7")).isTrue();
    assertThat(book.view().at(AT).enabled("large-amount", "M-7")).isFalse();
    assertThat(book.view().at(AT).enabled("large-amount", null)).isFalse();
  }

  @Test
  void aShadowVersionDecidesOnlyInTheShadowView() {
    RuleBook book = book(update("large-amount", 2, RuleMode.SHADOW, "limit: 50000.00\n", T));

    assertThat(book.view().at(AT).largeAmount(null).limit()).isEqualByComparingTo("100000.00");
    assertThat(book.shadow().view().at(AT).largeAmount(null).limit())
        .isEqualByComparingTo("50000.00");
    assertThat(book.isShadowVersion("large-amount", 2)).isTrue();
    assertThat(book.isShadowVersion("large-amount", 1)).isFalse();
  }

  @Test
  void problemsNameTheRuleTheVersionOrTheKey() {
    RuleBook book = RuleBook.defaults();

    assertThat(book.problem(update("nope", 2, RuleMode.ACTIVE, "enabled: true\n", T), 1))
        .isEqualTo(
            "unknown rule 'nope'; known: amount-mismatch, balance-mismatch, counterparty-mismatch,"
                + " duplicate-payment, forged-utr, ip-burst, large-amount, missing-order,"
                + " pending-too-long, status-mismatch, suspicious-refund, utr-typo");
    assertThat(book.problem(update("large-amount", 3, RuleMode.ACTIVE, "limit: 50000.00\n", T), 3))
        .isEqualTo("large-amount version 3 is not above its last version, 3");
    assertThat(book.problem(update("large-amount", 2, RuleMode.ACTIVE, "limits: 5\n", T), 1))
        .isEqualTo(
            "rule update large-amount v2: unknown rules key 'rules.large-amount.limits'; known"
                + " here: version, enabled, limit, admin-limit, merchants");
    assertThat(book.problem(update("ip-burst", 2, RuleMode.ACTIVE, "window: soon\n", T), 1))
        .isEqualTo(
            "rule update ip-burst v2: invalid 'rules.ip-burst.window': 'soon'; expected a positive"
                + " duration such as 30 min or 30 d");
    assertThat(book.problem(update("ip-burst", 2, RuleMode.ACTIVE, "window: 5 min\n", T), 1))
        .isNull();
  }

  @Test
  void eachRuleKeepsItsLatestVersionsOnly() {
    List<RuleUpdate> updates = new ArrayList<>();
    for (int v = 2; v < 2 + RuleBook.KEPT + 5; v++) {
      updates.add(
          update(
              "large-amount",
              v,
              RuleMode.ACTIVE,
              "limit: " + (1000 * v) + ".00\n",
              T.plus(Duration.ofDays(v))));
    }
    RulesInForce rules = RuleBook.defaults().with(updates).view();

    // Versions 2 to 6 are gone: their days fall back to the rules file, not to a dropped version.
    assertThat(rules.at(T.plus(Duration.ofDays(3)).toEpochMilli()).largeAmount(null).limit())
        .isEqualByComparingTo("100000.00");
    assertThat(rules.at(T.plus(Duration.ofDays(7)).toEpochMilli()).largeAmount(null).limit())
        .isEqualByComparingTo(new BigDecimal("7000.00"));
  }
}
