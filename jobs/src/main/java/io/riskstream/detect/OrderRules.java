package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertType;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.EvidenceSource;
import io.riskstream.avro.Payment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The rules about one order (spec section 3): ORDER_PAID_TWICE, LEDGER_DOUBLE_CREDIT,
 * LEDGER_WITHOUT_ORDER and PAYMENT_OVER_LIMIT. Plain Java, like {@link UtrRules}: the findings that
 * are final once the watermark is at {@code watermark}.
 */
public final class OrderRules {
  public static final String ORDER_PAID_TWICE = "ORDER_PAID_TWICE";
  public static final String LEDGER_DOUBLE_CREDIT = "LEDGER_DOUBLE_CREDIT";
  public static final String LEDGER_WITHOUT_ORDER = "LEDGER_WITHOUT_ORDER";

  /**
   * Ledger types that must belong to an order: 321 recharge, 323 payment, 331 purchase, 332
   * renewal.
   */
  public static final Set<Integer> ORDER_TYPE_CODES = Set.of(321, 323, 331, 332);

  static final Comparator<BalanceChange> LINES_BY_TIME =
      Comparator.comparing(BalanceChange::getEventTime).thenComparing(BalanceChange::getLogId);

  private OrderRules() {}

  /**
   * @param successesByUtr the earliest SUCCESS payment of the order for each UTR it was confirmed
   *     with
   * @param lines the order's SUCCESS ledger lines
   * @param firstPayment the earliest payment of the order of any status, or null
   * @param largest the earliest payment at or over the large-amount limit, with its alert, or null
   */
  public static List<UtrRules.Finding> evaluate(
      String orderNo,
      Collection<Payment> successesByUtr,
      Collection<BalanceChange> lines,
      Payment firstPayment,
      Alert largest,
      long watermark,
      Rules rules) {
    List<UtrRules.Finding> findings = new ArrayList<>();

    List<Payment> successes = successesByUtr.stream().sorted(UtrRules.BY_TIME).toList();
    for (int i = 1; i < successes.size(); i++) {
      Payment second = successes.get(i);
      if (millis(second.getEventTime()) <= watermark) {
        findings.add(paidTwice(successes.get(0), second, rules));
      }
    }

    Map<Integer, List<BalanceChange>> byType = new TreeMap<>();
    lines.stream()
        .sorted(LINES_BY_TIME)
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
      findings.add(new UtrRules.Finding("large", largest));
    }
    return findings;
  }

  private static UtrRules.Finding paidTwice(Payment first, Payment second, Rules rules) {
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
        Alerts.alert(
                AlertType.DUPLICATE_PAYMENT,
                ORDER_PAID_TWICE,
                settings.severity(ORDER_PAID_TWICE),
                settings.rule(),
                summary,
                List.of(UtrRules.evidence(first), UtrRules.evidence(second)),
                second.getEventTime())
            .setMerchantId(second.getMerchantId())
            .setCwid(second.getCwid())
            .setAccountId(second.getAccountId())
            .setUserId(second.getUserId())
            .setOrderNo(second.getOrderNo())
            .setUtr(second.getUtr())
            .setIp(second.getIp())
            .setAmount(second.getAmount())
            .build();
    return new UtrRules.Finding("paid-twice|" + second.getUtr(), alert);
  }

  private static UtrRules.Finding doubleCredit(
      BalanceChange first, BalanceChange again, Payment payment, Rules rules) {
    String merchant = payment == null ? null : payment.getMerchantId();
    String summary =
        String.format(
            "Order %s was credited twice to account %s: ledger lines %s and %s, type %d, %s each",
            again.getOrderNo(),
            again.getAccountId(),
            first.getLogId(),
            again.getLogId(),
            again.getTypeCode(),
            Money.format(again.getAmount()));
    Rules.Basic settings = rules.duplicatePayment(merchant);
    Alert alert =
        Alerts.alert(
                AlertType.DUPLICATE_PAYMENT,
                LEDGER_DOUBLE_CREDIT,
                settings.severity(LEDGER_DOUBLE_CREDIT),
                settings.rule(),
                summary,
                List.of(evidence(first), evidence(again)),
                again.getEventTime())
            .setMerchantId(merchant)
            .setAccountId(again.getAccountId())
            .setUserId(again.getUserId())
            .setOrderNo(again.getOrderNo())
            .setIp(again.getIp())
            .setAmount(again.getAmount())
            .build();
    return new UtrRules.Finding("double-credit|" + again.getLogId(), alert);
  }

  private static UtrRules.Finding withoutOrder(
      String orderNo, BalanceChange line, long due, Rules rules) {
    String summary =
        String.format(
            "Ledger line %s credits %s to account %s for order %s (type %d), but no such order exists within %s",
            line.getLogId(),
            Money.format(line.getAmount()),
            line.getAccountId(),
            orderNo,
            line.getTypeCode(),
            Durations.format(rules.matchWindow()));
    Rules.Basic settings = rules.missingOrder(null);
    Alert alert =
        Alerts.alert(
                AlertType.MISSING_ORDER,
                LEDGER_WITHOUT_ORDER,
                settings.severity(LEDGER_WITHOUT_ORDER),
                settings.rule(),
                summary,
                List.of(evidence(line)),
                Instant.ofEpochMilli(due))
            .setAccountId(line.getAccountId())
            .setUserId(line.getUserId())
            .setOrderNo(orderNo)
            .setIp(line.getIp())
            .setAmount(line.getAmount())
            .build();
    return new UtrRules.Finding("without-order|" + line.getLogId(), alert);
  }

  static Evidence evidence(BalanceChange line) {
    return Alerts.evidence(EvidenceSource.BALANCE_CHANGE, line.getLogId(), line.getEventTime());
  }

  private static long millis(Instant t) {
    return t.toEpochMilli();
  }
}
