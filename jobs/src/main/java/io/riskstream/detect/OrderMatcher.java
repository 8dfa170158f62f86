package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Joins an order's payments and its SUCCESS ledger lines by order number: ORDER_PAID_TWICE,
 * LEDGER_DOUBLE_CREDIT, LEDGER_WITHOUT_ORDER, and LARGE_AMOUNT / PAYMENT_OVER_LIMIT once per order
 * ({@link OrderRules}).
 *
 * <p>State per order: the earliest payment, the earliest SUCCESS per UTR, the ledger lines by
 * log_id, the earliest large payment's alert, and what has fired; cleared by a timer once the order
 * has been quiet for the order retention (7 days).
 */
public final class OrderMatcher
    extends KeyedCoProcessFunction<String, Payment, BalanceChange, Alert> {
  private final Rules rules;
  private transient ValueState<Payment> firstPayment;
  private transient MapState<String, Payment> successesByUtr;
  private transient MapState<String, BalanceChange> lines;
  private transient ValueState<Alert> largest;
  private transient AlertOutput output;
  private transient CleanupTimer cleanup;

  public OrderMatcher(Rules rules) {
    this.rules = rules;
  }

  @Override
  public void open(OpenContext context) {
    AvroTypeInfo<Payment> payment = new AvroTypeInfo<>(Payment.class);
    firstPayment =
        getRuntimeContext().getState(new ValueStateDescriptor<>("first-payment", payment));
    successesByUtr =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("successes-by-utr", Types.STRING, payment));
    lines =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "ledger-lines", Types.STRING, new AvroTypeInfo<>(BalanceChange.class)));
    largest =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("large", new AvroTypeInfo<>(Alert.class)));
    output = new AlertOutput(getRuntimeContext());
    cleanup = new CleanupTimer(getRuntimeContext(), rules.orderRetention());
  }

  @Override
  public void processElement1(Payment p, Context ctx, Collector<Alert> out) throws Exception {
    long time = p.getEventTime().toEpochMilli();
    output.countIfLate(time, ctx.timerService().currentWatermark());
    Payment first = firstPayment.value();
    if (first == null || UtrRules.BY_TIME.compare(p, first) < 0) {
      firstPayment.update(p);
    }
    if (p.getStatus() == PaymentStatus.SUCCESS && p.getUtr() != null) {
      Payment known = successesByUtr.get(p.getUtr());
      if (known == null || UtrRules.BY_TIME.compare(p, known) < 0) {
        successesByUtr.put(p.getUtr(), p);
      }
    }
    Alert large = LargeAmountRule.check(p, rules);
    Alert current = largest.value();
    if (large != null && (current == null || isEarlier(large, current))) {
      largest.update(large);
    }
    ctx.timerService().registerEventTimeTimer(time);
    cleanup.extend(ctx.timerService(), time);
  }

  /** Only SUCCESS ledger lines with an order number reach this operator. */
  @Override
  public void processElement2(BalanceChange line, Context ctx, Collector<Alert> out)
      throws Exception {
    long time = line.getEventTime().toEpochMilli();
    output.countIfLate(time, ctx.timerService().currentWatermark());
    if (lines.contains(line.getLogId())) {
      return;
    }
    lines.put(line.getLogId(), line);
    KeyedState.watch(ctx.timerService(), time, rules.matchWindow().toMillis());
    cleanup.extend(ctx.timerService(), time);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
    if (cleanup.isDue(timestamp)) {
      firstPayment.clear();
      successesByUtr.clear();
      lines.clear();
      largest.clear();
      output.clear();
      cleanup.clear();
      return;
    }
    List<Payment> successes = KeyedState.values(successesByUtr);
    List<BalanceChange> credited = KeyedState.values(lines);
    long watermark = Math.max(timestamp, ctx.timerService().currentWatermark());
    for (UtrRules.Finding f :
        OrderRules.evaluate(
            ctx.getCurrentKey(),
            successes,
            credited,
            firstPayment.value(),
            largest.value(),
            watermark,
            rules)) {
      output.emit(f.key(), f.alert(), out);
    }
  }

  private static boolean isEarlier(Alert a, Alert b) {
    int byTime = a.getEventTime().compareTo(b.getEventTime());
    return byTime < 0 || (byTime == 0 && a.getAlertId().compareTo(b.getAlertId()) < 0);
  }
}
