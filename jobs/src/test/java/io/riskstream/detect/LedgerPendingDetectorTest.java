package io.riskstream.detect;

import static io.riskstream.testing.Harnesses.advance;
import static io.riskstream.testing.Harnesses.alerts;
import static io.riskstream.testing.Harnesses.record;
import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.ledger;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.LedgerState;
import io.riskstream.testing.BothArrivalOrders;
import io.riskstream.testing.Harnesses;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * PENDING_TOO_LONG / LEDGER_PENDING (docs/contract.md (Alerts)): a ledger line PENDING or
 * PROCESSING without a final version (SUCCESS, FAILED, REVERSED) by its time + the SLA (2 h). Both
 * arrival orders, every version delivered twice, state and timers gone afterwards.
 */
class LedgerPendingDetectorTest {
  private static final Instant T = BEGINNING;
  private static final Duration SLA = Duration.ofHours(2);

  private static BalanceChange version(LedgerState state, Instant at) {
    return ledger("L-1", "WA-CW-0002", 322, "-500", "1000", at)
        .setOrderNo("O-1")
        .setState(state)
        .build();
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, BalanceChange, Alert> harness()
      throws Exception {
    return Harnesses.open(new LedgerPendingDetector(Rules.defaults()), BalanceChange::getLogId);
  }

  private static List<Alert> decide(BalanceChange... versions) throws Exception {
    return BothArrivalOrders.decide(List.of(versions), LedgerPendingDetectorTest::run);
  }

  private static List<Alert> run(List<BalanceChange> versions) throws Exception {
    try (var h = harness()) {
      for (int copy = 0; copy < 2; copy++) {
        for (BalanceChange v : versions) {
          h.processElement(record(v));
        }
      }
      advance(h, T.plus(Duration.ofHours(6)));
      List<Alert> decided = List.copyOf(alerts(h));
      // An alert's line waits for its final version for the order retention (7 days).
      advance(h, T.plus(Duration.ofDays(8)));
      assertThat(h.numKeyedStateEntries()).as("state once decided").isZero();
      assertThat(h.numEventTimeTimers()).as("timers once decided").isZero();
      return decided;
    }
  }

  @Test
  void aLineSettledWithinTheSlaRaisesNothing() throws Exception {
    assertThat(decide(version(LedgerState.PENDING, T), version(LedgerState.SUCCESS, T.plus(SLA))))
        .isEmpty();
    assertThat(
            decide(
                version(LedgerState.PENDING, T),
                version(LedgerState.PROCESSING, T.plusSeconds(30)),
                version(LedgerState.REVERSED, T.plus(SLA))))
        .isEmpty();
    assertThat(decide(version(LedgerState.SUCCESS, T))).as("a line final at once").isEmpty();
  }

  @Test
  void aLineStillPendingAfterTheSlaIsLedgerPending() throws Exception {
    List<Alert> late =
        decide(
            version(LedgerState.PENDING, T),
            version(LedgerState.SUCCESS, T.plus(SLA).plusMillis(1)));

    assertThat(late)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getReason()).isEqualTo("LEDGER_PENDING");
              assertThat(a.getType().name()).isEqualTo("PENDING_TOO_LONG");
              assertThat(a.getAccountId()).isEqualTo("WA-CW-0002");
              assertThat(a.getEventTime()).isEqualTo(T.plus(SLA));
              assertThat(a.getEvidence()).extracting(Evidence::getId).containsExactly("L-1");
              assertThat(a.getSummary())
                  .isEqualTo(
                      "Ledger line L-1 (-₹500.00, type 322, account ****0002, order O-1) has been"
                          + " PENDING since 2026-11-21T10:00:00Z and has no final state after 2h");
            });
    assertThat(decide(version(LedgerState.PROCESSING, T)))
        .extracting(Alert::getReason)
        .containsExactly("LEDGER_PENDING");
  }

  @Test
  void aPendingVersionWhoseSlaEndedBeforeItArrivedGoesToTheLateEvents() throws Exception {
    try (var h = harness()) {
      advance(h, T.plus(SLA).plusSeconds(1));
      h.processElement(record(version(LedgerState.PENDING, T)));
      advance(h, T.plus(Duration.ofHours(6)));

      assertThat(alerts(h)).isEmpty();
      assertThat(h.getSideOutput(LateEvent.TAG))
          .extracting(StreamRecord::getValue)
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.key).isEqualTo("WA-CW-0002");
                assertThat(e.lateByMs).isEqualTo(SLA.plusSeconds(1).toMillis());
                assertThat(e.reason).startsWith("LEDGER_PENDING cannot place it");
              });
      assertThat(h.numKeyedStateEntries()).isZero();
    }
  }
}
