package io.riskstream.detect;

import static io.riskstream.testing.Harnesses.advance;
import static io.riskstream.testing.Harnesses.alerts;
import static io.riskstream.testing.Harnesses.reasons;
import static io.riskstream.testing.Harnesses.record;
import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.ONE_MINUTE_LATER;
import static io.riskstream.testing.TestEvents.TWO_MINUTES_LATER;
import static io.riskstream.testing.TestEvents.ledger;
import static io.riskstream.testing.TestEvents.payment;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.testing.Harnesses;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class OrderMatcherTest {
  private static final Duration W = Duration.ofMinutes(30);
  private static final Instant MUCH_LATER = BEGINNING.plus(Duration.ofHours(3));

  private static KeyedTwoInputStreamOperatorTestHarness<String, Payment, BalanceChange, Alert>
      harness() throws Exception {
    return Harnesses.open(
        new OrderMatcher(Rules.defaults()), Payment::getOrderNo, BalanceChange::getOrderNo);
  }

  private static void send(
      KeyedTwoInputStreamOperatorTestHarness<String, Payment, BalanceChange, Alert> h,
      Object... events)
      throws Exception {
    for (Object e : events) {
      if (e instanceof Payment p) {
        h.processElement1(record(p));
      } else {
        h.processElement2(record((BalanceChange) e));
      }
    }
  }

  private static Payment success(String eventId, String utr, Instant at) {
    return payment(eventId, "O-1", PaymentStatus.SUCCESS, "2500", at).setUtr(utr).build();
  }

  private static BalanceChange credit(String logId, int type, Instant at) {
    return ledger(logId, "WA-CW-1", type, "2500", "0", at).setOrderNo("O-1").build();
  }

  @Test
  void shouldRaiseOrderPaidTwiceForASecondUtrOnly() throws Exception {
    try (var h = harness()) {
      send(
          h,
          success("PE-2", "412345678902", ONE_MINUTE_LATER),
          success("PE-1", "412345678901", BEGINNING),
          success("PE-3", "412345678901", TWO_MINUTES_LATER),
          payment("PE-4", "O-1", PaymentStatus.PAID, "2500", BEGINNING)
              .setUtr("412345678903")
              .build(),
          credit("L-1", 323, ONE_MINUTE_LATER));
      advance(h, MUCH_LATER);

      assertThat(alerts(h))
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.getReason()).isEqualTo("ORDER_PAID_TWICE");
                assertThat(a.getUtr()).isEqualTo("412345678902");
                assertThat(a.getEvidence())
                    .extracting(Evidence::getId)
                    .containsExactly("PE-1", "PE-2");
                assertThat(a.getSummary())
                    .isEqualTo(
                        "Order O-1 (₹2,500.00) was confirmed paid twice: with UTR 412345678901"
                            + " at 2026-11-21T10:00:00Z and with UTR 412345678902 at 2026-11-21T10:01:00Z");
              });
    }
  }

  @Test
  void shouldRaiseLedgerDoubleCreditForTheSameTypeOnly() throws Exception {
    try (var h = harness()) {
      BalanceChange first = credit("L-1", 323, ONE_MINUTE_LATER);
      send(
          h,
          success("PE-1", "412345678901", BEGINNING),
          first,
          first,
          credit("L-2", 323, TWO_MINUTES_LATER),
          credit("L-3", 324, TWO_MINUTES_LATER));
      advance(h, MUCH_LATER);

      assertThat(alerts(h))
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.getReason()).isEqualTo("LEDGER_DOUBLE_CREDIT");
                assertThat(a.getMerchantId()).isEqualTo("M-1");
                assertThat(a.getEvidence())
                    .extracting(Evidence::getId)
                    .containsExactly("L-1", "L-2");
              });
    }
  }

  @Test
  void shouldRaiseLedgerWithoutOrderWhenNoPaymentArrivesWithinW() throws Exception {
    try (var h = harness()) {
      send(h, credit("L-1", 321, BEGINNING), credit("L-2", 325, BEGINNING));
      advance(h, BEGINNING.plus(W));
      assertThat(alerts(h))
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.getReason()).isEqualTo("LEDGER_WITHOUT_ORDER");
                assertThat(a.getEventTime()).isEqualTo(BEGINNING.plus(W));
                assertThat(a.getSummary())
                    .isEqualTo(
                        "Ledger line L-1 credits ₹2,500.00 to account ****CW-1 for order O-1"
                            + " (type 321), but no such order exists within 30m");
              });
    }
    try (var h = harness()) {
      send(
          h,
          credit("L-1", 323, BEGINNING),
          payment("PE-1", "O-1", PaymentStatus.CREATED, "2500", BEGINNING.plus(W)).build());
      advance(h, MUCH_LATER);
      assertThat(reasons(h))
          .as("a payment exactly at the deadline is in time: the order exists but did not succeed")
          .containsExactly("LEDGER_WITHOUT_SUCCESS");
    }
    try (var h = harness()) {
      send(
          h,
          credit("L-1", 323, BEGINNING),
          payment("PE-1", "O-1", PaymentStatus.CREATED, "2500", BEGINNING.plus(W).plusMillis(1))
              .build());
      advance(h, MUCH_LATER);
      assertThat(reasons(h)).containsExactly("LEDGER_WITHOUT_ORDER");
    }
  }

  @Test
  void shouldRaisePaymentOverLimitOnceOnTheEarliestEventWhateverTheArrivalOrder() throws Exception {
    Payment created =
        payment("PE-1", "O-1", PaymentStatus.CREATED, "250000", BEGINNING).setUtr(null).build();
    Payment paid = payment("PE-2", "O-1", PaymentStatus.PAID, "250000", ONE_MINUTE_LATER).build();
    String id;
    try (var h = harness()) {
      send(h, created, paid);
      advance(h, TWO_MINUTES_LATER);
      assertThat(alerts(h))
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.getReason()).isEqualTo("PAYMENT_OVER_LIMIT");
                assertThat(a.getEvidence()).extracting(Evidence::getId).containsExactly("PE-1");
              });
      id = alerts(h).get(0).getAlertId();
    }
    try (var h = harness()) {
      send(h, paid, created);
      advance(h, BEGINNING);
      send(h, paid);
      advance(h, TWO_MINUTES_LATER);
      assertThat(alerts(h)).extracting(Alert::getAlertId).containsExactly(id);
    }
  }

  @Test
  void shouldClearStateAfterTheOrderRetention() throws Exception {
    try (var h = harness()) {
      send(
          h,
          success("PE-1", "412345678901", BEGINNING),
          success("PE-2", "412345678902", BEGINNING),
          credit("L-1", 323, BEGINNING));
      advance(h, MUCH_LATER);
      assertThat(h.numKeyedStateEntries()).isPositive();

      advance(h, BEGINNING.plus(Duration.ofDays(7)));

      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void aRefundDueWithTheSuccessIsDecidedOnTimeThoughTheLineAnswersTheSuccess() throws Exception {
    // Refunded at the instant it succeeded: SUCCESS + W and REFUNDED + W are one time. The 323
    // line, in time, answers SUCCESS_WITHOUT_LEDGER; no 324 line comes, so REFUND_WITHOUT_LEDGER
    // is due at that time all the same (and FAST_REFUND at once).
    Payment success = success("PE-1", "412345678901", BEGINNING);
    Payment refund = payment("PE-2", "O-1", PaymentStatus.REFUNDED, "2500", BEGINNING).build();
    for (Payment[] arrival : new Payment[][] {{success, refund}, {refund, success}}) {
      try (var h = harness()) {
        send(h, (Object[]) arrival);
        advance(h, ONE_MINUTE_LATER);
        assertThat(reasons(h)).containsExactly("FAST_REFUND");
        send(h, credit("L-1", 323, TWO_MINUTES_LATER));
        advance(h, BEGINNING.plus(W));
        assertThat(reasons(h)).containsExactly("FAST_REFUND", "REFUND_WITHOUT_LEDGER");
      }
    }
  }

  @Test
  void shouldHoldOneTimerPerOrderAndWakeOnlyWhenAFindingCouldBecomeFinal() throws Exception {
    try (var h = harness()) {
      // An order paid, confirmed and credited: PAID + the pending SLA (did it end?) is answered
      // by the SUCCESS, SUCCESS + W (is there a line?) by the line, each in time, so neither is
      // waited for: the one timer is the retention's, and nothing fires before it.
      send(
          h,
          payment("PE-1", "O-1", PaymentStatus.PAID, "2500", BEGINNING).build(),
          success("PE-2", "412345678901", ONE_MINUTE_LATER),
          credit("L-1", 323, ONE_MINUTE_LATER));
      assertThat(h.numEventTimeTimers()).isEqualTo(1);
      assertThat(Harnesses.value(h, "O-1", "order-v2", OrderMatcher.OrderState.type()).wakeups)
          .as("no time waited for")
          .hasSameSizeAs(Wakeups.none());
      advance(h, MUCH_LATER);
      assertThat(h.numEventTimeTimers()).as("the retention's").isEqualTo(1);
      assertThat(alerts(h)).isEmpty();
    }
    try (var h = harness()) {
      // A line before any payment waits for W; a second line of its type makes both lines' times
      // count. Timers: the first line + W, then BEGINNING when the earliest moved back to it; the
      // other times only wait in the order's value. One firing takes all that the watermark passed.
      send(h, credit("L-1", 323, BEGINNING), credit("L-2", 323, ONE_MINUTE_LATER));
      assertThat(h.numEventTimeTimers()).isEqualTo(2);
      advance(h, BEGINNING.plus(W).plusSeconds(60));
      assertThat(reasons(h))
          .containsExactlyInAnyOrder(
              "LEDGER_DOUBLE_CREDIT", "LEDGER_WITHOUT_ORDER", "LEDGER_WITHOUT_ORDER");
      assertThat(h.numEventTimeTimers()).as("the retention's").isEqualTo(1);
    }
  }
}
