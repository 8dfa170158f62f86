package io.riskstream.detect;

import static io.riskstream.testing.Harnesses.advance;
import static io.riskstream.testing.Harnesses.alerts;
import static io.riskstream.testing.Harnesses.record;
import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.bill;
import static io.riskstream.testing.TestEvents.payment;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.avro.Bill;
import io.riskstream.avro.DeductStatus;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.testing.BothArrivalOrders;
import io.riskstream.testing.Harnesses;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * UtrMatcher's COUNTERPARTY_MISMATCH (OTHER_WORKER, OTHER_VPA) and PENDING_TOO_LONG / BILL_PENDING
 * (docs/contract.md (Alerts)), in both arrival orders with every event delivered twice, and with
 * the UTR's state and timers gone after the retention (30 days).
 */
class CounterpartyAndBillPendingTest {
  private static final Instant T = BEGINNING;
  private static final Duration SLA = Duration.ofHours(2);
  private static final String UTR = "412345678901";

  private static Payment claim() {
    return payment("PE-1", "O-1", PaymentStatus.PAID, "2500", T).build();
  }

  private static List<Alert> decide(Object... events) throws Exception {
    return BothArrivalOrders.decide(List.of(events), CounterpartyAndBillPendingTest::run);
  }

  private static List<Alert> run(List<Object> events) throws Exception {
    try (KeyedTwoInputStreamOperatorTestHarness<String, Payment, Bill, Alert> h =
        Harnesses.open(new UtrMatcher(Rules.defaults()), Payment::getUtr, Bill::getUtr)) {
      for (int copy = 0; copy < 2; copy++) {
        for (Object e : events) {
          if (e instanceof Payment p) {
            h.processElement1(record(p));
          } else {
            h.processElement2(record((Bill) e));
          }
        }
      }
      advance(h, T.plus(Duration.ofHours(5)));
      List<Alert> out = List.copyOf(alerts(h));
      advance(h, T.plus(Duration.ofDays(31)));
      assertThat(alerts(h)).hasSameSizeAs(out);
      assertThat(h.numKeyedStateEntries()).as("state after the retention").isZero();
      assertThat(h.numEventTimeTimers()).as("timers after the retention").isZero();
      return out;
    }
  }

  private static List<String> reasons(List<Alert> alerts) {
    return alerts.stream().map(Alert::getReason).sorted().toList();
  }

  @Test
  void aBillOnAnotherWorkersStatementIsOtherWorkerAndStillABankRecord() throws Exception {
    List<Alert> alerts =
        decide(claim(), bill("B-1", UTR, "2500", T.plusSeconds(60)).setCwid("CW-2").build());

    assertThat(alerts)
        .as("no NO_BANK_RECORD: the match still counts")
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getReason()).isEqualTo("OTHER_WORKER");
              assertThat(a.getType().name()).isEqualTo("COUNTERPARTY_MISMATCH");
              assertThat(a.getCwid()).isEqualTo("CW-1");
              assertThat(a.getEventTime()).isEqualTo(T.plusSeconds(60));
              assertThat(a.getEvidence())
                  .extracting(Evidence::getId)
                  .containsExactly("PE-1", "B-1");
              assertThat(a.getSummary())
                  .isEqualTo(
                      "UTR 412345678901 claimed by order O-1 (₹2,500.00) of worker CW-1 is on"
                          + " worker CW-2's bank statement (line B-1)");
            });
    assertThat(decide(claim(), bill("B-1", UTR, "2500", T).build()))
        .as("the same worker")
        .isEmpty();
    assertThat(
            decide(
                payment("PE-1", "O-1", PaymentStatus.PAID, "2500", T).setCwid(null).build(),
                bill("B-1", UTR, "2500", T).setCwid("CW-2").build()))
        .as("a claim without a worker cannot differ")
        .isEmpty();
  }

  @Test
  void aBillFromAnotherUpiIdIsOtherVpaComparedWithoutCase() throws Exception {
    List<Alert> alerts =
        decide(claim(), bill("B-1", UTR, "2500", T).setCounterpartyVpa("rahul99@okicici").build());

    assertThat(alerts)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getReason()).isEqualTo("OTHER_VPA");
              assertThat(a.getSummary())
                  .isEqualTo(
                      "Order O-1 (₹2,500.00, UTR 412345678901) names UPI id us****@okhdfc, but"
                          + " bank statement line B-1 shows ra****@okicici");
            });
    assertThat(
            decide(claim(), bill("B-1", UTR, "2500", T).setCounterpartyVpa("USER1@OKHDFC").build()))
        .isEmpty();
    assertThat(decide(claim(), bill("B-1", UTR, "2500", T).setCounterpartyVpa(null).build()))
        .as("a line without a counterparty cannot differ")
        .isEmpty();
    assertThat(
            reasons(
                decide(
                    claim(),
                    bill("B-1", UTR, "2000", T)
                        .setCwid("CW-2")
                        .setCounterpartyVpa("rahul99@okicici")
                        .build())))
        .as("one pair, every disagreement")
        .containsExactly("OTHER_VPA", "OTHER_WORKER", "UNDERPAID");
  }

  @Test
  void billPendingUnlessTheLineIsDeductedWithinTheSla() throws Exception {
    Bill pending = bill("B-1", UTR, "2500", T).setDeductStatus(DeductStatus.PENDING).build();
    Bill deducted = bill("B-1", UTR, "2500", T.plus(SLA)).build();

    assertThat(decide(claim(), pending, deducted)).as("deducted exactly at the SLA").isEmpty();
    List<Alert> late =
        decide(claim(), pending, bill("B-1", UTR, "2500", T.plus(SLA).plusMillis(1)).build());
    assertThat(late)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getReason()).isEqualTo("BILL_PENDING");
              assertThat(a.getType().name()).isEqualTo("PENDING_TOO_LONG");
              assertThat(a.getEventTime()).isEqualTo(T.plus(SLA));
              assertThat(a.getEvidence())
                  .extracting(Evidence::getId, Evidence::getEventTime)
                  .containsExactly(org.assertj.core.groups.Tuple.tuple("B-1", T));
              assertThat(a.getSummary())
                  .isEqualTo(
                      "Bank statement line B-1 of worker CW-1 (₹2,500.00 credit, UTR"
                          + " 412345678901) has been PENDING since 2026-11-21T10:00:00Z and was"
                          + " not deducted within 2h");
            });
    assertThat(reasons(decide(claim(), pending)))
        .as("never deducted")
        .containsExactly("BILL_PENDING");
  }

  @Test
  void aLinePendingFirstIsABankRecordFromItsPendingVersion() throws Exception {
    // Claimed at T; the line appears PENDING within W and is deducted an hour later.
    Bill pending =
        bill("B-1", UTR, "2500", T.plus(Duration.ofMinutes(30)))
            .setDeductStatus(DeductStatus.PENDING)
            .build();
    Bill deducted = bill("B-1", UTR, "2500", T.plus(Duration.ofMinutes(90))).build();

    assertThat(decide(claim(), pending, deducted)).isEmpty();
    Bill afterW =
        bill("B-1", UTR, "2500", T.plus(Duration.ofMinutes(30)).plusMillis(1))
            .setDeductStatus(DeductStatus.PENDING)
            .build();
    assertThat(reasons(decide(claim(), afterW, deducted))).containsExactly("NO_BANK_RECORD");
  }
}
