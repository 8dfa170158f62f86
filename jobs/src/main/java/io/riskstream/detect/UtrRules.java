package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.Bill;
import io.riskstream.avro.BillDirection;
import io.riskstream.avro.DeductStatus;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.EvidenceSource;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentKind;
import io.riskstream.avro.PaymentStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The rules about one UTR (docs/contract.md (Alerts)): FORGED_UTR, AMOUNT_MISMATCH, UTR_REUSED,
 * BILL_WITHOUT_ORDER, COUNTERPARTY_MISMATCH and BILL_PENDING, over the UTR's claims (the earliest
 * claim of each order) and its bills. Plain Java, one function per decision and the moment it is
 * taken: at a claim's time ({@link #atClaim}), at claim + W ({@link #atClaimDue}), at the later of
 * a claim's and a bill's times ({@link #atPair}) and at bill + W ({@link #atBillDue}). The operator
 * calls each when the watermark reaches that moment, when every event that could change the
 * decision has arrived, so the result does not depend on arrival order; and each call looks at one
 * claim or one bill, so a UTR claimed by thousands of orders costs the same per event as one
 * claimed once.
 */
public final class UtrRules {

  private UtrRules() {}

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

  /**
   * Decided when the watermark reaches the claim: INVALID_FORMAT for a malformed claim (the only
   * alert it raises), UTR_REUSED for a well-formed one of another order than {@code firstValid},
   * the UTR's earliest well-formed claim; null for the first.
   */
  static Finding atClaim(Payment claim, Payment firstValid, Rules rules) {
    if (!wellFormed(claim, rules)) {
      return invalidFormat(claim, rules);
    }
    if (firstValid != null && !firstValid.getOrderNo().equals(claim.getOrderNo())) {
      return utrReused(firstValid, claim, rules);
    }
    return null;
  }

  /**
   * Decided at claim + W: NO_BANK_RECORD unless a bill of the matching direction was on the
   * statement ({@link #onStatement}) at or before then; null otherwise, and for a malformed claim.
   */
  static Finding atClaimDue(
      Payment claim, Collection<Bill> bills, Map<String, Long> pendingSince, Rules rules) {
    if (!wellFormed(claim, rules)) {
      return null;
    }
    long due = millis(claim.getEventTime()) + rules.matchWindow().toMillis();
    boolean billed =
        bills.stream()
            .anyMatch(
                b ->
                    matches(claim.getKind(), b.getDirection())
                        && onStatement(b, pendingSince) <= due);
    return billed ? null : noBankRecord(claim, due, Durations.format(rules.matchWindow()), rules);
  }

  /**
   * Decided at the later of the two event times, for a well-formed claim and a bill of the matching
   * direction: AMOUNT_MISMATCH when the amounts differ, COUNTERPARTY_MISMATCH when the bill is on
   * another worker's statement (OTHER_WORKER) or from another UPI id than the order's (OTHER_VPA).
   */
  static List<Finding> atPair(Payment claim, Bill bill, Rules rules) {
    if (!wellFormed(claim, rules) || !matches(claim.getKind(), bill.getDirection())) {
      return List.of();
    }
    long when = Math.max(millis(claim.getEventTime()), millis(bill.getEventTime()));
    List<Finding> findings = new ArrayList<>(1);
    if (differentAmount(claim, bill)) {
      findings.add(amountMismatch(claim, bill, when, rules));
    }
    if (differentWorker(claim, bill)) {
      findings.add(otherWorker(claim, bill, when, rules));
    }
    if (differentVpa(claim, bill)) {
      findings.add(otherVpa(claim, counterparty(claim), bill, when, rules));
    }
    return findings;
  }

  /**
   * Whether {@link #atPair} can find anything for this claim and line: they differ in amount,
   * worker or UPI id. Only the two records decide it; a rule version can only take a finding away
   * (by calling the claim malformed), so a pair that cannot find anything now never will, and is
   * not scheduled.
   */
  static boolean pairDiffers(Payment claim, Bill bill) {
    return differentAmount(claim, bill)
        || differentWorker(claim, bill)
        || differentVpa(claim, bill);
  }

  private static boolean differentAmount(Payment claim, Bill bill) {
    return bill.getAmount().compareTo(claim.getAmount()) != 0;
  }

  private static boolean differentWorker(Payment claim, Bill bill) {
    return claim.getCwid() != null
        && bill.getCwid() != null
        && !claim.getCwid().equals(bill.getCwid());
  }

  private static boolean differentVpa(Payment claim, Bill bill) {
    String vpa = counterparty(claim);
    return vpa != null
        && bill.getCounterpartyVpa() != null
        && !vpa.equalsIgnoreCase(bill.getCounterpartyVpa());
  }

  /** The claim's side of the bank line's counterparty: COLLECT its payer, PAYOUT its payee. */
  private static String counterparty(Payment claim) {
    return claim.getKind() == PaymentKind.COLLECT ? claim.getPayerVpa() : claim.getPayeeVpa();
  }

  /**
   * Decided at a PENDING version's time + the pending SLA: BILL_PENDING unless the line's DEDUCTED
   * version ({@code line}, its latest) has an event time at or before then.
   */
  static Finding atBillPending(String utr, Bill line, long pendingAt, Rules rules) {
    Duration sla = rules.pendingTooLong(null).sla(Reason.BILL_PENDING);
    long due = pendingAt + sla.toMillis();
    if (line.getDeductStatus() == DeductStatus.DEDUCTED && millis(line.getEventTime()) <= due) {
      return null;
    }
    String summary =
        String.format(
            "Bank statement line %s of worker %s (%s %s, UTR %s) has been PENDING since %s and was not deducted within %s",
            line.getBillId(),
            line.getCwid(),
            Money.format(line.getAmount()),
            line.getDirection() == BillDirection.CREDIT ? "credit" : "debit",
            utr,
            Instant.ofEpochMilli(pendingAt),
            Durations.format(sla));
    Rules.Basic settings = rules.pendingTooLong(null).basic();
    Alert alert =
        Alerts.about(
            Alerts.alert(
                Reason.BILL_PENDING,
                settings.severity(Reason.BILL_PENDING),
                settings.rule(),
                summary,
                List.of(
                    new Evidence(
                        EvidenceSource.BILL, line.getBillId(), Instant.ofEpochMilli(pendingAt))),
                Instant.ofEpochMilli(due)),
            line);
    return new Finding("bill-pending|" + line.getBillId(), alert);
  }

  /**
   * When a statement line first appeared: its PENDING version's time if it had one ({@code
   * pendingSince}, by bill_id), else its own. NO_BANK_RECORD names no status, so the bank record
   * exists from the first version on; BILL_WITHOUT_ORDER names DEDUCTED and reads that version.
   */
  static long onStatement(Bill line, Map<String, Long> pendingSince) {
    Long pending = pendingSince.get(line.getBillId());
    return pending == null
        ? millis(line.getEventTime())
        : Math.min(pending, millis(line.getEventTime()));
  }

  /** When {@link #atPair} decides. */
  static long pairTime(Payment claim, Bill bill) {
    return Math.max(millis(claim.getEventTime()), millis(bill.getEventTime()));
  }

  /**
   * Decided at bill + W: BILL_WITHOUT_ORDER for a DEDUCTED bill unless {@code firstMatching}, the
   * earliest well-formed claim of the matching kind (or null), is at or before then.
   */
  static Finding atBillDue(String utr, Bill bill, Payment firstMatching, Rules rules) {
    long due = millis(bill.getEventTime()) + rules.matchWindow().toMillis();
    if (bill.getDeductStatus() != DeductStatus.DEDUCTED
        || (firstMatching != null && millis(firstMatching.getEventTime()) <= due)) {
      return null;
    }
    return billWithoutOrder(utr, bill, due, Durations.format(rules.matchWindow()), rules);
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
            Reason.INVALID_FORMAT,
            settings.basic(),
            summary,
            c,
            List.of(Alerts.evidence(c)),
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
            Reason.NO_BANK_RECORD,
            rules.forgedUtr(c.getMerchantId()).basic(),
            summary,
            c,
            List.of(Alerts.evidence(c)),
            Instant.ofEpochMilli(due)));
  }

  private static Finding amountMismatch(Payment c, Bill b, long when, Rules rules) {
    boolean under = b.getAmount().compareTo(c.getAmount()) < 0;
    Reason reason = under ? Reason.UNDERPAID : Reason.OVERPAID;
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
            reason,
            rules.amountMismatch(c.getMerchantId()),
            summary,
            c,
            List.of(Alerts.evidence(c), Alerts.evidence(b)),
            Instant.ofEpochMilli(when)));
  }

  private static Finding otherWorker(Payment c, Bill b, long when, Rules rules) {
    String summary =
        String.format(
            "UTR %s claimed by order %s (%s) of worker %s is on worker %s's bank statement (line %s)",
            c.getUtr(),
            c.getOrderNo(),
            Money.format(c.getAmount()),
            c.getCwid(),
            b.getCwid(),
            b.getBillId());
    return new Finding(
        "other-worker|" + c.getOrderNo() + "|" + b.getBillId(),
        claimAlert(
            Reason.OTHER_WORKER,
            rules.counterpartyMismatch(c.getMerchantId()),
            summary,
            c,
            List.of(Alerts.evidence(c), Alerts.evidence(b)),
            Instant.ofEpochMilli(when)));
  }

  private static Finding otherVpa(Payment c, String vpa, Bill b, long when, Rules rules) {
    String summary =
        String.format(
            "Order %s (%s, UTR %s) names UPI id %s, but bank statement line %s shows %s",
            c.getOrderNo(),
            Money.format(c.getAmount()),
            c.getUtr(),
            Masked.vpas(vpa),
            b.getBillId(),
            Masked.vpas(b.getCounterpartyVpa()));
    return new Finding(
        "other-vpa|" + c.getOrderNo() + "|" + b.getBillId(),
        claimAlert(
            Reason.OTHER_VPA,
            rules.counterpartyMismatch(c.getMerchantId()),
            summary,
            c,
            List.of(Alerts.evidence(c), Alerts.evidence(b)),
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
            Reason.UTR_REUSED,
            rules.duplicatePayment(reuse.getMerchantId()),
            summary,
            reuse,
            List.of(Alerts.evidence(first), Alerts.evidence(reuse)),
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
        Alerts.about(
            Alerts.alert(
                Reason.BILL_WITHOUT_ORDER,
                settings.severity(Reason.BILL_WITHOUT_ORDER),
                settings.rule(),
                summary,
                List.of(Alerts.evidence(b)),
                Instant.ofEpochMilli(due)),
            b);
    return new Finding("without-order|" + b.getBillId(), alert);
  }

  /**
   * The keys of every finding about order {@code order}'s claim: its own, and those of its pairs
   * with the UTR's statement lines.
   */
  static List<String> claimKeys(String order, Collection<String> billIds) {
    List<String> keys = new ArrayList<>();
    keys.add("invalid|" + order);
    keys.add("no-bank-record|" + order);
    keys.add("reused|" + order);
    for (String bill : billIds) {
      keys.add("mismatch|" + order + "|" + bill);
      keys.add("other-worker|" + order + "|" + bill);
      keys.add("other-vpa|" + order + "|" + bill);
    }
    return keys;
  }

  /** An alert about a claim: the investigator's keys come from the claim. */
  private static Alert claimAlert(
      Reason reason,
      Rules.Basic settings,
      String summary,
      Payment c,
      List<Evidence> evidence,
      Instant eventTime) {
    return Alerts.about(
        Alerts.alert(
            reason, settings.severity(reason), settings.rule(), summary, evidence, eventTime),
        c);
  }

  static long millis(Instant t) {
    return t.toEpochMilli();
  }
}
