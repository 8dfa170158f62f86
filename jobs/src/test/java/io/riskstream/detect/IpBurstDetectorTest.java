package io.riskstream.detect;

import static io.riskstream.testing.Harnesses.advance;
import static io.riskstream.testing.Harnesses.alerts;
import static io.riskstream.testing.Harnesses.record;
import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.payment;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.testing.Harnesses;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IpBurstDetectorTest {
  private static final Duration WINDOW = Duration.ofMinutes(10);

  private static KeyedOneInputStreamOperatorTestHarness<String, Payment, Alert> harness()
      throws Exception {
    return Harnesses.open(new IpBurstDetector(Rules.defaults()), Payment::getIp);
  }

  /** Payment i by user U-i from 10.0.0.9 at {@code at}. */
  private static Payment by(int user, Instant at) {
    return payment(
            "PE-" + user + "-" + at.getEpochSecond(), "O-" + user, PaymentStatus.CREATED, "100", at)
        .setUserId("U-" + user)
        .setIp("10.0.0.9")
        .build();
  }

  private static List<Payment> payersOneMinuteApart(int count, Instant from) {
    List<Payment> payments = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      payments.add(by(i + 1, from.plus(Duration.ofMinutes(i))));
    }
    return payments;
  }

  private static void send(
      KeyedOneInputStreamOperatorTestHarness<String, Payment, Alert> h, List<Payment> ps)
      throws Exception {
    for (Payment p : ps) {
      h.processElement(record(p));
    }
  }

  @Test
  void shouldAlertOnceWhenTheFifthDistinctPayerArrives() throws Exception {
    try (var h = harness()) {
      send(h, payersOneMinuteApart(6, BEGINNING));
      advance(h, BEGINNING.plus(Duration.ofMinutes(6)));

      assertThat(alerts(h))
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.getReason()).isEqualTo("DISTINCT_ACCOUNTS");
                assertThat(a.getIp()).isEqualTo("10.0.0.9");
                assertThat(a.getEventTime()).isEqualTo(BEGINNING.plus(Duration.ofMinutes(4)));
                assertThat(a.getEvidence()).extracting(Evidence::getId).hasSize(5);
                assertThat(a.getSummary())
                    .isEqualTo(
                        "5 distinct payers (****, ****, ****, ****, ****) paid from IP 10.0.0.9 within"
                            + " 10m");
              });
    }
  }

  @Test
  void shouldNotAlertForFourPayersOrOnePayerManyTimes() throws Exception {
    try (var h = harness()) {
      send(h, payersOneMinuteApart(4, BEGINNING));
      for (int i = 0; i < 5; i++) {
        h.processElement(record(by(1, BEGINNING.plusSeconds(i))));
      }
      advance(h, BEGINNING.plus(Duration.ofHours(1)));
      assertThat(alerts(h)).isEmpty();
    }
  }

  @Test
  void shouldNotAlertWhenTheFirstPayerIsJustOutsideTheWindow() throws Exception {
    try (var h = harness()) {
      List<Payment> payments =
          payersOneMinuteApart(3, BEGINNING.plus(WINDOW).minus(Duration.ofMinutes(3)));
      payments.add(by(9, BEGINNING));
      send(h, payments);
      h.processElement(record(by(10, BEGINNING.plus(WINDOW))));
      advance(h, BEGINNING.plus(Duration.ofHours(1)));
      assertThat(alerts(h)).as("the window is (t - 10m, t]").isEmpty();
    }
  }

  @Test
  void shouldReArmOnceTheCountFallsBelowN() throws Exception {
    try (var h = harness()) {
      send(h, payersOneMinuteApart(5, BEGINNING));
      send(h, payersOneMinuteApart(5, BEGINNING.plus(Duration.ofMinutes(30))));
      advance(h, BEGINNING.plus(Duration.ofHours(1)));
      assertThat(alerts(h))
          .extracting(Alert::getEventTime)
          .containsExactly(
              BEGINNING.plus(Duration.ofMinutes(4)), BEGINNING.plus(Duration.ofMinutes(34)));
    }
  }

  /**
   * {@code payments} and {@code repeats} more by the first payer, one second apart from its first:
   * beyond 32 payments waiting, an IP's wait in buckets instead of its value.
   */
  private static List<Payment> withRepeats(List<Payment> payments, int repeats) {
    List<Payment> all = new ArrayList<>(payments);
    for (int i = 1; i <= repeats; i++) {
      all.add(by(1, payments.get(0).getEventTime().plusSeconds(i)));
    }
    return all;
  }

  /** One burst was raised, at {@code at}, with these payments as its evidence, in time order. */
  private static void assertOneBurst(
      KeyedOneInputStreamOperatorTestHarness<String, Payment, Alert> h,
      Instant at,
      String... evidence) {
    assertThat(alerts(h))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getEventTime()).isEqualTo(at);
              assertThat(a.getEvidence()).extracting(Evidence::getId).containsExactly(evidence);
            });
  }

  @ParameterizedTest(name = "{0} repeated payments")
  @ValueSource(ints = {0, 40})
  void shouldGiveTheSameAlertWhateverTheArrivalOrder(int repeats) throws Exception {
    List<Payment> payments = withRepeats(payersOneMinuteApart(5, BEGINNING), repeats);
    List<Payment> reversed = new ArrayList<>(payments);
    Collections.reverse(reversed);
    List<Payment> shuffled = new ArrayList<>(payments);
    Collections.shuffle(shuffled, new Random(7));
    for (List<Payment> arrival : List.of(payments, reversed, shuffled)) {
      try (var h = harness()) {
        send(h, arrival);
        advance(h, BEGINNING.plus(Duration.ofMinutes(5)));
        assertOneBurst(
            h,
            BEGINNING.plus(Duration.ofMinutes(4)),
            repeats == 0 ? "PE-1-1795255200" : "PE-1-1795255240",
            "PE-2-1795255260",
            "PE-3-1795255320",
            "PE-4-1795255380",
            "PE-5-1795255440");
      }
    }
  }

  /**
   * A watermark that jumps past several windows at once (the end of a replay, a source caught up
   * after a stall) still counts each payment against the payers in its own window, whether the IP's
   * payments wait in its value or in buckets: B at 10:05 is in the window of F at 10:14.
   */
  @ParameterizedTest(name = "{0} repeated payments")
  @ValueSource(ints = {0, 40})
  void aWatermarkJumpingPastManyWindowsCountsEachPaymentInItsOwnWindow(int repeats)
      throws Exception {
    List<Payment> payments =
        withRepeats(
            List.of(
                by(1, BEGINNING),
                by(2, BEGINNING.plus(Duration.ofMinutes(5))),
                by(3, BEGINNING.plus(Duration.ofMinutes(11))),
                by(4, BEGINNING.plus(Duration.ofMinutes(12))),
                by(5, BEGINNING.plus(Duration.ofMinutes(13))),
                by(6, BEGINNING.plus(Duration.ofMinutes(14)))),
            repeats);
    try (var h = harness()) {
      send(h, payments);
      advance(h, BEGINNING.plus(Duration.ofHours(2)));

      assertOneBurst(
          h,
          BEGINNING.plus(Duration.ofMinutes(14)),
          "PE-2-1795255500",
          "PE-3-1795255860",
          "PE-4-1795255920",
          "PE-5-1795255980",
          "PE-6-1795256040");
      assertThat(h.numKeyedStateEntries()).isZero();
    }
  }

  @Test
  void aBusyIpWhoseWindowEndsBeforeItsLastPaymentIsDecidedAndForgotten() throws Exception {
    // 40 payers a second apart (more than wait in the IP's value), then one an hour later, and a
    // watermark past them all: the early payments' window ends while the late one still waits in
    // its bucket. One burst, and the IP forgotten.
    List<Payment> payments = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      payments.add(by(i, BEGINNING.plusSeconds(i - 1)));
    }
    payments.add(by(41, BEGINNING.plus(Duration.ofHours(1))));
    try (var h = harness()) {
      send(h, payments);
      advance(h, BEGINNING.plus(Duration.ofHours(3)));

      assertThat(alerts(h))
          .singleElement()
          .satisfies(a -> assertThat(a.getEventTime()).isEqualTo(BEGINNING.plusSeconds(4)));
      assertThat(h.numKeyedStateEntries()).isZero();
    }
  }

  @Test
  void shouldForgetTheIpOnceItIsQuietForAWindow() throws Exception {
    try (var h = harness()) {
      send(h, payersOneMinuteApart(5, BEGINNING));
      advance(h, BEGINNING.plus(Duration.ofMinutes(5)));
      assertThat(h.numKeyedStateEntries()).isPositive();

      advance(h, BEGINNING.plus(Duration.ofMinutes(15)));

      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void aNatAddressWithAThousandPayersKeepsFivePayersAndAlertsOnce() throws Exception {
    try (var h = harness()) {
      // 1,000 distinct payers 600 ms apart: the count in the window never falls below 5.
      for (int i = 0; i < 1_000; i++) {
        h.processElement(record(by(i + 1, BEGINNING.plusMillis(600L * i))));
      }
      advance(h, BEGINNING.plus(Duration.ofMinutes(10)));

      assertThat(alerts(h))
          .singleElement()
          .satisfies(a -> assertThat(a.getEventTime()).isEqualTo(BEGINNING.plusMillis(2_400)));
      IpBurstDetector.IpState kept =
          Harnesses.value(h, "10.0.0.9", "ip", IpBurstDetector.IpState.type());
      assertThat(kept.payers.keySet())
          .containsExactlyInAnyOrder("U-996", "U-997", "U-998", "U-999", "U-1000");
    }
  }

  @Test
  void aPaymentBehindTheCountedOnesGoesToLateEvents() throws Exception {
    try (var h = harness()) {
      send(h, payersOneMinuteApart(2, BEGINNING));
      advance(h, BEGINNING.plus(Duration.ofMinutes(2)));
      h.processElement(record(by(7, BEGINNING.minusSeconds(10))));

      assertThat(h.getSideOutput(LateEvent.TAG))
          .extracting(r -> r.getValue().toString())
          .containsExactly(
              "PAYMENTS O-7 late by 130000 ms: IP_BURST cannot count it: payments from IP 10.0.0.9"
                  + " are counted up to 2026-11-21T10:01:00Z");
    }
  }
}
