package io.riskstream.detect;

import static io.riskstream.testing.Harnesses.advance;
import static io.riskstream.testing.Harnesses.alerts;
import static io.riskstream.testing.Harnesses.reasons;
import static io.riskstream.testing.Harnesses.record;
import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.ONE_MINUTE_LATER;
import static io.riskstream.testing.TestEvents.TWO_MINUTES_LATER;
import static io.riskstream.testing.TestEvents.ledger;
import static io.riskstream.testing.TestEvents.rupees;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Evidence;
import io.riskstream.testing.Harnesses;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class BalanceChainCheckerTest {
  private static final BalanceChange FIRST =
      ledger("L-1", "A-1", 325, "500", "1000", BEGINNING).build();
  private static final BalanceChange SECOND =
      ledger("L-2", "A-1", 325, "200", "1500", ONE_MINUTE_LATER).build();
  private static final BalanceChange THIRD =
      ledger("L-3", "A-1", 325, "-100", "1700", TWO_MINUTES_LATER).build();

  private static KeyedOneInputStreamOperatorTestHarness<String, BalanceChange, Alert> harness()
      throws Exception {
    return Harnesses.open(new BalanceChainChecker(Rules.defaults()), BalanceChange::getAccountId);
  }

  private static void send(
      KeyedOneInputStreamOperatorTestHarness<String, BalanceChange, Alert> h,
      BalanceChange... lines)
      throws Exception {
    for (BalanceChange line : lines) {
      h.processElement(record(line));
    }
  }

  @Test
  void shouldAcceptAChainInAnyArrivalOrderWithinTheBound() throws Exception {
    for (List<BalanceChange> order :
        List.of(List.of(FIRST, SECOND, THIRD), List.of(THIRD, FIRST, SECOND))) {
      try (var h = harness()) {
        send(h, order.toArray(BalanceChange[]::new));
        advance(h, TWO_MINUTES_LATER);
        assertThat(alerts(h)).as(order.toString()).isEmpty();
      }
    }
  }

  @Test
  void shouldRaiseChainBreakAgainstThePreviousLineInEventTime() throws Exception {
    BalanceChange broken =
        BalanceChange.newBuilder(SECOND)
            .setOpeningBalance(rupees("1400"))
            .setClosingBalance(rupees("1600"))
            .build();
    try (var h = harness()) {
      send(h, broken, FIRST);
      advance(h, TWO_MINUTES_LATER);
      assertThat(alerts(h))
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.getReason()).isEqualTo("CHAIN_BREAK");
                assertThat(a.getAccountId()).isEqualTo("A-1");
                assertThat(a.getEvidence())
                    .extracting(Evidence::getId)
                    .containsExactly("L-1", "L-2");
                assertThat(a.getSummary())
                    .isEqualTo(
                        "Ledger line L-2 on account **** opens at ₹1,400.00, but the previous"
                            + " line L-1 closed at ₹1,500.00 (difference -₹100.00)");
              });
    }
  }

  @Test
  void shouldRaiseArithmeticWhenALineDoesNotAddUp() throws Exception {
    BalanceChange wrong =
        BalanceChange.newBuilder(SECOND).setClosingBalance(rupees("1800")).build();
    BalanceChange next = ledger("L-3", "A-1", 325, "-100", "1800", TWO_MINUTES_LATER).build();
    try (var h = harness()) {
      send(h, FIRST, wrong, next);
      advance(h, TWO_MINUTES_LATER);
      assertThat(alerts(h))
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.getReason()).isEqualTo("ARITHMETIC");
                assertThat(a.getSummary())
                    .isEqualTo(
                        "Ledger line L-2 on account **** does not add up: opening ₹1,500.00 +"
                            + " amount ₹200.00 = ₹1,700.00, but the closing balance is ₹1,800.00");
              });
    }
  }

  @Test
  void shouldOrderTiesByLogId() throws Exception {
    BalanceChange a = ledger("L-a", "A-1", 325, "10", "100", BEGINNING).build();
    BalanceChange b = ledger("L-b", "A-1", 325, "10", "110", BEGINNING).build();
    try (var h = harness()) {
      send(h, b, a);
      advance(h, BEGINNING);
      assertThat(alerts(h)).isEmpty();
    }
  }

  @Test
  void shouldIgnoreARedeliveryOfACheckedLine() throws Exception {
    try (var h = harness()) {
      send(h, FIRST, SECOND);
      advance(h, ONE_MINUTE_LATER);
      send(h, FIRST, SECOND, THIRD);
      advance(h, TWO_MINUTES_LATER);
      assertThat(alerts(h)).isEmpty();
    }
  }

  @Test
  void shouldRaiseLedgerOverLimitForAdminAdjustments() throws Exception {
    try (var h = harness()) {
      send(
          h, ledger("L-1", "A-1", 342, "-15000", "20000", BEGINNING).setOperatorId("OP-1").build());
      advance(h, BEGINNING);
      assertThat(reasons(h)).containsExactly("LEDGER_OVER_LIMIT");
    }
  }

  @Test
  void shouldClearStateAfterTheAccountRetention() throws Exception {
    try (var h = harness()) {
      send(h, FIRST, SECOND);
      advance(h, ONE_MINUTE_LATER);
      assertThat(h.numKeyedStateEntries()).isPositive();

      advance(h, ONE_MINUTE_LATER.plus(Duration.ofDays(30)));

      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void shouldStartANewChainWithALineDueAtTheMomentTheRetentionEnds() throws Exception {
    Instant retentionEnds = ONE_MINUTE_LATER.plus(Duration.ofDays(30));
    // Would break the chain against L-2 (closed at 1,700); after 30 quiet days it starts a new one.
    BalanceChange restart = ledger("L-9", "A-1", 325, "100", "5000", retentionEnds).build();
    BalanceChange broken =
        ledger("L-10", "A-1", 325, "50", "1000", retentionEnds.plus(Duration.ofMinutes(1))).build();
    try (var h = harness()) {
      send(h, FIRST, SECOND);
      advance(h, ONE_MINUTE_LATER);
      send(h, restart, broken);
      advance(h, retentionEnds.plus(Duration.ofMinutes(1)));

      assertThat(alerts(h))
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.getReason()).isEqualTo("CHAIN_BREAK");
                assertThat(a.getEvidence())
                    .extracting(Evidence::getId)
                    .containsExactly("L-9", "L-10");
              });
    }
  }

  @Test
  void aSettlementAccountWhoseEveryLineBreaksTheChainKeepsConstantState() throws Exception {
    try (var h = harness()) {
      // 1,000 lines a second apart, each opening at 0 after a credit of 10: every line after the
      // first breaks the chain.
      for (int i = 0; i < 1_000; i++) {
        send(h, ledger("L-" + i, "A-9", 325, "10", "0", BEGINNING.plusSeconds(i)).build());
      }
      advance(h, BEGINNING.plusSeconds(1_000));

      assertThat(reasons(h)).hasSize(999).containsOnly("CHAIN_BREAK");
      // The last line checked and its cleanup deadline; nothing per alert or per line.
      assertThat(h.numKeyedStateEntries()).isEqualTo(2);
    }
  }

  @Test
  void aLineBehindTheCheckedChainGoesToLateEventsAndARedeliveryDoesNot() throws Exception {
    try (var h = harness()) {
      send(h, FIRST, SECOND);
      advance(h, TWO_MINUTES_LATER);
      BalanceChange late =
          ledger("L-0", "A-1", 325, "50", "950", BEGINNING.minusSeconds(30)).build();
      send(h, late, SECOND);

      assertThat(h.getSideOutput(LateEvent.TAG))
          .extracting(r -> r.getValue().toString())
          .containsExactly(
              "BALANCE_CHANGES A-1 late by 150000 ms: CHAIN_BREAK cannot place it: account A-1 is"
                  + " checked up to line L-2 at 2026-11-21T10:01:00Z");
      assertThat(alerts(h)).isEmpty();
    }
  }
}
