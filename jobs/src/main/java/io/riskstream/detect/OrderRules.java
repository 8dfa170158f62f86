package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Payment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The rules about one order (docs/contract.md (Alerts)): ORDER_PAID_TWICE, LEDGER_DOUBLE_CREDIT,
 * LEDGER_WITHOUT_ORDER and PAYMENT_OVER_LIMIT. Plain Java, like {@link UtrRules}: the findings that
 * are final once the watermark is at {@code watermark}.
 */
public final class OrderRules {

  /**
   * Ledger types that must belong to an order: 321 recharge, 323 payment, 331 purchase, 332
   * renewal.
   */
  public static final Set<Integer> ORDER_TYPE_CODES = Set.of(321, 323, 331, 332);

  private OrderRules() {}

  /**
   * @param successesByUtr the earliest SUCCESS payment of the order for each UTR it was confirmed
   *     with
   * @param lines the order's SUCCESS ledger lines
   * @param firstPayment the earliest payment of the order of any status, or null
   * @param largest the earliest payment at or over the large-amount limit, with its alert, or null
   */
  public static List<Finding> evaluate(
      String orderNo,
      Collection<Payment> successesByUtr,
      Collection<BalanceChange> lines,
      Payment firstPayment,
      Alert largest,
      long watermark,
      Rules rules) {
    List<Finding> findings = new ArrayList<>();

    List<Payment> successes = successesByUtr.stream().sorted(EventOrder.PAYMENTS).toList();
    for (int i = 1; i < successes.size(); i++) {
      Payment second = successes.get(i);
      if (millis(second.getEventTime()) <= watermark) {
        findings.add(paidTwice(successes.get(0), second, rules));
      }
    }

    Map<Integer, List<BalanceChange>> byType = new TreeMap<>();
    lines.stream()
        .sorted(EventOrder.LINES)
        .forEach(l -> byType.computeIfAbsent(l.getTypeCode(), t -> new ArrayList<>()).add(l));
    for (List<BalanceChange> sameType : byType.values()) {
      for (int i = 1; i < sameType.size(); i++) {
        BalanceChange again = sameType.get(i);
        if (millis(again.getEventTime()) <= watermark) {
          findings.add(doubleCredit(sameType.get(0), again, firstPayment, rules));
        }
      }
    }

    long w = rules.matchWindow().toMillis();
    for (BalanceChange line : lines) {
      long due = millis(line.getEventTime()) + w;
      if (ORDER_TYPE_CODES.contains(line.getTypeCode())
          && due <= watermark
          && (firstPayment == null || millis(firstPayment.getEventTime()) > due)) {
        findings.add(withoutOrder(orderNo, line, due, rules));
      }
    }

    if (largest != null && millis(largest.getEventTime()) <= watermark) {
      findings.add(new Finding("large", largest));
    }
    return findings;
  }

  private static Finding paidTwice(Payment first, Payment second, Rules rules) {
    String summary =
        String.format(
            "Order %s (%s) was confirmed paid twice: with UTR %s at %s and with UTR %s at %s",
            second.getOrderNo(),
            Money.format(second.getAmount()),
            first.getUtr(),
            first.getEventTime(),
            second.getUtr(),
            second.getEventTime());
    Rules.Basic settings = rules.duplicatePayment(second.getMerchantId());
    Alert alert =
        Alerts.about(
            Alerts.alert(
                Reason.ORDER_PAID_TWICE,
                settings.severity(Reason.ORDER_PAID_TWICE),
                settings.rule(),
                summary,
                List.of(Alerts.evidence(first), Alerts.evidence(second)),
                second.getEventTime()),
            second);
    return new Finding("paid-twice|" + second.getUtr(), alert);
  }

  private static Finding doubleCredit(
      BalanceChange first, BalanceChange again, Payment payment, Rules rules) {
    String merchant = payment == null ? null : payment.getMerchantId();
    String summary =
        String.format(
            "Order %s was credited twice to account %s: ledger lines %s and %s, type %d, %s each",
            again.getOrderNo(),
            Masked.account(again.getAccountId()),
            first.getLogId(),
            again.getLogId(),
            again.getTypeCode(),
            Money.format(again.getAmount()));
    Rules.Basic settings = rules.duplicatePayment(merchant);
    Alert alert =
        Alerts.about(
            Alerts.alert(
                    Reason.LEDGER_DOUBLE_CREDIT,
                    settings.severity(Reason.LEDGER_DOUBLE_CREDIT),
                    settings.rule(),
                    summary,
                    List.of(Alerts.evidence(first), Alerts.evidence(again)),
                    again.getEventTime())
                .setMerchantId(merchant),
            again);
    return new Finding("double-credit|" + again.getLogId(), alert);
  }

  private static Finding withoutOrder(String orderNo, BalanceChange line, long due, Rules rules) {
    String summary =
        String.format(
            "Ledger line %s credits %s to account %s for order %s (type %d), but no such order exists within %s",
            line.getLogId(),
            Money.format(line.getAmount()),
            Masked.account(line.getAccountId()),
            orderNo,
            line.getTypeCode(),
            Durations.format(rules.matchWindow()));
    Rules.Basic settings = rules.missingOrder(null);
    Alert alert =
        Alerts.about(
            Alerts.alert(
                Reason.LEDGER_WITHOUT_ORDER,
                settings.severity(Reason.LEDGER_WITHOUT_ORDER),
                settings.rule(),
                summary,
                List.of(Alerts.evidence(line)),
                Instant.ofEpochMilli(due)),
            line);
    return new Finding("without-order|" + line.getLogId(), alert);
  }

  private static long millis(Instant t) {
    return t.toEpochMilli();
  }
}
