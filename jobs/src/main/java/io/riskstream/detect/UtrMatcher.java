package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.Bill;
import io.riskstream.avro.BillDirection;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentKind;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Joins claims and bank statement lines by UTR, in either arrival order: FORGED_UTR
 * (INVALID_FORMAT, NO_BANK_RECORD), AMOUNT_MISMATCH, UTR_REUSED and BILL_WITHOUT_ORDER ({@link
 * UtrRules}).
 *
 * <p>State per UTR: the earliest claim of each order that claimed it, its bills (by bill_id, so
 * redeliveries change nothing), and what has fired. Event-time timers at each event's time and at
 * its time + W evaluate the rules as the watermark passes; the state is cleared by a timer once the
 * UTR has been quiet for the UTR retention (30 days).
 */
public final class UtrMatcher extends KeyedCoProcessFunction<String, Payment, Bill, Alert> {
  private final Rules rules;
  private transient ValueState<Map<String, Payment>> claimsByOrder;
  private transient ValueState<Map<String, Bill>> bills;
  private transient AlertOutput output;
  private transient FiredSet fired;
  private transient CleanupTimer cleanup;
  private transient Counter claimsMatched;
  private transient Counter claimsUnmatched;
  // For the oldestUnmatchedClaimAgeMs gauge only: the event times of this subtask's claims still
  // waiting for a bill.
  // Not checkpointed (after a restore it covers new claims only); the alerts never depend on it.
  private transient TreeMap<Long, Integer> waitingClaims;
  private transient long lastWatermark;

  public UtrMatcher(Rules rules) {
    this.rules = rules;
  }

  @Override
  public void open(OpenContext context) {
    claimsByOrder =
        KeyedState.smallMap(getRuntimeContext(), "claims", new AvroTypeInfo<>(Payment.class));
    bills = KeyedState.smallMap(getRuntimeContext(), "statement", new AvroTypeInfo<>(Bill.class));
    output = new AlertOutput(getRuntimeContext());
    fired = new FiredSet(getRuntimeContext());
    cleanup = new CleanupTimer(getRuntimeContext(), rules.utrRetention());
    claimsMatched =
        getRuntimeContext().getMetricGroup().addGroup("riskstream").counter("claimsMatched");
    claimsUnmatched =
        getRuntimeContext().getMetricGroup().addGroup("riskstream").counter("claimsUnmatched");
    waitingClaims = new TreeMap<>();
    getRuntimeContext()
        .getMetricGroup()
        .addGroup("riskstream")
        .<Long, Gauge<Long>>gauge(
            "oldestUnmatchedClaimAgeMs",
            () ->
                waitingClaims.isEmpty()
                    ? 0L
                    : Math.max(0L, lastWatermark - waitingClaims.firstKey()));
  }

  /** Only claims reach this operator (see {@link DetectionWorkflow}). */
  @Override
  public void processElement1(Payment claim, Context ctx, Collector<Alert> out) throws Exception {
    long time = claim.getEventTime().toEpochMilli();
    output.countIfLate(time, ctx.timerService().currentWatermark());
    Map<String, Payment> claims = KeyedState.read(claimsByOrder);
    Payment known = claims.get(claim.getOrderNo());
    if (known != null && UtrRules.BY_TIME.compare(known, claim) <= 0) {
      // A later claim of the same order, or a redelivery: the earliest one speaks for the order.
      return;
    }
    claims.put(claim.getOrderNo(), claim);
    claimsByOrder.update(claims);
    lastWatermark = Math.max(lastWatermark, ctx.timerService().currentWatermark());
    if (known == null
        && UtrRules.wellFormed(claim, rules)
        && !hasBillOf(
            KeyedState.read(bills),
            claim.getKind() == PaymentKind.COLLECT ? BillDirection.CREDIT : BillDirection.DEBIT)) {
      waitingClaims.merge(time, 1, Integer::sum);
    }
    KeyedState.watch(ctx.timerService(), time, rules.matchWindow().toMillis());
    cleanup.extend(ctx.timerService(), time);
  }

  @Override
  public void processElement2(Bill bill, Context ctx, Collector<Alert> out) throws Exception {
    long time = bill.getEventTime().toEpochMilli();
    output.countIfLate(time, ctx.timerService().currentWatermark());
    Map<String, Bill> statement = KeyedState.read(bills);
    if (statement.containsKey(bill.getBillId())) {
      return;
    }
    boolean firstOfItsDirection = !hasBillOf(statement, bill.getDirection());
    statement.put(bill.getBillId(), bill);
    bills.update(statement);
    if (firstOfItsDirection) {
      for (Payment claim : KeyedState.read(claimsByOrder).values()) {
        if (UtrRules.matches(claim.getKind(), bill.getDirection())
            && UtrRules.wellFormed(claim, rules)) {
          stopWaiting(claim.getEventTime().toEpochMilli());
        }
      }
    }
    KeyedState.watch(ctx.timerService(), time, rules.matchWindow().toMillis());
    cleanup.extend(ctx.timerService(), time);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
    if (cleanup.isDue(timestamp)) {
      claimsByOrder.clear();
      bills.clear();
      fired.clear();
      cleanup.clear();
      return;
    }
    Collection<Payment> claims = KeyedState.read(claimsByOrder).values();
    Collection<Bill> statement = KeyedState.read(bills).values();
    long watermark = Math.max(timestamp, ctx.timerService().currentWatermark());
    lastWatermark = Math.max(lastWatermark, watermark);
    for (UtrRules.Finding finding :
        UtrRules.evaluate(ctx.getCurrentKey(), claims, statement, watermark, rules)) {
      boolean noBankRecord = finding.alert().getReason().equals(UtrRules.NO_BANK_RECORD);
      if (fired.firstTime(finding.key())) {
        if (noBankRecord) {
          claimsUnmatched.inc();
        }
        output.emit(finding.alert(), out);
      }
    }
    countMatchedClaims(claims, statement, timestamp);
  }

  /**
   * A claim counts as matched once, at its time + W, if a bill of its direction arrived by then;
   * either way it stops waiting then.
   */
  private void countMatchedClaims(
      Collection<Payment> claims, Collection<Bill> statement, long timestamp) {
    long w = rules.matchWindow().toMillis();
    for (Payment c : claims) {
      long due = c.getEventTime().toEpochMilli() + w;
      if (due != timestamp || !UtrRules.wellFormed(c, rules)) {
        continue;
      }
      boolean anyBill =
          statement.stream().anyMatch(b -> UtrRules.matches(c.getKind(), b.getDirection()));
      if (!anyBill) {
        stopWaiting(c.getEventTime().toEpochMilli());
      }
      if (statement.stream()
          .anyMatch(
              b ->
                  UtrRules.matches(c.getKind(), b.getDirection())
                      && b.getEventTime().toEpochMilli() <= due)) {
        claimsMatched.inc();
      }
    }
  }

  private static boolean hasBillOf(Map<String, Bill> statement, BillDirection direction) {
    return statement.values().stream().anyMatch(b -> b.getDirection() == direction);
  }

  private void stopWaiting(long claimTime) {
    waitingClaims.computeIfPresent(claimTime, (t, n) -> n > 1 ? n - 1 : null);
  }
}
