package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Evidence;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules about an account's ledger, applied to its SUCCESS lines in event-time order (ties by
 * log_id): BALANCE_MISMATCH (ARITHMETIC, CHAIN_BREAK) and LARGE_AMOUNT / LEDGER_OVER_LIMIT. Plain
 * Java.
 */
public final class BalanceRules {

  private BalanceRules() {}

  /**
   * What {@code line} raises, given the account's previous SUCCESS line ({@code previous}, or
   * null).
   */
  public static List<Alert> check(BalanceChange previous, BalanceChange line, Rules rules) {
    List<Alert> alerts = new ArrayList<>();
    BigDecimal opening = line.getOpeningBalance();
    Rules.Basic settings = rules.balanceMismatch();
    if (opening != null && opening.add(line.getAmount()).compareTo(line.getClosingBalance()) != 0) {
      String summary =
          String.format(
              "Ledger line %s on account %s does not add up: opening %s + amount %s = %s, but the closing balance is %s",
              line.getLogId(),
              Masked.account(line.getAccountId()),
              Money.format(opening),
              Money.format(line.getAmount()),
              Money.format(opening.add(line.getAmount())),
              Money.format(line.getClosingBalance()));
      alerts.add(alert(Reason.ARITHMETIC, settings, summary, line, List.of(Alerts.evidence(line))));
    }
    if (previous != null
        && opening != null
        && opening.compareTo(previous.getClosingBalance()) != 0) {
      String summary =
          String.format(
              "Ledger line %s on account %s opens at %s, but the previous line %s closed at %s (difference %s)",
              line.getLogId(),
              Masked.account(line.getAccountId()),
              Money.format(opening),
              previous.getLogId(),
              Money.format(previous.getClosingBalance()),
              Money.format(opening.subtract(previous.getClosingBalance())));
      alerts.add(
          alert(
              Reason.CHAIN_BREAK,
              settings,
              summary,
              line,
              List.of(Alerts.evidence(previous), Alerts.evidence(line))));
    }
    Alert large = LargeAmountRule.check(line, rules);
    if (large != null) {
      alerts.add(large);
    }
    return alerts;
  }

  private static Alert alert(
      Reason reason,
      Rules.Basic settings,
      String summary,
      BalanceChange line,
      List<Evidence> evidence) {
    return Alerts.about(
        Alerts.alert(
            reason,
            settings.severity(reason),
            settings.rule(),
            summary,
            evidence,
            line.getEventTime()),
        line);
  }
}
