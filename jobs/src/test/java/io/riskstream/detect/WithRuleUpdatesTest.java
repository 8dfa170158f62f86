package io.riskstream.detect;

import static io.riskstream.testing.RuleUpdates.update;
import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.ledger;
import static io.riskstream.testing.TestEvents.payment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.avro.RuleMode;
import io.riskstream.avro.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.Test;

/**
 * Rule versions reaching running detectors (docs/rules.md): from their effective_from on, late
 * within the disorder bound, in shadow beside the active version, and across a restore.
 */
class WithRuleUpdatesTest {
  private static final Instant T = BEGINNING.plus(Duration.ofMinutes(10));
  private static final String LIMIT_50K = "limit: 50000.00\n";
  private static final KeySelector<Either<Payment, BalanceChange>, String> ORDER =
      e -> e.isLeft() ? e.left().getOrderNo() : e.right().getOrderNo();

  private static KeyedBroadcastOperatorTestHarness<
          String, Either<Payment, BalanceChange>, io.riskstream.avro.RuleUpdate, Alert>
      orders(RuleBook book) throws Exception {
    KeyedBroadcastOperatorTestHarness<
            String, Either<Payment, BalanceChange>, io.riskstream.avro.RuleUpdate, Alert>
        h =
            ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                WithRuleUpdates.of(new OrderMatcher(book.view()), book),
                ORDER,
                Types.STRING,
                WithRuleUpdates.VERSIONS);
    idleRules(h);
    return h;
  }

  /** The rules input as the job's: idle for event time, neither holding it back nor moving it. */
  private static void idleRules(KeyedBroadcastOperatorTestHarness<String, ?, ?, Alert> h)
      throws Exception {
    h.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
  }

  /** A CREATED payment of {@code order} for {@code amount} at {@code at}. */
  private static void pay(
      KeyedBroadcastOperatorTestHarness<String, Either<Payment, BalanceChange>, ?, Alert> h,
      String order,
      String amount,
      Instant at)
      throws Exception {
    Payment p = payment("PE-" + order, order, PaymentStatus.CREATED, amount, at).build();
    h.processElement(Either.Left(p), at.toEpochMilli());
  }

  @Test
  void aVersionDecidesEventsFromItsEffectiveFromOnNotBefore() throws Exception {
    var h = orders(RuleBook.defaults());
    h.processBroadcastElement(update("large-amount", 2, RuleMode.ACTIVE, LIMIT_50K, T), 0);

    pay(h, "O-1", "60000.00", T.minusMillis(1));
    pay(h, "O-2", "60000.00", T);
    pay(h, "O-3", "600000.00", T.plus(Duration.ofMinutes(1)));
    h.processWatermark(T.plus(Duration.ofHours(1)).toEpochMilli());

    assertThat(h.extractOutputValues())
        .extracting(Alert::getOrderNo, Alert::getRuleVersion, Alert::getSeverity)
        .containsExactlyInAnyOrder(
            tuple("O-2", 2, Severity.MEDIUM), tuple("O-3", 2, Severity.CRITICAL));
  }

  @Test
  void aLateVersionStillDecidesWhatWaitsForTheWatermarkButNotWhatIsDecided() throws Exception {
    RuleBook book = RuleBook.defaults();
    var h =
        ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
            WithRuleUpdates.of(new IpBurstDetector(book.view()), book),
            Payment::getIp,
            Types.STRING,
            WithRuleUpdates.VERSIONS);
    idleRules(h);
    // Three payers on each of two IPs; the rules file's burst needs five.
    for (int i = 0; i < 3; i++) {
      for (String ip : List.of("10.0.0.1", "10.0.0.2")) {
        Instant at = (ip.endsWith("1") ? BEGINNING : T).plus(Duration.ofMinutes(i));
        h.processElement(
            payment("PE-" + ip + i, "O-" + ip + i, PaymentStatus.CREATED, "100", at)
                .setUserId("U-" + i)
                .setIp(ip)
                .build(),
            at.toEpochMilli());
      }
    }
    // 10.0.0.1's payments are decided (the watermark passed them); 10.0.0.2's still wait.
    h.processWatermark(BEGINNING.plus(Duration.ofMinutes(5)).toEpochMilli());
    // Published after those events, effective before them, within the disorder bound of T's.
    h.processBroadcastElement(
        update("ip-burst", 2, RuleMode.ACTIVE, "distinct-payers: 3\n", BEGINNING), 0);
    h.processWatermark(T.plus(Duration.ofHours(1)).toEpochMilli());

    assertThat(h.extractOutputValues())
        .extracting(Alert::getIp, Alert::getRuleVersion)
        .containsExactly(tuple("10.0.0.2", 2));
  }

  @Test
  void shadowAndActiveVersionsBothDecideToTheirOwnOutputs() throws Exception {
    RuleBook book = RuleBook.defaults();
    var live = orders(book);
    var shadow = orders(book.shadow());
    for (var h : List.of(live, shadow)) {
      h.processBroadcastElement(
          update("large-amount", 2, RuleMode.SHADOW, LIMIT_50K, BEGINNING), 0);
      pay(h, "O-1", "60000.00", T);
      pay(h, "O-2", "150000.00", T);
      h.processWatermark(T.plus(Duration.ofHours(1)).toEpochMilli());
    }

    assertThat(live.extractOutputValues())
        .extracting(Alert::getOrderNo, Alert::getRuleVersion)
        .containsExactly(tuple("O-2", 1));
    // Only the shadow version's alerts: version 1's O-2 is the live detectors' to raise.
    assertThat(shadow.extractOutputValues())
        .extracting(Alert::getOrderNo, Alert::getRuleVersion)
        .containsExactlyInAnyOrder(tuple("O-1", 2), tuple("O-2", 2));
  }

  @Test
  void aDisabledVersionSilencesTheRuleFromItsTime() throws Exception {
    var h = orders(RuleBook.defaults());
    h.processBroadcastElement(update("large-amount", 2, RuleMode.DISABLED, "{}", T), 0);
    pay(h, "O-1", "150000.00", T.minusMillis(1));
    pay(h, "O-2", "150000.00", T);
    h.processWatermark(T.plus(Duration.ofHours(1)).toEpochMilli());

    assertThat(h.extractOutputValues())
        .extracting(Alert::getOrderNo, Alert::getRuleVersion)
        .containsExactly(tuple("O-1", 1));
  }

  @Test
  void eventsADetectorCannotPlaceStillReachItsSideOutput() throws Exception {
    RuleBook book = RuleBook.defaults();
    var h =
        ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
            WithRuleUpdates.of(new BalanceChainChecker(book.view()), book),
            BalanceChange::getAccountId,
            Types.STRING,
            WithRuleUpdates.VERSIONS);
    idleRules(h);
    BalanceChange first = ledger("L-1", "WA-1", 321, "100.00", "0.00", T).build();
    BalanceChange behind = ledger("L-0", "WA-1", 321, "100.00", "0.00", T.minusSeconds(1)).build();
    h.processElement(first, T.toEpochMilli());
    h.processWatermark(T.toEpochMilli());
    h.processElement(behind, behind.getEventTime().toEpochMilli());

    assertThat(h.getSideOutput(LateEvent.TAG))
        .extracting(r -> r.getValue().key)
        .containsExactly("WA-1");
  }

  @Test
  void aRestoredDetectorKeepsTheVersionsItWasSent() throws Exception {
    RuleBook book = RuleBook.defaults();
    OperatorSubtaskState snapshot;
    try (var before = orders(book)) {
      before.processBroadcastElement(update("large-amount", 2, RuleMode.ACTIVE, LIMIT_50K, T), 0);
      snapshot = before.snapshot(1L, 1L);
    }
    // A new detector from the job graph, which knows only the rules file.
    try (var after =
        new KeyedBroadcastOperatorTestHarness<>(
            new CoBroadcastWithKeyedOperator<>(
                WithRuleUpdates.of(new OrderMatcher(book.view()), book),
                List.of(WithRuleUpdates.VERSIONS)),
            ORDER,
            Types.STRING,
            1,
            1,
            0)) {
      after.initializeState(snapshot);
      after.open();
      idleRules(after);
      pay(after, "O-1", "60000.00", T);
      after.processWatermark(T.plus(Duration.ofHours(1)).toEpochMilli());

      assertThat(after.extractOutputValues())
          .extracting(Alert::getOrderNo, Alert::getRuleVersion)
          .containsExactly(tuple("O-1", 2));
    }
  }
}
