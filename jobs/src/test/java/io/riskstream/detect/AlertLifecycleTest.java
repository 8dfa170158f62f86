package io.riskstream.detect;

import static io.riskstream.testing.Harnesses.advance;
import static io.riskstream.testing.Harnesses.alerts;
import static io.riskstream.testing.Harnesses.reasons;
import static io.riskstream.testing.Harnesses.record;
import static io.riskstream.testing.Harnesses.updates;
import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.bill;
import static io.riskstream.testing.TestEvents.ledger;
import static io.riskstream.testing.TestEvents.payment;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.DeductStatus;
import io.riskstream.avro.LedgerState;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.testing.Harnesses;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The detection job's part of the alert lifecycle (docs/lifecycle.md): an absence alert is
 * RETRACTED / LATE_EVIDENCE when evidence whose event time is within its window arrives after the
 * decision, RESOLVED / EVIDENCE_ARRIVED when the evidence's time is after the window and it arrives
 * within the key's retention; once, whatever is redelivered; and not at all once the retention has
 * passed. Windows are the contract's defaults: W = 30 min, pending SLA 2 h, UTR retention 30 days,
 * order retention 7 days.
 */
class AlertLifecycleTest {
  private static final Duration W = Duration.ofMinutes(30);
  private static final Duration SLA = Duration.ofHours(2);
  private static final Instant T = BEGINNING;

  /** NO_BANK_RECORD of claim PE-1 (UtrMatcherTest pins it). */
  private static final String NO_BANK_RECORD_PE_1 = "a2c283d375989a3a0124ca8a95d92fbc";

  /** An update as "STATUS REASON SOURCE:id@event_time event_time=…", for exact comparison. */
  private static String describe(AlertUpdate u) {
    var e = u.getEvidence();
    return u.getAlertId()
        + " "
        + u.getStatus()
        + " "
        + u.getReason()
        + " "
        + (e.size() == 1
            ? e.get(0).getSource() + ":" + e.get(0).getId() + "@" + e.get(0).getEventTime()
            : e.toString())
        + " at "
        + u.getEventTime()
        + (u.getActor() == null ? "" : " by " + u.getActor());
  }

  private static List<String> described(AbstractStreamOperatorTestHarness<Alert> h) {
    return updates(h).stream().map(AlertLifecycleTest::describe).toList();
  }

  private static String idOf(AbstractStreamOperatorTestHarness<Alert> h, String reason) {
    return alerts(h).stream()
        .filter(a -> a.getReason().equals(reason))
        .findFirst()
        .orElseThrow()
        .getAlertId();
  }

  // ---- by UTR: NO_BANK_RECORD, BILL_WITHOUT_ORDER, BILL_PENDING ----

  private static KeyedTwoInputStreamOperatorTestHarness<String, Payment, Bill, Alert> byUtr()
      throws Exception {
    return Harnesses.open(new UtrMatcher(Rules.defaults()), Payment::getUtr, Bill::getUtr);
  }

  private static Payment claim(String eventId, String order, Instant at) {
    return payment(eventId, order, PaymentStatus.PAID, "2500", at).build();
  }

  @Test
  void aBillInsideTheWindowThatArrivesAfterTheDecisionRetractsNoBankRecordOnce() throws Exception {
    try (var h = byUtr()) {
      h.processElement1(record(claim("PE-1", "O-1", T)));
      advance(h, T.plus(W));
      assertThat(reasons(h)).containsExactly("NO_BANK_RECORD");

      Bill late = bill("B-1", "412345678901", "2500", T.plus(Duration.ofMinutes(10))).build();
      h.processElement2(record(late));
      h.processElement2(record(late)); // redelivered
      advance(h, T.plus(Duration.ofHours(3)));

      assertThat(described(h))
          .containsExactly(
              NO_BANK_RECORD_PE_1
                  + " RETRACTED LATE_EVIDENCE BILL:B-1@2026-11-21T10:10:00Z"
                  + " at 2026-11-21T10:10:00Z");
      assertThat(updates(h).get(0).getNote())
          .isEqualTo(
              "BILL B-1 of 2026-11-21T10:10:00Z arrived after the decision but falls within it:"
                  + " the alert is withdrawn");
      assertThat(reasons(h)).as("nothing else").containsExactly("NO_BANK_RECORD");
    }
  }

  @Test
  void aBillAfterTheWindowResolvesNoBankRecordWhenItArrivesAfterTheDecisionOrBefore()
      throws Exception {
    Instant overnight = T.plus(Duration.ofHours(9));
    // After the decision: the night's clearing.
    try (var h = byUtr()) {
      h.processElement1(record(claim("PE-1", "O-1", T)));
      advance(h, T.plus(Duration.ofHours(1)));
      h.processElement2(record(bill("B-1", "412345678901", "2500", overnight).build()));
      h.processElement2(record(bill("B-1", "412345678901", "2500", overnight).build()));
      advance(h, overnight.plus(Duration.ofHours(1)));

      assertThat(described(h))
          .containsExactly(
              NO_BANK_RECORD_PE_1
                  + " RESOLVED EVIDENCE_ARRIVED BILL:B-1@2026-11-21T19:00:00Z"
                  + " at 2026-11-21T19:00:00Z");
      assertThat(updates(h).get(0).getNote())
          .isEqualTo(
              "BILL B-1 of 2026-11-21T19:00:00Z arrived after the deadline of"
                  + " 2026-11-21T10:30:00Z");
    }
    // Before the decision (within the disorder bound) but 1 ms after the window: raised and
    // resolved at once, as an in-order run would do it.
    try (var h = byUtr()) {
      h.processElement1(record(claim("PE-1", "O-1", T)));
      h.processElement2(
          record(bill("B-1", "412345678901", "2500", T.plus(W).plusMillis(1)).build()));
      advance(h, T.plus(Duration.ofHours(1)));

      assertThat(reasons(h)).containsExactly("NO_BANK_RECORD");
      assertThat(described(h))
          .containsExactly(
              NO_BANK_RECORD_PE_1
                  + " RESOLVED EVIDENCE_ARRIVED BILL:B-1@2026-11-21T10:30:00.001Z"
                  + " at 2026-11-21T10:30:00.001Z");
    }
  }

  @Test
  void evidenceAfterTheUtrRetentionAnswersNothing() throws Exception {
    try (var h = byUtr()) {
      h.processElement1(record(claim("PE-1", "O-1", T)));
      advance(h, T.plus(Duration.ofDays(30)).plus(W));
      assertThat(h.numKeyedStateEntries()).as("the UTR is forgotten").isZero();

      h.processElement2(
          record(bill("B-1", "412345678901", "2500", T.plus(Duration.ofDays(31))).build()));
      advance(h, T.plus(Duration.ofDays(32)));

      assertThat(reasons(h)).containsExactly("NO_BANK_RECORD", "BILL_WITHOUT_ORDER");
      assertThat(updates(h)).isEmpty();
    }
  }

  @Test
  void aClaimRetractsOrResolvesBillWithoutOrderByItsTime() throws Exception {
    for (Duration after : List.of(Duration.ofMinutes(20), Duration.ofHours(4))) {
      try (var h = byUtr()) {
        h.processElement2(record(bill("B-9", "412345678901", "2500", T).build()));
        advance(h, T.plus(Duration.ofHours(1)));
        assertThat(reasons(h)).containsExactly("BILL_WITHOUT_ORDER");
        String id = idOf(h, "BILL_WITHOUT_ORDER");

        Payment claim = claim("PE-9", "O-9", T.plus(after));
        h.processElement1(record(claim));
        h.processElement1(record(claim));
        advance(h, T.plus(Duration.ofHours(6)));

        String when = T.plus(after).toString();
        assertThat(described(h))
            .as("claim %s after the bill", after)
            .containsExactly(
                id
                    + (after.compareTo(W) <= 0
                        ? " RETRACTED LATE_EVIDENCE"
                        : " RESOLVED EVIDENCE_ARRIVED")
                    + " PAYMENT:PE-9@"
                    + when
                    + " at "
                    + when);
      }
    }
  }

  @Test
  void theDeductedVersionResolvesBillPending() throws Exception {
    try (var h = byUtr()) {
      Bill pending =
          bill("B-5", "412345678901", "2500", T).setDeductStatus(DeductStatus.PENDING).build();
      h.processElement2(record(pending));
      advance(h, T.plus(SLA));
      assertThat(reasons(h)).containsExactly("BILL_PENDING");
      String id = idOf(h, "BILL_PENDING");

      Instant deducted = T.plus(Duration.ofHours(3));
      h.processElement2(record(bill("B-5", "412345678901", "2500", deducted).build()));
      h.processElement2(record(bill("B-5", "412345678901", "2500", deducted).build()));
      advance(h, T.plus(Duration.ofHours(4)));

      assertThat(described(h))
          .containsExactly(
              id
                  + " RESOLVED EVIDENCE_ARRIVED BILL:B-5@2026-11-21T13:00:00Z"
                  + " at 2026-11-21T13:00:00Z");
    }
  }

  @Test
  void aClaimEarlierThanTheUtrsFirstArrivingLateMakesTheSameUtrReusedAsInOrder() throws Exception {
    Payment first = claim("PE-1", "O-1", T);
    Payment reuse = claim("PE-2", "O-2", T.plus(Duration.ofMinutes(10)));
    List<String> inOrder;
    try (var h = byUtr()) {
      h.processElement1(record(first));
      h.processElement1(record(reuse));
      advance(h, T.plus(Duration.ofHours(3)));
      inOrder = alerts(h).stream().map(a -> a.getReason() + " " + a.getAlertId()).sorted().toList();
    }
    assertThat(inOrder).filteredOn(a -> a.startsWith("UTR_REUSED")).hasSize(1);

    try (var h = byUtr()) {
      h.processElement1(record(reuse));
      advance(h, T.plus(Duration.ofMinutes(20))); // O-2 decided as the UTR's first claim
      h.processElement1(record(first)); // O-1's earlier claim, late
      advance(h, T.plus(Duration.ofHours(3)));

      assertThat(alerts(h).stream().map(a -> a.getReason() + " " + a.getAlertId()).sorted())
          .containsExactlyElementsOf(inOrder);
      assertThat(updates(h)).isEmpty();
    }
  }

  // ---- by order: LEDGER_WITHOUT_ORDER, the STATUS_MISMATCH reasons, BANK_PENDING ----

  private static KeyedTwoInputStreamOperatorTestHarness<String, Payment, BalanceChange, Alert>
      byOrder() throws Exception {
    return Harnesses.open(
        new OrderMatcher(Rules.defaults()), Payment::getOrderNo, BalanceChange::getOrderNo);
  }

  private static Payment orderPayment(String eventId, PaymentStatus status, Instant at) {
    return payment(eventId, "O-7", status, "2500", at).build();
  }

  private static BalanceChange credit(String logId, int type, Instant at) {
    return ledger(logId, "WA-CW-1", type, "2500", "0", at).setOrderNo("O-7").build();
  }

  @Test
  void aLateFailedPaymentRetractsLedgerWithoutOrderAndTheNetSetIsTheInOrderOne() throws Exception {
    BalanceChange line = credit("L-1", 321, T);
    Payment failed = orderPayment("PE-1", PaymentStatus.FAILED, T.plus(Duration.ofMinutes(5)));
    List<Alert> inOrder;
    try (var h = byOrder()) {
      h.processElement2(record(line));
      h.processElement1(record(failed));
      advance(h, T.plus(Duration.ofHours(1)));
      inOrder = List.copyOf(alerts(h));
      assertThat(updates(h)).isEmpty();
    }
    assertThat(inOrder).extracting(Alert::getReason).containsExactly("LEDGER_WITHOUT_SUCCESS");

    try (var h = byOrder()) {
      h.processElement2(record(line));
      advance(h, T.plus(W));
      h.processElement1(record(failed)); // after LEDGER_WITHOUT_ORDER was decided
      h.processElement1(record(failed));
      advance(h, T.plus(Duration.ofHours(1)));

      assertThat(reasons(h)).containsExactly("LEDGER_WITHOUT_ORDER", "LEDGER_WITHOUT_SUCCESS");
      assertThat(described(h))
          .containsExactly(
              idOf(h, "LEDGER_WITHOUT_ORDER")
                  + " RETRACTED LATE_EVIDENCE PAYMENT:PE-1@2026-11-21T10:05:00Z"
                  + " at 2026-11-21T10:05:00Z");
      assertThat(idOf(h, "LEDGER_WITHOUT_SUCCESS")).isEqualTo(inOrder.get(0).getAlertId());
    }
  }

  @Test
  void aLedgerLineAfterTheWindowResolvesSuccessWithoutLedgerAndASuccessResolvesBankPending()
      throws Exception {
    try (var h = byOrder()) {
      h.processElement1(record(orderPayment("PE-1", PaymentStatus.PAID, T)));
      advance(h, T.plus(SLA));
      assertThat(reasons(h)).containsExactly("BANK_PENDING");

      Instant success = T.plus(Duration.ofHours(3));
      h.processElement1(record(orderPayment("PE-2", PaymentStatus.SUCCESS, success)));
      advance(h, success.plus(W));
      assertThat(reasons(h)).containsExactly("BANK_PENDING", "SUCCESS_WITHOUT_LEDGER");

      Instant credited = success.plus(Duration.ofHours(1));
      h.processElement2(record(credit("L-1", 321, credited)));
      h.processElement2(record(credit("L-1", 321, credited)));
      advance(h, credited.plus(Duration.ofHours(1)));

      assertThat(described(h))
          .containsExactly(
              idOf(h, "BANK_PENDING")
                  + " RESOLVED EVIDENCE_ARRIVED PAYMENT:PE-2@2026-11-21T13:00:00Z"
                  + " at 2026-11-21T13:00:00Z",
              idOf(h, "SUCCESS_WITHOUT_LEDGER")
                  + " RESOLVED EVIDENCE_ARRIVED BALANCE_CHANGE:L-1@2026-11-21T14:00:00Z"
                  + " at 2026-11-21T14:00:00Z");
    }
  }

  @Test
  void aRefundLineAfterTheOrderRetentionAnswersNothing() throws Exception {
    try (var h = byOrder()) {
      h.processElement1(record(orderPayment("PE-1", PaymentStatus.REFUNDED, T)));
      advance(h, T.plus(Duration.ofDays(8)));
      assertThat(reasons(h)).containsExactly("REFUND_WITHOUT_LEDGER");
      assertThat(h.numKeyedStateEntries()).as("the order is forgotten").isZero();

      h.processElement2(record(credit("L-2", 324, T.plus(Duration.ofDays(8)))));
      advance(h, T.plus(Duration.ofDays(9)));
      assertThat(updates(h)).isEmpty();
    }
  }

  // ---- by log_id: LEDGER_PENDING ----

  private static KeyedOneInputStreamOperatorTestHarness<String, BalanceChange, Alert> byLogId()
      throws Exception {
    return Harnesses.open(new LedgerPendingDetector(Rules.defaults()), BalanceChange::getLogId);
  }

  private static BalanceChange version(LedgerState state, Instant at) {
    return ledger("L-1", "WA-CW-0002", 322, "-500", "1000", at)
        .setOrderNo("O-1")
        .setState(state)
        .build();
  }

  @Test
  void aFinalVersionRetractsOrResolvesLedgerPendingUntilTheOrderRetention() throws Exception {
    for (Duration after : List.of(Duration.ofHours(1), Duration.ofHours(5), Duration.ofDays(8))) {
      try (var h = byLogId()) {
        h.processElement(record(version(LedgerState.PENDING, T)));
        advance(h, T.plus(SLA).plus(Duration.ofMinutes(1)));
        assertThat(reasons(h)).containsExactly("LEDGER_PENDING");
        String id = idOf(h, "LEDGER_PENDING");
        if (after.compareTo(Duration.ofDays(7)) > 0) {
          advance(h, T.plus(after));
          assertThat(h.numKeyedStateEntries()).as("the line is forgotten").isZero();
        }

        BalanceChange done = version(LedgerState.SUCCESS, T.plus(after));
        h.processElement(record(done));
        h.processElement(record(done));
        advance(h, T.plus(after).plus(Duration.ofDays(8)));

        String when = T.plus(after).toString();
        assertThat(described(h))
            .as("final version %s after", after)
            .containsExactlyElementsOf(
                after.compareTo(Duration.ofDays(7)) > 0
                    ? List.of()
                    : List.of(
                        id
                            + (after.compareTo(SLA) <= 0
                                ? " RETRACTED LATE_EVIDENCE"
                                : " RESOLVED EVIDENCE_ARRIVED")
                            + " BALANCE_CHANGE:L-1@"
                            + when
                            + " at "
                            + when));
        assertThat(h.numKeyedStateEntries()).isZero();
      }
    }
  }
}
