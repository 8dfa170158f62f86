package io.riskstream.detect;

import static io.riskstream.testing.Harnesses.advance;
import static io.riskstream.testing.Harnesses.alerts;
import static io.riskstream.testing.Harnesses.record;
import static io.riskstream.testing.Harnesses.updates;
import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.bill;
import static io.riskstream.testing.TestEvents.payment;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertStatus;
import io.riskstream.avro.AlertType;
import io.riskstream.avro.Bill;
import io.riskstream.avro.BillDirection;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.EvidenceSource;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.testing.Harnesses;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * UTR_TYPO / LIKELY_TYPO (docs/contract.md (Alerts)): UtrMatcher's real NO_BANK_RECORD and
 * BILL_WITHOUT_ORDER alerts, through the typo pairing by worker. Same worker, direction and amount,
 * at most W (30 min) apart, UTRs at most two edits apart with a swap of neighbours one edit.
 */
class UtrTypoTest {
  private static final Instant T = BEGINNING;
  private static final Duration W = Duration.ofMinutes(30);
  private static final String TYPED = "412345678910";
  private static final String MEANT = "412345678901";

  private static Payment claim(String utr) {
    return payment("PE-9", "O-9", PaymentStatus.PAID, "2500", T)
        .setUtr(utr)
        .setCwid("CW-3")
        .build();
  }

  private static Bill line(String utr, String amount, Instant at) {
    return bill("B-9", utr, amount, at).setCwid("CW-3").build();
  }

  /** What UtrMatcher offers the pairing for these events, once the watermark is far past them. */
  private static List<TypoCandidate> candidates(Object... events) throws Exception {
    try (KeyedTwoInputStreamOperatorTestHarness<String, Payment, Bill, Alert> h =
        Harnesses.open(new UtrMatcher(Rules.defaults()), Payment::getUtr, Bill::getUtr)) {
      for (Object e : events) {
        if (e instanceof Payment p) {
          h.processElement1(record(p));
        } else {
          h.processElement2(record((Bill) e));
        }
      }
      advance(h, T.plus(Duration.ofHours(2)));
      var offered = h.getSideOutput(TypoCandidate.TAG);
      return offered == null ? List.of() : offered.stream().map(StreamRecord::getValue).toList();
    }
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, TypoCandidate, Alert> pairing()
      throws Exception {
    return Harnesses.open(new UtrTypoPairer(Rules.defaults()), c -> c.cwid);
  }

  /** The pairing's alerts for {@code candidates}, in the given order and reversed: both agree. */
  private static List<Alert> paired(List<TypoCandidate> candidates) throws Exception {
    List<List<Alert>> both = new ArrayList<>();
    for (boolean reversed : List.of(false, true)) {
      List<TypoCandidate> order = new ArrayList<>(candidates);
      if (reversed) {
        Collections.reverse(order);
      }
      try (var h = pairing()) {
        for (TypoCandidate c : order) {
          h.processElement(new StreamRecord<>(c, c.time));
        }
        advance(h, T.plus(Duration.ofDays(31)));
        assertThat(h.numKeyedStateEntries()).as("state after the retention").isZero();
        both.add(
            alerts(h).stream()
                .map(a -> Alert.newBuilder(a).setDetectedAt(Instant.EPOCH).build())
                .toList());
      }
    }
    assertThat(both.get(1)).isEqualTo(both.get(0));
    return both.get(0);
  }

  @Test
  void aSwappedPairOfDigitsOnTheWorkersStatementIsOneLikelyTypo() throws Exception {
    List<TypoCandidate> offered =
        candidates(claim(TYPED), line(MEANT, "2500", T.plus(Duration.ofMinutes(2))));
    assertThat(offered)
        .extracting(c -> c.alert.getReason())
        .containsExactlyInAnyOrder("NO_BANK_RECORD", "BILL_WITHOUT_ORDER");

    assertThat(paired(offered))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getType()).isEqualTo(AlertType.UTR_TYPO);
              assertThat(a.getReason()).isEqualTo("LIKELY_TYPO");
              assertThat(a.getRuleId()).isEqualTo("utr-typo");
              assertThat(a.getSummary())
                  .isEqualTo(
                      "Order O-9 claims UTR 412345678910 but CW-3's bank statement shows ₹2,500.00"
                          + " with UTR 412345678901 2m later: likely a mistyped UTR; backfill it");
              assertThat(a.getEvidence())
                  .containsExactly(
                      new Evidence(EvidenceSource.PAYMENT, "PE-9", T),
                      new Evidence(EvidenceSource.BILL, "B-9", T.plus(Duration.ofMinutes(2))));
              assertThat(a.getEventTime()).isEqualTo(T.plus(Duration.ofMinutes(2)).plus(W));
              assertThat(a.getOrderNo()).isEqualTo("O-9");
              assertThat(a.getUtr()).isEqualTo(TYPED);
              assertThat(a.getCwid()).isEqualTo("CW-3");
              assertThat(a.getAmount()).isEqualByComparingTo("2500.00");
            });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "another amount,          412345678901, 2400, 2",
    "more than W apart,       412345678901, 2500, 31",
    "three edits apart,       412345687019, 2500, 2",
  })
  void nothingPairsUnlessEveryConditionHolds(String why, String utr, String amount, int minutes)
      throws Exception {
    List<TypoCandidate> offered =
        candidates(claim(TYPED), line(utr, amount, T.plus(Duration.ofMinutes(minutes))));
    assertThat(offered).as(why).hasSize(2);
    assertThat(paired(offered)).as(why).isEmpty();
  }

  @Test
  void aLineOfTheOtherDirectionDoesNotPair() throws Exception {
    Bill debit =
        bill("B-9", MEANT, "2500", T.plus(Duration.ofMinutes(2)))
            .setCwid("CW-3")
            .setDirection(BillDirection.DEBIT)
            .build();
    assertThat(paired(candidates(claim(TYPED), debit))).isEmpty();
  }

  @Test
  void editDistanceCountsASwapOfNeighboursAsOneEdit() {
    assertThat(UtrTypoRules.distance(TYPED, MEANT)).isEqualTo(1);
    assertThat(UtrTypoRules.distance("412345678901", "142345678910")).isEqualTo(2);
    assertThat(UtrTypoRules.distance("412345678901", "412345678900")).isEqualTo(1);
    assertThat(UtrTypoRules.distance("412345678901", "41234567890")).isEqualTo(1);
    assertThat(UtrTypoRules.distance("412345678901", "412345687019")).isEqualTo(3);
  }

  @Test
  void theClaimsOwnLineArrivingLateRetractsItsNoBankRecordAndThePair() throws Exception {
    List<TypoCandidate> offered;
    try (KeyedTwoInputStreamOperatorTestHarness<String, Payment, Bill, Alert> utr =
        Harnesses.open(new UtrMatcher(Rules.defaults()), Payment::getUtr, Bill::getUtr)) {
      utr.processElement1(record(claim(TYPED)));
      utr.processElement2(record(line(MEANT, "2500", T.plus(Duration.ofMinutes(2)))));
      advance(utr, T.plus(Duration.ofHours(1)));
      // The claimed UTR was right after all: its own line, within W, arrives late.
      Bill own = bill("B-10", TYPED, "2500", T.plus(Duration.ofMinutes(5))).setCwid("CW-3").build();
      utr.processElement2(record(own));
      advance(utr, T.plus(Duration.ofHours(2)));
      offered = utr.getSideOutput(TypoCandidate.TAG).stream().map(StreamRecord::getValue).toList();
    }
    assertThat(offered).extracting(c -> c.retracted != null).containsExactly(false, false, true);

    try (var h = pairing()) {
      for (TypoCandidate c : offered) {
        h.processElement(new StreamRecord<>(c, c.time));
      }
      advance(h, T.plus(Duration.ofDays(1)));
      String pair = alerts(h).get(0).getAlertId();
      assertThat(alerts(h)).hasSize(1);
      assertThat(updates(h))
          .singleElement()
          .satisfies(
              u -> {
                assertThat(u.getAlertId()).isEqualTo(pair);
                assertThat(u.getStatus()).isEqualTo(AlertStatus.RETRACTED);
                assertThat(u.getReason()).isEqualTo("LATE_EVIDENCE");
                assertThat(u.getEventTime()).isEqualTo(T.plus(Duration.ofMinutes(5)));
              });
    }
  }
}
