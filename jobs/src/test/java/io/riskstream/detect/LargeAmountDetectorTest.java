package io.riskstream.detect;

import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.ONE_MINUTE_LATER;
import static io.riskstream.testing.TestEvents.TWO_MINUTES_LATER;
import static io.riskstream.testing.TestEvents.ledger;
import static io.riskstream.testing.TestEvents.payment;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class LargeAmountDetectorTest {
  private static final Duration RETENTION = Rules.defaults().orderRetention();

  private static KeyedOneInputStreamOperatorTestHarness<String, Payment, Alert> paymentsHarness()
      throws Exception {
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new LargeAmountDetector<Payment>(
                    Rules.defaults(), LargeAmountRule::check, RETENTION)),
            Payment::getOrderNo,
            Types.STRING);
    harness.open();
    return harness;
  }

  private static void send(
      KeyedOneInputStreamOperatorTestHarness<String, Payment, Alert> h, Payment p)
      throws Exception {
    h.processElement(new StreamRecord<>(p, p.getEventTime().toEpochMilli()));
  }

  private static List<Alert> alerts(
      KeyedOneInputStreamOperatorTestHarness<String, ?, Alert> harness) {
    return harness.extractOutputValues();
  }

  private static long millis(Instant t) {
    return t.toEpochMilli();
  }

  @Test
  void shouldAlertOnceWhenTheWatermarkPassesTheLargePayment() throws Exception {
    try (var harness = paymentsHarness()) {
      send(harness, payment("PE-1", "O-1", PaymentStatus.CREATED, "250000", BEGINNING).build());
      assertThat(alerts(harness)).as("nothing before the watermark").isEmpty();

      harness.processWatermark(new Watermark(millis(BEGINNING)));
      send(harness, payment("PE-2", "O-1", PaymentStatus.PAID, "250000", ONE_MINUTE_LATER).build());
      send(
          harness,
          payment("PE-3", "O-1", PaymentStatus.SUCCESS, "250000", TWO_MINUTES_LATER).build());
      harness.processWatermark(new Watermark(millis(TWO_MINUTES_LATER)));

      assertThat(alerts(harness))
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.getReason()).isEqualTo("PAYMENT_OVER_LIMIT");
                assertThat(a.getEvidence().get(0).getId()).isEqualTo("PE-1");
                assertThat(a.getDetectedAt()).isAfter(Instant.EPOCH);
              });
    }
  }

  @Test
  void shouldAlertOnTheEarliestEventWhateverTheArrivalOrder() throws Exception {
    Payment created = payment("PE-1", "O-1", PaymentStatus.CREATED, "250000", BEGINNING).build();
    Payment paid = payment("PE-2", "O-1", PaymentStatus.PAID, "250000", ONE_MINUTE_LATER).build();
    String inOrder;
    String reversed;
    try (var harness = paymentsHarness()) {
      send(harness, created);
      send(harness, paid);
      harness.processWatermark(new Watermark(millis(TWO_MINUTES_LATER)));
      inOrder = alerts(harness).get(0).getAlertId();
    }
    try (var harness = paymentsHarness()) {
      send(harness, paid);
      send(harness, created);
      harness.processWatermark(new Watermark(millis(TWO_MINUTES_LATER)));
      assertThat(alerts(harness)).hasSize(1);
      reversed = alerts(harness).get(0).getAlertId();
    }
    assertThat(reversed).isEqualTo(inOrder);
  }

  @Test
  void shouldNotAlertBelowTheLimitOrOnFailedPayments() throws Exception {
    try (var harness = paymentsHarness()) {
      send(harness, payment("PE-1", "O-1", PaymentStatus.PAID, "99999.99", BEGINNING).build());
      send(harness, payment("PE-2", "O-2", PaymentStatus.FAILED, "500000", BEGINNING).build());
      harness.processWatermark(new Watermark(millis(TWO_MINUTES_LATER)));

      assertThat(alerts(harness)).isEmpty();
      assertThat(harness.numKeyedStateEntries()).isZero();
      assertThat(harness.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void shouldIgnoreRedeliveriesAndClearStateAfterRetention() throws Exception {
    try (var harness = paymentsHarness()) {
      Payment p = payment("PE-1", "O-1", PaymentStatus.PAID, "250000", BEGINNING).build();
      send(harness, p);
      send(harness, p);
      harness.processWatermark(new Watermark(millis(BEGINNING)));
      send(harness, p);
      harness.processWatermark(new Watermark(millis(ONE_MINUTE_LATER)));

      assertThat(alerts(harness)).hasSize(1);
      assertThat(harness.numKeyedStateEntries()).as("fired-at is remembered").isEqualTo(1);
      assertThat(harness.numEventTimeTimers()).as("the cleanup timer").isEqualTo(1);

      harness.processWatermark(new Watermark(millis(BEGINNING.plus(RETENTION))));

      assertThat(harness.numKeyedStateEntries()).isZero();
      assertThat(harness.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void shouldAlertOncePerLedgerLine() throws Exception {
    try (var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new LargeAmountDetector<BalanceChange>(
                    Rules.defaults(), LargeAmountRule::check, RETENTION)),
            BalanceChange::getLogId,
            Types.STRING)) {
      harness.open();
      BalanceChange admin = ledger("L-1", "A-1", 341, "50000", "0", BEGINNING).build();
      BalanceChange small = ledger("L-2", "A-1", 341, "9999.99", "50000", ONE_MINUTE_LATER).build();
      BalanceChange large =
          ledger("L-3", "A-1", 323, "100000", "59999.99", ONE_MINUTE_LATER).build();
      for (BalanceChange c : List.of(admin, small, large, admin)) {
        harness.processElement(new StreamRecord<>(c, c.getEventTime().toEpochMilli()));
      }
      harness.processWatermark(new Watermark(millis(TWO_MINUTES_LATER)));

      assertThat(alerts(harness))
          .extracting(a -> a.getEvidence().get(0).getId() + " " + a.getSeverity())
          .containsExactlyInAnyOrder("L-1 HIGH", "L-3 MEDIUM");
    }
  }
}
