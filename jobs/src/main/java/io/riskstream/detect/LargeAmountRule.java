package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.LedgerState;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.avro.Severity;
import java.math.BigDecimal;
import java.util.List;
import java.util.Set;

/**
 * LARGE_AMOUNT (docs/contract.md (Alerts)): a payment (any status but FAILED or EXPIRED) or a
 * SUCCESS ledger line whose |amount| is at or over the limit; admin adjustments have a lower limit.
 * MEDIUM from 1x, HIGH from 5x, CRITICAL from 10x the limit. Plain Java: the Flink operator around
 * it only decides "once per order".
 */
public final class LargeAmountRule {

  /** Admin adjustments: 326 and 335 admin adjust, 341 increase, 342 reduce. */
  public static final Set<Integer> ADMIN_TYPE_CODES = Set.of(326, 335, 341, 342);

  private static final BigDecimal FIVE = BigDecimal.valueOf(5);

  private LargeAmountRule() {}

  /** The severity of {@code amount} against {@code limit}, or null below it. */
  public static Severity severity(BigDecimal amount, BigDecimal limit) {
    BigDecimal abs = amount.abs();
    if (abs.compareTo(limit.multiply(BigDecimal.TEN)) >= 0) {
      return Severity.CRITICAL;
    }
    if (abs.compareTo(limit.multiply(FIVE)) >= 0) {
      return Severity.HIGH;
    }
    return abs.compareTo(limit) >= 0 ? Severity.MEDIUM : null;
  }

  /** The alert this payment raises, or null. */
  public static Alert check(Payment p, Rules rules) {
    if (p.getStatus() == PaymentStatus.FAILED || p.getStatus() == PaymentStatus.EXPIRED) {
      return null;
    }
    Rules.LargeAmount settings = rules.largeAmount(p.getMerchantId());
    Severity severity = severity(p.getAmount(), settings.limit());
    if (severity == null) {
      return null;
    }
    String summary =
        String.format(
            "Order %s of merchant %s for %s (%s, %s) is at or over the large-amount limit of %s",
            p.getOrderNo(),
            p.getMerchantId(),
            Money.format(p.getAmount()),
            p.getKind(),
            p.getStatus(),
            Money.format(settings.limit()));
    return Alerts.about(
        Alerts.alert(
            Reason.PAYMENT_OVER_LIMIT,
            severity,
            settings.rule(),
            summary,
            List.of(Alerts.evidence(p)),
            p.getEventTime()),
        p);
  }

  /** The alert this ledger line raises, or null. */
  public static Alert check(BalanceChange c, Rules rules) {
    if (c.getState() != LedgerState.SUCCESS) {
      return null;
    }
    Rules.LargeAmount settings = rules.largeAmount(null);
    boolean admin = ADMIN_TYPE_CODES.contains(c.getTypeCode());
    BigDecimal limit = admin ? settings.adminLimit() : settings.limit();
    Severity severity = severity(c.getAmount(), limit);
    if (severity == null) {
      return null;
    }
    String summary =
        String.format(
            "Ledger line %s on account %s moves %s (type %d%s) - at or over the %s limit of %s",
            c.getLogId(),
            Masked.account(c.getAccountId()),
            Money.format(c.getAmount()),
            c.getTypeCode(),
            c.getOperatorId() == null ? "" : ", by operator " + c.getOperatorId(),
            admin ? "admin-adjustment" : "large-amount",
            Money.format(limit));
    return Alerts.about(
        Alerts.alert(
            Reason.LEDGER_OVER_LIMIT,
            severity,
            settings.rule(),
            summary,
            List.of(Alerts.evidence(c)),
            c.getEventTime()),
        c);
  }
}
