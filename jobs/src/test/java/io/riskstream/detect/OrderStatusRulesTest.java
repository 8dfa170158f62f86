package io.riskstream.detect;

import static io.riskstream.testing.Harnesses.advance;
import static io.riskstream.testing.Harnesses.alerts;
import static io.riskstream.testing.Harnesses.reasons;
import static io.riskstream.testing.Harnesses.record;
import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.ledger;
import static io.riskstream.testing.TestEvents.payment;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.avro.Severity;
import io.riskstream.testing.BothArrivalOrders;
import io.riskstream.testing.Harnesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OrderMatcher's status rules (docs/contract.md (Alerts)): STATUS_MISMATCH, PENDING_TOO_LONG /
 * BANK_PENDING and SUSPICIOUS_REFUND / FAST_REFUND. Each case runs in both arrival orders with
 * every event delivered twice; boundaries are the contract's (W = 30 min, pending SLA 2 h, refund
 * window 10 min): evidence at exactly the deadline is in time, one millisecond later it is not.
 */
class OrderStatusRulesTest {
  private static final Duration W = Duration.ofMinutes(30);
  private static final Duration SLA = Duration.ofHours(2);
  private static final Instant T = BEGINNING;
  private static final Instant RETENTION_PASSED = T.plus(Duration.ofDays(8));

  private static Payment at(String eventId, PaymentStatus status, Instant when) {
    return payment(eventId, "O-7", status, "2500", when).build();
  }

  private static BalanceChange line(String logId, int type, Instant when) {
    return ledger(logId, "WA-CW-1", type, type == 324 ? "-2500" : "2500", "0", when)
        .setOrderNo("O-7")
        .build();
  }

  /**
   * The alerts {@code events} raise, in the given order and reversed, each delivered twice, once
   * the watermark is far past every deadline; both orders must agree, and the order's state and
   * timers must be gone after the retention.
   */
  private static List<Alert> decide(Rules rules, Object... events) throws Exception {
    return BothArrivalOrders.decide(List.of(events), order -> run(rules, order));
  }

  private static List<Alert> run(Rules rules, List<Object> events) throws Exception {
    try (KeyedTwoInputStreamOperatorTestHarness<String, Payment, BalanceChange, Alert> h =
        Harnesses.open(new OrderMatcher(rules), Payment::getOrderNo, BalanceChange::getOrderNo)) {
      for (int copy = 0; copy < 2; copy++) {
        for (Object e : events) {
          if (e instanceof Payment p) {
            h.processElement1(record(p));
          } else {
            h.processElement2(record((BalanceChange) e));
          }
        }
      }
      advance(h, T.plus(Duration.ofHours(5)));
      List<Alert> out = List.copyOf(alerts(h));
      advance(h, RETENTION_PASSED);
      assertThat(alerts(h)).as("nothing more after the decisions").hasSameSizeAs(out);
      assertThat(h.numKeyedStateEntries()).as("state after the retention").isZero();
      assertThat(h.numEventTimeTimers()).as("timers after the retention").isZero();
      return out;
    }
  }

  private static List<String> reasonsOf(List<Alert> alerts) {
    return alerts.stream().map(Alert::getReason).sorted().toList();
  }

  @Test
  void successWithoutLedgerWaitsWForAnyLineOfTheOrder() throws Exception {
    Rules rules = Rules.defaults();
    Payment success = at("PE-1", PaymentStatus.SUCCESS, T);

    assertThat(decide(rules, success, line("L-1", 323, T.plus(W)))).isEmpty();
    List<Alert> late = decide(rules, success, line("L-1", 323, T.plus(W).plusMillis(1)));

    assertThat(late)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getReason()).isEqualTo("SUCCESS_WITHOUT_LEDGER");
              assertThat(a.getType().name()).isEqualTo("STATUS_MISMATCH");
              assertThat(a.getSeverity()).isEqualTo(Severity.HIGH);
              assertThat(a.getRuleId()).isEqualTo("status-mismatch");
              assertThat(a.getEventTime()).isEqualTo(T.plus(W));
              assertThat(a.getEvidence()).extracting(Evidence::getId).containsExactly("PE-1");
              assertThat(a.getSummary())
                  .isEqualTo(
                      "Order O-7 reached SUCCESS at 2026-11-21T10:00:00Z (₹2,500.00) but no ledger"
                          + " line credits it by 2026-11-21T10:30:00Z");
            });
    assertThat(reasonsOf(decide(rules, success, at("PE-2", PaymentStatus.SUCCESS, T.plus(W)))))
        .as("once per order, on the earliest SUCCESS")
        .containsExactly("SUCCESS_WITHOUT_LEDGER");
  }

  @Test
  void ledgerWithoutSuccessWhenTheOrderHasPaymentsButNoneSucceededByTheLinePlusW()
      throws Exception {
    Rules rules = Rules.defaults();
    BalanceChange credit = line("L-1", 323, T);
    Payment created = at("PE-1", PaymentStatus.CREATED, T.minusSeconds(60));

    assertThat(reasonsOf(decide(rules, credit, created, at("PE-2", PaymentStatus.EXPIRED, T))))
        .containsExactly("LEDGER_WITHOUT_SUCCESS");
    assertThat(decide(rules, credit, created, at("PE-2", PaymentStatus.SUCCESS, T.plus(W))))
        .as("a SUCCESS exactly at the line + W is in time")
        .isEmpty();
    assertThat(
            reasonsOf(
                decide(
                    rules,
                    credit,
                    created,
                    at("PE-2", PaymentStatus.SUCCESS, T.plus(W).plusMillis(1)))))
        .containsExactly("LEDGER_WITHOUT_SUCCESS");
    assertThat(reasonsOf(decide(rules, credit, at("PE-1", PaymentStatus.CREATED, T.plus(W)))))
        .as("a payment at exactly the line + W: the order exists, unsuccessful")
        .containsExactly("LEDGER_WITHOUT_SUCCESS");
    assertThat(
            reasonsOf(
                decide(rules, credit, at("PE-1", PaymentStatus.CREATED, T.plus(W).plusMillis(1)))))
        .as("no payment by then: the other reason")
        .containsExactly("LEDGER_WITHOUT_ORDER");
    assertThat(decide(rules, line("L-1", 325, T), created)).as("a reward needs no order").isEmpty();
  }

  @Test
  void refundWithoutLedgerWantsARefundLineOfType324Or333ByTheRefundPlusW() throws Exception {
    Rules rules = Rules.defaults();
    Instant refundedAt = T.plus(Duration.ofHours(1));
    Object[] order = {
      at("PE-1", PaymentStatus.SUCCESS, T),
      line("L-1", 323, T.plusSeconds(5)),
      at("PE-2", PaymentStatus.REFUNDED, refundedAt)
    };

    assertThat(decide(rules, append(order, line("L-2", 324, refundedAt.plus(W))))).isEmpty();
    assertThat(decide(rules, append(order, line("L-2", 333, refundedAt)))).isEmpty();
    assertThat(
            reasonsOf(
                decide(rules, append(order, line("L-2", 324, refundedAt.plus(W).plusMillis(1))))))
        .containsExactly("REFUND_WITHOUT_LEDGER");
    List<Alert> none = decide(rules, order);
    assertThat(none)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getReason()).isEqualTo("REFUND_WITHOUT_LEDGER");
              assertThat(a.getSeverity()).isEqualTo(Severity.MEDIUM);
              assertThat(a.getEvidence()).extracting(Evidence::getId).containsExactly("PE-2");
              assertThat(a.getSummary())
                  .isEqualTo(
                      "Order O-7 was REFUNDED at 2026-11-21T11:00:00Z (₹2,500.00) but no refund"
                          + " ledger line (type 324 or 333) records it by 2026-11-21T11:30:00Z");
            });
  }

  @Test
  void fastRefundWithinTheRefundWindowOfTheSuccess() throws Exception {
    Rules rules = Rules.defaults();
    Payment success = at("PE-1", PaymentStatus.SUCCESS, T);
    BalanceChange credit = line("L-1", 323, T.plusSeconds(5));
    Instant edge = T.plus(Duration.ofMinutes(10));

    List<Alert> fast =
        decide(
            rules,
            success,
            credit,
            at("PE-2", PaymentStatus.REFUNDED, edge),
            line("L-2", 324, edge.plusSeconds(5)));
    assertThat(fast)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getReason()).isEqualTo("FAST_REFUND");
              assertThat(a.getType().name()).isEqualTo("SUSPICIOUS_REFUND");
              assertThat(a.getEventTime()).isEqualTo(edge);
              assertThat(a.getEvidence())
                  .extracting(Evidence::getId)
                  .containsExactlyInAnyOrder("PE-1", "PE-2");
              assertThat(a.getSummary())
                  .isEqualTo(
                      "Order O-7 (₹2,500.00) was refunded 10m after it succeeded (SUCCESS at"
                          + " 2026-11-21T10:00:00Z, REFUNDED at 2026-11-21T10:10:00Z): within the"
                          + " 10m refund window");
            });
    assertThat(
            decide(
                rules,
                success,
                credit,
                at("PE-2", PaymentStatus.REFUNDED, edge.plusMillis(1)),
                line("L-2", 324, edge.plusSeconds(5))))
        .as("one millisecond past the window")
        .isEmpty();
  }

  @Test
  void bankPendingWhenAPaidOrderHasNoFinalStatusWithinTheSla() throws Exception {
    Rules rules = Rules.defaults();
    Payment paid = at("PE-1", PaymentStatus.PAID, T);

    assertThat(decide(rules, paid, at("PE-2", PaymentStatus.FAILED, T.plus(SLA)))).isEmpty();
    List<Alert> pending =
        decide(rules, paid, at("PE-2", PaymentStatus.FAILED, T.plus(SLA).plusMillis(1)));
    assertThat(pending)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getReason()).isEqualTo("BANK_PENDING");
              assertThat(a.getType().name()).isEqualTo("PENDING_TOO_LONG");
              assertThat(a.getEventTime()).isEqualTo(T.plus(SLA));
              assertThat(a.getSummary())
                  .isEqualTo(
                      "Order O-7 (₹2,500.00) has been PAID with UTR 412345678901 since"
                          + " 2026-11-21T10:00:00Z and has no final status after 2h");
            });
    assertThat(reasonsOf(decide(rules, paid, at("PE-2", PaymentStatus.EXPIRED, T.minusMillis(1)))))
        .as("a final status before the PAID one does not end its wait")
        .containsExactly("BANK_PENDING");
  }

  @Test
  void bankPendingTakesTheMerchantsSlaAndARuleCanBeSwitchedOffPerMerchant(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("rules.yaml");
    Files.writeString(
        file,
        """
        rules:
          pending-too-long:
            merchants:
              M-1: {version: 2, sla: {BANK_PENDING: 30 min}}
          status-mismatch:
            merchants:
              M-1: {enabled: false}
        """);
    Rules rules = Rules.load(file);
    Payment paid = at("PE-1", PaymentStatus.PAID, T);

    List<Alert> pending =
        decide(rules, paid, at("PE-2", PaymentStatus.SUCCESS, T.plus(W).plusMillis(1)));

    assertThat(pending)
        .as("M-1's SLA is 30 min; its SUCCESS without a ledger line raises nothing: switched off")
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getReason()).isEqualTo("BANK_PENDING");
              assertThat(a.getRuleVersion()).isEqualTo(2);
              assertThat(a.getEventTime()).isEqualTo(T.plus(W));
            });
  }

  private static Object[] append(Object[] events, Object more) {
    List<Object> all = new ArrayList<>(List.of(events));
    all.add(more);
    return all.toArray();
  }

  @Test
  void anOrdinaryOrderRaisesNothing() throws Exception {
    try (var h =
        Harnesses.open(
            new OrderMatcher(Rules.defaults()), Payment::getOrderNo, BalanceChange::getOrderNo)) {
      h.processElement1(record(at("PE-1", PaymentStatus.CREATED, T)));
      h.processElement1(record(at("PE-2", PaymentStatus.PAID, T.plusSeconds(60))));
      h.processElement1(record(at("PE-3", PaymentStatus.SUCCESS, T.plusSeconds(90))));
      h.processElement2(record(line("L-1", 323, T.plusSeconds(92))));
      advance(h, RETENTION_PASSED);
      assertThat(reasons(h)).isEmpty();
    }
  }
}
