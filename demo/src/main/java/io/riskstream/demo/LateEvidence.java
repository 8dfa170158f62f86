package io.riskstream.demo;

import io.riskstream.avro.Bill;
import io.riskstream.avro.BillDirection;
import io.riskstream.avro.DeductStatus;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentKind;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.generate.Label;
import io.riskstream.generate.Traffic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What the demo does to the generated traffic to show the alert lifecycle (docs/lifecycle.md): a
 * few ordinary bank lines are held back and sent an hour of event time late, so their claims'
 * NO_BANK_RECORD alerts are raised and then retracted; a few claims that never had a bank line get
 * one two hours later, as a night's clearing; and a few bank lines that no order claimed get their
 * order two hours later, backfilled by the merchant: both resolve their alerts. BILL_WITHOUT_ORDER
 * goes to on-call one by one (FORGED_UTR is summarised by a threshold), so its resolutions show as
 * follow-ups there.
 */
record LateEvidence(Traffic traffic, List<Bill> held, int overnight) {
  /** How far past its own time a held line is sent: beyond W (30 min) and the disorder bound. */
  static final Duration HELD_BY = Duration.ofMinutes(60);

  static final int LINES = 4;

  static LateEvidence of(Traffic generated, long seed) {
    Set<String> labelled = generated.labels().stream().map(Label::key).collect(Collectors.toSet());
    Map<String, Payment> claims =
        generated.payments().stream()
            .filter(p -> p.getUtr() != null && p.getStatus() == PaymentStatus.PAID)
            .collect(Collectors.toMap(Payment::getUtr, Function.identity(), (a, b) -> a));

    // Lines of ordinary collections: one version each, a PAID claim of their UTR, nothing labelled.
    Map<String, List<Bill>> versions =
        generated.bills().stream().collect(Collectors.groupingBy(Bill::getBillId));
    List<Bill> ordinary =
        generated.bills().stream()
            .filter(
                b ->
                    versions.get(b.getBillId()).size() == 1
                        && b.getDirection() == BillDirection.CREDIT
                        && claims.containsKey(b.getUtr())
                        && !labelled.contains(b.getUtr())
                        && !labelled.contains(claims.get(b.getUtr()).getOrderNo()))
            .sorted(Comparator.comparing(Bill::getBillId))
            .toList();
    SplittableRandom random = new SplittableRandom(seed);
    List<Bill> held = new ArrayList<>();
    while (held.size() < Math.min(LINES, ordinary.size())) {
      Bill pick = ordinary.get(random.nextInt(ordinary.size()));
      if (!held.contains(pick)) {
        held.add(pick);
      }
    }

    // Claims whose UTR the bank never showed (NO_BANK_RECORD cases): their line, two hours late.
    Set<String> typos =
        generated.labels().stream()
            .filter(l -> l.reason().equals("LIKELY_TYPO"))
            .map(Label::key)
            .collect(Collectors.toSet());
    List<Bill> cleared =
        generated.labels().stream()
            .filter(l -> l.reason().equals("NO_BANK_RECORD") && !typos.contains(l.key()))
            .map(l -> claims.get(l.key()))
            .filter(c -> c != null && c.getKind() == PaymentKind.COLLECT)
            .filter(c -> generated.bills().stream().noneMatch(b -> b.getUtr().equals(c.getUtr())))
            .limit(LINES)
            .map(LateEvidence::overnightLine)
            .toList();

    // Statement lines no order claimed (BILL_WITHOUT_ORDER cases): their order, two hours late.
    Set<String> claimed = claims.keySet();
    List<Payment> backfilled = new ArrayList<>();
    generated.labels().stream()
        .filter(l -> l.reason().equals("BILL_WITHOUT_ORDER") && !claimed.contains(l.key()))
        .flatMap(l -> generated.bills().stream().filter(b -> b.getUtr().equals(l.key())))
        .filter(b -> b.getDirection() == BillDirection.CREDIT)
        .limit(LINES / 2)
        .forEach(b -> backfilled.addAll(backfilledOrder(b)));

    List<Bill> bills = new ArrayList<>(generated.bills());
    bills.removeAll(held);
    bills.addAll(cleared);
    bills.sort(Comparator.comparing(Bill::getEventTime).thenComparing(Bill::getBillId));
    List<Payment> payments = new ArrayList<>(generated.payments());
    payments.addAll(backfilled);
    payments.sort(Comparator.comparing(Payment::getEventTime).thenComparing(Payment::getEventId));
    return new LateEvidence(
        new Traffic(payments, bills, generated.balanceChanges(), generated.labels()),
        held,
        cleared.size() + backfilled.size() / 2);
  }

  /**
   * The order a statement line was for, entered by the merchant two hours later: claimed (PAID) and
   * then expired, as a backfilled order that was never confirmed would be.
   */
  private static List<Payment> backfilledOrder(Bill line) {
    Instant at = line.getEventTime().plus(Duration.ofHours(2));
    Payment.Builder order =
        Payment.newBuilder()
            .setEventId("PE-BACKFILL-" + line.getBillId())
            .setOrderNo("O-BACKFILL-" + line.getBillId())
            .setMerchantId("M-101")
            .setCwid(line.getCwid())
            .setKind(PaymentKind.COLLECT)
            .setStatus(PaymentStatus.PAID)
            .setAmount(line.getAmount())
            .setCurrency("INR")
            .setUtr(line.getUtr())
            .setChannel("UPI")
            .setPayerVpa(line.getCounterpartyVpa())
            .setEventTime(at);
    return List.of(
        order.build(),
        Payment.newBuilder(order.build())
            .setEventId("PE-BACKFILL-" + line.getBillId() + "-x")
            .setStatus(PaymentStatus.EXPIRED)
            .setUtr(null)
            .setEventTime(at.plus(Duration.ofMinutes(20)))
            .build());
  }

  /** The claim's bank line as the night's clearing shows it: two hours after the claim. */
  private static Bill overnightLine(Payment claim) {
    return Bill.newBuilder()
        .setBillId("B-NIGHT-" + claim.getOrderNo())
        .setUtr(claim.getUtr())
        .setCwid(claim.getCwid())
        .setDirection(BillDirection.CREDIT)
        .setAmount(claim.getAmount())
        .setCurrency("INR")
        .setCounterpartyVpa(claim.getPayerVpa())
        .setDeductStatus(DeductStatus.DEDUCTED)
        .setPickedUp(true)
        .setEventTime(claim.getEventTime().plus(Duration.ofHours(2)))
        .build();
  }

  /** The held lines due once the traffic sent has reached {@code eventTime}. */
  List<Bill> dueAt(Instant eventTime) {
    return held.stream().filter(b -> !b.getEventTime().plus(HELD_BY).isAfter(eventTime)).toList();
  }
}
