package io.riskstream.detect;

import static io.riskstream.testing.Harnesses.record;
import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.bill;
import static io.riskstream.testing.TestEvents.ledger;
import static io.riskstream.testing.TestEvents.payment;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.avro.RuleUpdate;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.Test;

/**
 * A key with nothing left to decide ends through its operator's expiry timer, without being read
 * ({@link Expiry}, {@link Wakeups}), at the retention docs/detection.md gives it: an order 7 days
 * after its last event, a UTR 30 days. What it still has to decide is decided first, also when the
 * watermark jumps past its retention at once (the end of a bounded input), and a UTR whose end is
 * more than its value (a fired set to clear) is read at its end as before. The detectors run as the
 * job runs them: on RocksDB, in {@link DetectorOperator}, with a cache of one key, so that every
 * other key is in RocksDB alone. The expected alerts are written from docs/contract.md (Alerts).
 */
class ExpiryTest {
  private static final Duration ORDER_RETENTION = Duration.ofDays(7);
  private static final Duration UTR_RETENTION = Duration.ofDays(30);
  private static final KeySelector<Either<Payment, BalanceChange>, String> ORDER =
      e -> e.isLeft() ? e.left().getOrderNo() : e.right().getOrderNo();
  private static final KeySelector<Either<Payment, Bill>, String> UTR =
      e -> e.isLeft() ? e.left().getUtr() : e.right().getUtr();

  /**
   * {@code operator} on RocksDB, restored from {@code restored} (null: fresh), open, with its rule
   * updates input idle so that the keyed input's watermarks pass.
   */
  static <I> KeyedBroadcastOperatorTestHarness<String, I, RuleUpdate, Alert> opened(
      DetectorOperator<I> operator, KeySelector<I, String> key, OperatorSubtaskState restored)
      throws Exception {
    var h =
        RestoreFromSnapshotTest.opened(
            new KeyedBroadcastOperatorTestHarness<>(operator, key, Types.STRING, 1, 1, 0),
            restored);
    h.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
    return h;
  }

  private static DetectorOperator<Either<Payment, BalanceChange>> orderMatcher() {
    RuleBook book = RuleBook.defaults();
    return new DetectorOperator<>(WithRuleUpdates.of(new OrderMatcher(book.view()), book), 1, null);
  }

  private static DetectorOperator<Either<Payment, Bill>> utrMatcher() {
    RuleBook book = RuleBook.defaults();
    return new DetectorOperator<>(WithRuleUpdates.of(new UtrMatcher(book.view()), book), 1, null);
  }

  private static Either<Payment, BalanceChange> pay(
      String id, String order, PaymentStatus status, Instant at) {
    return Either.Left(
        payment(id, order, status, "2500", at).setUtr("41234567890" + order.charAt(2)).build());
  }

  private static Either<Payment, BalanceChange> credit(String id, String order, Instant at) {
    return Either.Right(ledger(id, "WA-CW-1", 323, "2500", "0", at).setOrderNo(order).build());
  }

  private static Either<Payment, Bill> claim(
      String id, String order, PaymentStatus status, Instant at) {
    return Either.Left(payment(id, order, status, "2500", at).build());
  }

  private static Either<Payment, Bill> line(String id, Instant at) {
    return Either.Right(bill(id, "412345678901", "2500", at).build());
  }

  /** Sends {@code events}, each stamped with its own event time. */
  @SafeVarargs
  private static <I> void send(
      KeyedBroadcastOperatorTestHarness<String, I, RuleUpdate, Alert> h, Instant at, I... events)
      throws Exception {
    for (I event : events) {
      h.processElement(event, at.toEpochMilli());
    }
  }

  private static void advance(KeyedBroadcastOperatorTestHarness<String, ?, ?, Alert> h, Instant to)
      throws Exception {
    h.processWatermark(to.toEpochMilli());
  }

  /**
   * The value of {@code key} in RocksDB, once a checkpoint has written what the cache held: what a
   * restore would find.
   */
  private static Object stored(
      KeyedBroadcastOperatorTestHarness<String, ?, ?, Alert> h,
      DetectorOperator<?> operator,
      String key,
      ValueStateDescriptor<?> descriptor)
      throws Exception {
    h.snapshot(1, 1);
    operator.setCurrentKey(key);
    return operator.getKeyedStateStore().getState(descriptor).value();
  }

  /** Every keyed state entry the operator holds in RocksDB. */
  private static int entries(DetectorOperator<?> operator) {
    return ((RocksDBKeyedStateBackend<?>) operator.getKeyedStateBackend())
        .numKeyValueStateEntries();
  }

  private static final ValueStateDescriptor<OrderMatcher.OrderState> ORDER_VALUE =
      new ValueStateDescriptor<>("order-v2", OrderMatcher.OrderState.type());
  private static final ValueStateDescriptor<UtrMatcher.UtrState> UTR_VALUE =
      new ValueStateDescriptor<>("utr", UtrMatcher.UtrState.type());

  @Test
  void anOrderWithNothingLeftToDecideEndsUnreadAtItsRetention() throws Exception {
    // Two ordinary orders, each paid, confirmed and credited: nothing waits (no finding can become
    // final), so each holds one timer, its retention's, in the expiry service.
    DetectorOperator<Either<Payment, BalanceChange>> operator = orderMatcher();
    Instant later = BEGINNING.plus(Duration.ofDays(1));
    try (var h = opened(operator, ORDER, null)) {
      send(h, BEGINNING, pay("PE-1", "O-1", PaymentStatus.PAID, BEGINNING));
      send(
          h,
          BEGINNING.plusSeconds(60),
          pay("PE-2", "O-1", PaymentStatus.SUCCESS, BEGINNING.plusSeconds(60)),
          credit("L-1", "O-1", BEGINNING.plusSeconds(60)));
      send(h, later, pay("PE-3", "O-2", PaymentStatus.SUCCESS, later), credit("L-2", "O-2", later));
      assertThat(operator.expiryTimers()).isEqualTo(2);
      assertThat(h.numEventTimeTimers()).as("no timer of Flink's own service").isEqualTo(2);

      Instant firstEnds = BEGINNING.plusSeconds(60).plus(ORDER_RETENTION);
      advance(h, firstEnds.minusMillis(1));
      assertThat(stored(h, operator, "O-1", ORDER_VALUE)).isNotNull();
      advance(h, firstEnds);
      assertThat(stored(h, operator, "O-1", ORDER_VALUE)).isNull();
      assertThat(operator.expiryTimers()).isEqualTo(1);

      advance(h, later.plus(ORDER_RETENTION));
      h.snapshot(1, 1); // the cache writes what it holds
      assertThat(entries(operator)).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
      assertThat(h.extractOutputValues()).isEmpty();
    }
  }

  @Test
  void whatAnOrderWaitsForAfterItsExpiryWasSetIsDecidedBeforeItEnds() throws Exception {
    // O-1 settles at BEGINNING (its expiry set at + 7 days); a day later it is REFUNDED, long after
    // the refund window, and no refund line comes: REFUND_WITHOUT_LEDGER at the refund + W. The
    // watermark then jumps past both at once, as at the end of a bounded input.
    DetectorOperator<Either<Payment, BalanceChange>> operator = orderMatcher();
    Instant refunded = BEGINNING.plus(Duration.ofDays(1));
    try (var h = opened(operator, ORDER, null)) {
      send(
          h,
          BEGINNING,
          pay("PE-1", "O-1", PaymentStatus.SUCCESS, BEGINNING),
          credit("L-1", "O-1", BEGINNING));
      assertThat(operator.expiryTimers()).isEqualTo(1);
      send(h, refunded, pay("PE-2", "O-1", PaymentStatus.REFUNDED, refunded));
      assertThat(operator.expiryTimers()).as("dropped while a decision waits").isZero();

      advance(h, refunded.plus(ORDER_RETENTION).minusMillis(1));
      assertThat(h.extractOutputValues())
          .extracting(Alert::getReason)
          .containsExactly("REFUND_WITHOUT_LEDGER");
      assertThat(stored(h, operator, "O-1", ORDER_VALUE))
          .as("kept after its last event")
          .isNotNull();
      advance(h, refunded.plus(ORDER_RETENTION));
      assertThat(stored(h, operator, "O-1", ORDER_VALUE)).isNull();
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void anOrderCreditedTwiceLaterEndsItsRetentionAfterTheSecondLine() throws Exception {
    // O-1 settles at BEGINNING (its expiry set at + 7 days); two days later a second order-type
    // line credits it again: LEDGER_DOUBLE_CREDIT at that line's time, and the order's end moves to
    // the line + 7 days.
    DetectorOperator<Either<Payment, BalanceChange>> operator = orderMatcher();
    Instant again = BEGINNING.plus(Duration.ofDays(2));
    try (var h = opened(operator, ORDER, null)) {
      send(
          h,
          BEGINNING,
          pay("PE-1", "O-1", PaymentStatus.SUCCESS, BEGINNING),
          credit("L-1", "O-1", BEGINNING));
      send(h, again, credit("L-2", "O-1", again));
      advance(h, again);
      assertThat(h.extractOutputValues())
          .extracting(Alert::getReason)
          .containsExactly("LEDGER_DOUBLE_CREDIT");
      assertThat(operator.expiryTimers()).as("moved, not added").isEqualTo(1);
      assertThat(h.numEventTimeTimers()).isEqualTo(1);

      advance(h, BEGINNING.plus(ORDER_RETENTION));
      assertThat(stored(h, operator, "O-1", ORDER_VALUE)).isNotNull();
      advance(h, again.plus(ORDER_RETENTION).minusMillis(1));
      assertThat(stored(h, operator, "O-1", ORDER_VALUE)).isNotNull();
      advance(h, again.plus(ORDER_RETENTION));
      assertThat(stored(h, operator, "O-1", ORDER_VALUE)).isNull();
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void aUtrWhoseClaimAndLineAgreeEndsUnreadThirtyDaysAfterItsLastEvent() throws Exception {
    // The claim waits for its bank line (NO_BANK_RECORD at + W); the line comes ten minutes later
    // and agrees: nothing is left to decide, and the UTR's one timer is its expiry.
    DetectorOperator<Either<Payment, Bill>> operator = utrMatcher();
    Instant lineAt = BEGINNING.plus(Duration.ofMinutes(10));
    try (var h = opened(operator, UTR, null)) {
      send(h, BEGINNING, claim("PE-1", "O-1", PaymentStatus.PAID, BEGINNING));
      assertThat(operator.expiryTimers()).isZero();
      send(h, lineAt, line("B-1", lineAt));
      assertThat(operator.expiryTimers()).isEqualTo(1);
      assertThat(h.numEventTimeTimers()).isEqualTo(1);

      advance(h, lineAt.plus(UTR_RETENTION).minusMillis(1));
      assertThat(stored(h, operator, "412345678901", UTR_VALUE)).isNotNull();
      advance(h, lineAt.plus(UTR_RETENTION));
      h.snapshot(1, 1);
      assertThat(entries(operator)).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
      assertThat(h.extractOutputValues()).isEmpty();
    }
  }

  @Test
  void aUtrThatRaisedAnAlertIsReadAtItsEndAndItsFiredSetCleared() throws Exception {
    // A claim with no bank line: NO_BANK_RECORD at the claim + W. The UTR's fired set now holds
    // the finding, so its end is more than its value: an ordinary timer, read, clears both.
    DetectorOperator<Either<Payment, Bill>> operator = utrMatcher();
    try (var h = opened(operator, UTR, null)) {
      send(h, BEGINNING, claim("PE-1", "O-1", PaymentStatus.PAID, BEGINNING));
      advance(h, BEGINNING.plus(Duration.ofHours(1)));
      assertThat(h.extractOutputValues())
          .extracting(Alert::getReason)
          .containsExactly("NO_BANK_RECORD");
      assertThat(operator.expiryTimers()).isZero();
      assertThat(h.numEventTimeTimers()).as("the retention's, in Flink's service").isEqualTo(1);
      operator.setCurrentKey("412345678901");
      assertThat(
              operator
                  .getKeyedStateStore()
                  .getMapState(new MapStateDescriptor<>("fired", Types.STRING, Types.BOOLEAN))
                  .isEmpty())
          .isFalse();

      advance(h, BEGINNING.plus(UTR_RETENTION));
      h.snapshot(1, 1);
      assertThat(entries(operator)).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void anOrderRestoredWithItsRetentionInFlinksTimersStillEnds() throws Exception {
    // State of a job before the expiry service: the order's retention is an ordinary timer.
    OperatorSubtaskState before;
    try (var h =
        new KeyedTwoInputStreamOperatorTestHarness<String, Payment, BalanceChange, Alert>(
            new KeyedCoProcessOperator<>(new OrderMatcher(Rules.defaults())),
            Payment::getOrderNo,
            BalanceChange::getOrderNo,
            Types.STRING)) {
      RestoreFromSnapshotTest.opened(h, null);
      h.processElement1(record(pay("PE-1", "O-1", PaymentStatus.SUCCESS, BEGINNING).left()));
      h.processElement2(record(credit("L-1", "O-1", BEGINNING).right()));
      before = h.snapshot(1, 1);
    }
    DetectorOperator<Either<Payment, BalanceChange>> operator = orderMatcher();
    try (var h = opened(operator, ORDER, before)) {
      assertThat(operator.expiryTimers()).isZero();
      assertThat(h.numEventTimeTimers()).isEqualTo(1);
      advance(h, BEGINNING.plus(ORDER_RETENTION));
      assertThat(stored(h, operator, "O-1", ORDER_VALUE)).isNull();
      assertThat(h.numEventTimeTimers()).isZero();
      assertThat(h.extractOutputValues()).isEmpty();
    }
  }
}
