package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The rules about one order (docs/contract.md (Alerts)): ORDER_PAID_TWICE, LEDGER_DOUBLE_CREDIT,
 * LEDGER_WITHOUT_ORDER, PAYMENT_OVER_LIMIT, the order's STATUS_MISMATCH reasons, BANK_PENDING and
 * FAST_REFUND. Plain Java, like {@link UtrRules}: the findings that are final once the watermark is
 * at {@code watermark}.
 */
public final class OrderRules {

  /**
   * Ledger types that must belong to an order: 321 recharge, 323 payment, 331 purchase, 332
   * renewal.
   */
  public static final Set<Integer> ORDER_TYPE_CODES = Set.of(321, 323, 331, 332);

  private OrderRules() {}

  /** Ledger types of a refund: 324 (balance log) and 333 (purchase log). */
  public static final Set<Integer> REFUND_TYPE_CODES = Set.of(324, 333);

  /**
   * The findings about {@code order} that are final once the watermark is at {@code watermark},
   * each decided by the rules in force at the time of the record it is about.
   */
  public static List<Finding> evaluate(
      String orderNo, OrderMatcher.OrderState order, long watermark, RulesInForce inForce) {
    List<Finding> findings = new ArrayList<>();
    Collection<BalanceChange> lines = order.lines.values();
    Payment firstPayment = order.firstPayment();

    List<Payment> successes = order.successes().stream().sorted(EventOrder.PAYMENTS).toList();
    for (int i = 1; i < successes.size(); i++) {
      Payment second = successes.get(i);
      if (millis(second.getEventTime()) <= watermark) {
        findings.add(
            paidTwice(successes.get(0), second, inForce.at(millis(second.getEventTime()))));
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
          findings.add(
              doubleCredit(
                  sameType.get(0), again, firstPayment, inForce.at(millis(again.getEventTime()))));
        }
      }
    }

    for (Absence absence : absences(orderNo, order, watermark, inForce)) {
      if (absence.raised()) {
        findings.add(absence.finding());
      }
    }

    Payment success = order.firstSuccess();
    Payment refund = order.firstRefund();
    if (refund != null && success != null && millis(refund.getEventTime()) <= watermark) {
      Rules rules = inForce.at(millis(refund.getEventTime()));
      long after = millis(refund.getEventTime()) - millis(success.getEventTime());
      Duration window = rules.suspiciousRefund(refund.getMerchantId()).refundWindow();
      if (after >= 0 && after <= window.toMillis()) {
        findings.add(fastRefund(success, refund, window, rules));
      }
    }

    if (order.largest != null && millis(order.largest.getEventTime()) <= watermark) {
      findings.add(new Finding("large", order.largest));
    }
    return findings;
  }

  /**
   * An absence rule's finding about the order, due by the watermark, with the earliest event that
   * answers it ({@link AlertUpdates}; null: none yet). It is raised when nothing answered it by its
   * deadline, the alert's event time.
   */
  public static final class Absence {
    private final String key;
    private final Function<String, Finding> make;
    private final boolean raised;
    private final Evidence answer;
    private Finding finding;

    private Absence(String key, Function<String, Finding> make, boolean raised, Evidence answer) {
      this.key = key;
      this.make = make;
      this.raised = raised;
      this.answer = answer;
    }

    /** Raised unless {@code answer} came by the deadline ({@code due}, the alert's event time). */
    static Absence of(String key, long due, Function<String, Finding> finding, Evidence answer) {
      return new Absence(
          key, finding, answer == null || millis(answer.getEventTime()) > due, answer);
    }

    /** The finding's key, known without building its alert. */
    public String key() {
      return key;
    }

    public boolean raised() {
      return raised;
    }

    public Evidence answer() {
      return answer;
    }

    /**
     * The finding under {@link #key}, built on first use: its text and id cost more than the whole
     * decision, and most absences due on a timer are answered (raised false) and never need it.
     * Building every one took 28 % of the detectors' samples in the bench profile.
     */
    public Finding finding() {
      if (finding == null) {
        finding = make.apply(key);
      }
      return finding;
    }
  }

  /**
   * The order's absence rules whose deadlines the watermark has passed, raised or not: the
   * STATUS_MISMATCH reasons, LEDGER_WITHOUT_ORDER and BANK_PENDING. Each with what answers it: a
   * payment of the order (LEDGER_WITHOUT_ORDER), its SUCCESS (LEDGER_WITHOUT_SUCCESS), a ledger
   * line (SUCCESS_WITHOUT_LEDGER), a refund line (REFUND_WITHOUT_LEDGER), a final status
   * (BANK_PENDING).
   */
  public static List<Absence> absences(
      String orderNo, OrderMatcher.OrderState order, long watermark, RulesInForce inForce) {
    List<Absence> absences = new ArrayList<>();
    Collection<BalanceChange> lines = order.lines.values();
    Payment firstPayment = order.firstPayment();
    // The match window is the job's, not a rule's: the same at every time.
    long w = inForce.at(watermark).matchWindow().toMillis();
    for (BalanceChange line : lines) {
      Rules rules = inForce.at(millis(line.getEventTime()));
      long due = millis(line.getEventTime()) + w;
      if (!ORDER_TYPE_CODES.contains(line.getTypeCode()) || due > watermark) {
        continue;
      }
      absences.add(
          Absence.of(
              "without-order|" + line.getLogId(),
              due,
              key -> withoutOrder(key, orderNo, line, due, rules),
              evidence(firstPayment)));
      if (firstPayment != null && millis(firstPayment.getEventTime()) <= due) {
        absences.add(
            Absence.of(
                "without-success|" + line.getLogId(),
                due,
                key -> withoutSuccess(key, line, firstPayment, due, rules),
                evidence(order.firstSuccess())));
      }
    }

    Payment success = order.firstSuccess();
    if (success != null && millis(success.getEventTime()) + w <= watermark) {
      Rules rules = inForce.at(millis(success.getEventTime()));
      long due = millis(success.getEventTime()) + w;
      absences.add(
          Absence.of(
              "success-without-ledger",
              due,
              key -> successWithoutLedger(key, success, due, rules),
              earliest(lines.stream().toList())));
    }

    Payment refund = order.firstRefund();
    if (refund != null && millis(refund.getEventTime()) + w <= watermark) {
      Rules rules = inForce.at(millis(refund.getEventTime()));
      long due = millis(refund.getEventTime()) + w;
      absences.add(
          Absence.of(
              "refund-without-ledger",
              due,
              key -> refundWithoutLedger(key, refund, due, rules),
              earliest(
                  lines.stream()
                      .filter(l -> REFUND_TYPE_CODES.contains(l.getTypeCode()))
                      .toList())));
    }

    Payment paid = order.firstPaid();
    if (paid != null) {
      Rules rules = inForce.at(millis(paid.getEventTime()));
      long due = millis(paid.getEventTime()) + bankPendingSla(paid, rules).toMillis();
      if (due <= watermark) {
        // Decided by the times of all final payments; answered by the earliest one after PAID.
        Payment ending = order.ending();
        absences.add(
            new Absence(
                "bank-pending",
                key -> bankPending(key, paid, due, rules),
                !Finals.anyBetween(order.finals, millis(paid.getEventTime()), due),
                ending != null && !ending.getEventTime().isBefore(paid.getEventTime())
                    ? Alerts.evidence(ending)
                    : null));
      }
    }
    return absences;
  }

  /** The finding keys of {@link #absences}: their prefixes. */
  private static final List<String> ABSENCE_KEYS =
      List.of(
          "without-order|",
          "without-success|",
          "success-without-ledger",
          "refund-without-ledger",
          "bank-pending");

  /** Whether {@code key} is the key of an absence finding. */
  static boolean isAbsence(String key) {
    return ABSENCE_KEYS.stream().anyMatch(key::startsWith);
  }

  private static Evidence evidence(Payment p) {
    return p == null ? null : Alerts.evidence(p);
  }

  /** The earliest of {@code lines} as evidence, or null. */
  private static Evidence earliest(List<BalanceChange> lines) {
    return lines.stream().min(EventOrder.LINES).map(Alerts::evidence).orElse(null);
  }

  /** How long a PAID order of this payment's merchant may wait for its final status. */
  static Duration bankPendingSla(Payment paid, Rules rules) {
    return rules.pendingTooLong(paid.getMerchantId()).sla(Reason.BANK_PENDING);
  }

  /** A payment status that ends an order's wait for the bank. */
  static boolean isFinal(PaymentStatus status) {
    return status == PaymentStatus.SUCCESS
        || status == PaymentStatus.FAILED
        || status == PaymentStatus.EXPIRED
        || status == PaymentStatus.REFUNDED;
  }

  /** The event times of an order's final payments: a sorted array without repeats. */
  static final class Finals {
    private Finals() {}

    static long[] add(long[] finals, long time) {
      int i = Arrays.binarySearch(finals, time);
      return i >= 0 ? finals : Wakeups.insert(finals, -(i + 1), time);
    }

    static boolean anyBetween(long[] finals, long from, long to) {
      int i = Arrays.binarySearch(finals, from);
      int at = i >= 0 ? i : -(i + 1);
      return at < finals.length && finals[at] <= to;
    }
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

  private static Finding withoutOrder(
      String key, String orderNo, BalanceChange line, long due, Rules rules) {
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
    return new Finding(key, alert);
  }

  private static Finding withoutSuccess(
      String key, BalanceChange line, Payment firstPayment, long due, Rules rules) {
    String merchant = firstPayment.getMerchantId();
    String summary =
        String.format(
            "Ledger line %s credits %s to account %s for order %s (type %d), but none of the order's payments by %s is SUCCESS (it began %s at %s)",
            line.getLogId(),
            Money.format(line.getAmount()),
            Masked.account(line.getAccountId()),
            line.getOrderNo(),
            line.getTypeCode(),
            Instant.ofEpochMilli(due),
            firstPayment.getStatus(),
            firstPayment.getEventTime());
    Rules.Basic settings = rules.statusMismatch(merchant);
    Alert alert =
        Alerts.about(
            Alerts.alert(
                    Reason.LEDGER_WITHOUT_SUCCESS,
                    settings.severity(Reason.LEDGER_WITHOUT_SUCCESS),
                    settings.rule(),
                    summary,
                    List.of(Alerts.evidence(line), Alerts.evidence(firstPayment)),
                    Instant.ofEpochMilli(due))
                .setMerchantId(merchant)
                .setCwid(firstPayment.getCwid()),
            line);
    return new Finding(key, alert);
  }

  private static Finding successWithoutLedger(String key, Payment success, long due, Rules rules) {
    String summary =
        String.format(
            "Order %s reached SUCCESS at %s (%s) but no ledger line credits it by %s",
            success.getOrderNo(),
            success.getEventTime(),
            Money.format(success.getAmount()),
            Instant.ofEpochMilli(due));
    return orderAlert(
        Reason.SUCCESS_WITHOUT_LEDGER,
        rules.statusMismatch(success.getMerchantId()),
        key,
        summary,
        success,
        List.of(Alerts.evidence(success)),
        due);
  }

  private static Finding refundWithoutLedger(String key, Payment refund, long due, Rules rules) {
    String summary =
        String.format(
            "Order %s was REFUNDED at %s (%s) but no refund ledger line (type 324 or 333) records it by %s",
            refund.getOrderNo(),
            refund.getEventTime(),
            Money.format(refund.getAmount()),
            Instant.ofEpochMilli(due));
    return orderAlert(
        Reason.REFUND_WITHOUT_LEDGER,
        rules.statusMismatch(refund.getMerchantId()),
        key,
        summary,
        refund,
        List.of(Alerts.evidence(refund)),
        due);
  }

  private static Finding fastRefund(Payment success, Payment refund, Duration window, Rules rules) {
    String summary =
        String.format(
            "Order %s (%s) was refunded %s after it succeeded (SUCCESS at %s, REFUNDED at %s): within the %s refund window",
            refund.getOrderNo(),
            Money.format(refund.getAmount()),
            Durations.format(Duration.between(success.getEventTime(), refund.getEventTime())),
            success.getEventTime(),
            refund.getEventTime(),
            Durations.format(window));
    return orderAlert(
        Reason.FAST_REFUND,
        rules.suspiciousRefund(refund.getMerchantId()).basic(),
        "fast-refund",
        summary,
        refund,
        List.of(Alerts.evidence(success), Alerts.evidence(refund)),
        millis(refund.getEventTime()));
  }

  private static Finding bankPending(String key, Payment paid, long due, Rules rules) {
    String summary =
        String.format(
            "Order %s (%s) has been PAID with UTR %s since %s and has no final status after %s",
            paid.getOrderNo(),
            Money.format(paid.getAmount()),
            paid.getUtr(),
            paid.getEventTime(),
            Durations.format(bankPendingSla(paid, rules)));
    return orderAlert(
        Reason.BANK_PENDING,
        rules.pendingTooLong(paid.getMerchantId()).basic(),
        key,
        summary,
        paid,
        List.of(Alerts.evidence(paid)),
        due);
  }

  /** An alert about one of the order's payments, raised once per order. */
  private static Finding orderAlert(
      Reason reason,
      Rules.Basic settings,
      String key,
      String summary,
      Payment about,
      List<io.riskstream.avro.Evidence> evidence,
      long when) {
    Alert alert =
        Alerts.about(
            Alerts.alert(
                reason,
                settings.severity(reason),
                settings.rule(),
                summary,
                evidence,
                Instant.ofEpochMilli(when)),
            about);
    return new Finding(key, alert);
  }

  private static long millis(Instant t) {
    return t.toEpochMilli();
  }
}
