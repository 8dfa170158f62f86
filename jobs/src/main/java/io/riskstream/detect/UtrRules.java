package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertType;
import io.riskstream.avro.Bill;
import io.riskstream.avro.BillDirection;
import io.riskstream.avro.DeductStatus;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.EvidenceSource;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentKind;
import io.riskstream.avro.PaymentStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The rules about one UTR (spec section 3): FORGED_UTR, AMOUNT_MISMATCH, UTR_REUSED and
 * BILL_WITHOUT_ORDER, over the UTR's claims (the earliest claim of each order) and its bills. Plain
 * Java: given what is known when the watermark is at {@code watermark}, it lists every finding that
 * is final by then; the operator emits each once. Because a finding is only listed once the
 * watermark has passed every event that could change it, the result does not depend on arrival
 * order.
 */
public final class UtrRules {
  public static final String INVALID_FORMAT = "INVALID_FORMAT";
  public static final String NO_BANK_RECORD = "NO_BANK_RECORD";
  public static final String UNDERPAID = "UNDERPAID";
  public static final String OVERPAID = "OVERPAID";
  public static final String UTR_REUSED = "UTR_REUSED";
  public static final String BILL_WITHOUT_ORDER = "BILL_WITHOUT_ORDER";

  static final Comparator<Payment> BY_TIME =
      Comparator.comparing(Payment::getEventTime).thenComparing(Payment::getEventId);
  static final Comparator<Bill> BILLS_BY_TIME =
      Comparator.comparing(Bill::getEventTime).thenComparing(Bill::getBillId);

  private UtrRules() {}

  /** A finding: the alert and the key under which it fires at most once for its UTR. */
  public record Finding(String key, Alert alert) {}

  /** A payment claims its UTR when it has one and says it is paid (PAID) or confirmed (SUCCESS). */
  public static boolean isClaim(Payment p) {
    return p.getUtr() != null
        && !p.getUtr().isEmpty()
        && (p.getStatus() == PaymentStatus.PAID || p.getStatus() == PaymentStatus.SUCCESS);
  }

  /** COLLECT claims match CREDIT bills, PAYOUT claims DEBIT bills. */
  public static boolean matches(PaymentKind kind, BillDirection direction) {
    return (kind == PaymentKind.COLLECT) == (direction == BillDirection.CREDIT);
  }

  public static boolean wellFormed(Payment claim, Rules rules) {
    return rules.forgedUtr(claim.getMerchantId()).wellFormed(claim.getUtr(), claim.getChannel());
  }

  public static List<Finding> evaluate(
      String utr,
      Collection<Payment> claimsByOrder,
      Collection<Bill> bills,
      long watermark,
      Rules rules) {
    long w = rules.matchWindow().toMillis();
    String window = Durations.format(rules.matchWindow());
    List<Payment> claims = claimsByOrder.stream().sorted(BY_TIME).toList();
    List<Bill> sortedBills = bills.stream().sorted(BILLS_BY_TIME).toList();
    List<Finding> findings = new ArrayList<>();

    List<Payment> valid = new ArrayList<>();
    for (Payment c : claims) {
      if (wellFormed(c, rules)) {
        valid.add(c);
      } else if (millis(c.getEventTime()) <= watermark) {
        findings.add(invalidFormat(c, rules));
      }
    }

    for (int i = 1; i < valid.size(); i++) {
      Payment reuse = valid.get(i);
      if (millis(reuse.getEventTime()) <= watermark) {
        findings.add(utrReused(valid.get(0), reuse, rules));
      }
    }

    for (Payment c : valid) {
      long due = millis(c.getEventTime()) + w;
      List<Bill> matching =
          sortedBills.stream().filter(b -> matches(c.getKind(), b.getDirection())).toList();
      if (due <= watermark && matching.stream().noneMatch(b -> millis(b.getEventTime()) <= due)) {
        findings.add(noBankRecord(c, due, window, rules));
      }
      for (Bill b : matching) {
        long when = Math.max(millis(c.getEventTime()), millis(b.getEventTime()));
        if (when <= watermark && b.getAmount().compareTo(c.getAmount()) != 0) {
          findings.add(amountMismatch(c, b, when, rules));
        }
      }
    }

    for (Bill b : sortedBills) {
      long due = millis(b.getEventTime()) + w;
      if (b.getDeductStatus() == DeductStatus.DEDUCTED
          && due <= watermark
          && valid.stream()
              .noneMatch(
                  c -> matches(c.getKind(), b.getDirection()) && millis(c.getEventTime()) <= due)) {
        findings.add(billWithoutOrder(utr, b, due, window, rules));
      }
    }
    return findings;
  }

  private static Finding invalidFormat(Payment c, Rules rules) {
    Rules.ForgedUtr settings = rules.forgedUtr(c.getMerchantId());
    String channel = c.getChannel() == null ? "UPI" : c.getChannel();
    String summary =
        String.format(
            "UTR %s claimed by order %s (%s) is not a well-formed %s UTR",
            c.getUtr(), c.getOrderNo(), Money.format(c.getAmount()), channel);
    return new Finding(
        "invalid|" + c.getOrderNo(),
        claimAlert(
            AlertType.FORGED_UTR,
            INVALID_FORMAT,
            settings.basic(),
            summary,
            c,
            List.of(evidence(c)),
            c.getEventTime()));
  }

  private static Finding noBankRecord(Payment c, long due, String window, Rules rules) {
    String summary =
        String.format(
            "UTR %s claimed by order %s (%s) has no bank record within %s",
            c.getUtr(), c.getOrderNo(), Money.format(c.getAmount()), window);
    return new Finding(
        "no-bank-record|" + c.getOrderNo(),
        claimAlert(
            AlertType.FORGED_UTR,
            NO_BANK_RECORD,
            rules.forgedUtr(c.getMerchantId()).basic(),
            summary,
            c,
            List.of(evidence(c)),
            Instant.ofEpochMilli(due)));
  }

  private static Finding amountMismatch(Payment c, Bill b, long when, Rules rules) {
    boolean under = b.getAmount().compareTo(c.getAmount()) < 0;
    String reason = under ? UNDERPAID : OVERPAID;
    String summary =
        String.format(
            "Order %s claims %s with UTR %s but bank statement line %s shows %s (%s by %s)",
            c.getOrderNo(),
            Money.format(c.getAmount()),
            c.getUtr(),
            b.getBillId(),
            Money.format(b.getAmount()),
            under ? "underpaid" : "overpaid",
            Money.format(b.getAmount().subtract(c.getAmount()).abs()));
    return new Finding(
        "mismatch|" + c.getOrderNo() + "|" + b.getBillId(),
        claimAlert(
            AlertType.AMOUNT_MISMATCH,
            reason,
            rules.amountMismatch(c.getMerchantId()),
            summary,
            c,
            List.of(evidence(c), evidence(b)),
            Instant.ofEpochMilli(when)));
  }

  private static Finding utrReused(Payment first, Payment reuse, Rules rules) {
    String summary =
        String.format(
            "UTR %s claimed by order %s (%s) was already claimed by order %s at %s",
            reuse.getUtr(),
            reuse.getOrderNo(),
            Money.format(reuse.getAmount()),
            first.getOrderNo(),
            first.getEventTime());
    return new Finding(
        "reused|" + reuse.getOrderNo(),
        claimAlert(
            AlertType.DUPLICATE_PAYMENT,
            UTR_REUSED,
            rules.duplicatePayment(reuse.getMerchantId()),
            summary,
            reuse,
            List.of(evidence(first), evidence(reuse)),
            reuse.getEventTime()));
  }

  private static Finding billWithoutOrder(
      String utr, Bill b, long due, String window, Rules rules) {
    String summary =
        String.format(
            "Bank statement line %s of worker %s: %s %s with UTR %s, deducted, but no order claims it within %s",
            b.getBillId(),
            b.getCwid(),
            Money.format(b.getAmount()),
            b.getDirection() == BillDirection.CREDIT ? "credited" : "debited",
            utr,
            window);
    Rules.Basic settings = rules.missingOrder(null);
    Alert alert =
        Alerts.alert(
                AlertType.MISSING_ORDER,
                BILL_WITHOUT_ORDER,
                settings.severity(BILL_WITHOUT_ORDER),
                settings.rule(),
                summary,
                List.of(evidence(b)),
                Instant.ofEpochMilli(due))
            .setCwid(b.getCwid())
            .setUtr(utr)
            .setAmount(b.getAmount())
            .build();
    return new Finding("without-order|" + b.getBillId(), alert);
  }

  /** An alert about a claim: the investigator's keys come from the claim. */
  private static Alert claimAlert(
      AlertType type,
      String reason,
      Rules.Basic settings,
      String summary,
      Payment c,
      List<Evidence> evidence,
      Instant eventTime) {
    return Alerts.alert(
            type, reason, settings.severity(reason), settings.rule(), summary, evidence, eventTime)
        .setMerchantId(c.getMerchantId())
        .setCwid(c.getCwid())
        .setAccountId(c.getAccountId())
        .setUserId(c.getUserId())
        .setOrderNo(c.getOrderNo())
        .setUtr(c.getUtr())
        .setIp(c.getIp())
        .setAmount(c.getAmount())
        .build();
  }

  static Evidence evidence(Payment p) {
    return Alerts.evidence(EvidenceSource.PAYMENT, p.getEventId(), p.getEventTime());
  }

  static Evidence evidence(Bill b) {
    return Alerts.evidence(EvidenceSource.BILL, b.getBillId(), b.getEventTime());
  }

  static long millis(Instant t) {
    return t.toEpochMilli();
  }
}
