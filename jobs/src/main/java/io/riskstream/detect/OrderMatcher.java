package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import java.util.Collection;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
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
  private transient ValueState<Map<String, Payment>> successesByUtr;
  private transient ValueState<Map<String, BalanceChange>> lines;
  private transient ValueState<Alert> largest;
  private transient AlertOutput output;
  private transient FiredSet fired;
  private transient CleanupTimer cleanup;

  public OrderMatcher(Rules rules) {
    this.rules = rules;
  }

  @Override
  public void open(OpenContext context) {
    AvroTypeInfo<Payment> payment = new AvroTypeInfo<>(Payment.class);
    firstPayment =
        getRuntimeContext().getState(new ValueStateDescriptor<>("first-payment", payment));
    successesByUtr = KeyedState.smallMap(getRuntimeContext(), "successes", payment);
    lines =
        KeyedState.smallMap(getRuntimeContext(), "ledger", new AvroTypeInfo<>(BalanceChange.class));
    largest =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("large", new AvroTypeInfo<>(Alert.class)));
    output = new AlertOutput(getRuntimeContext());
    fired = new FiredSet(getRuntimeContext());
    cleanup = new CleanupTimer(getRuntimeContext(), rules.orderRetention());
  }

  @Override
  public void processElement1(Payment p, Context ctx, Collector<Alert> out) throws Exception {
    long time = p.getEventTime().toEpochMilli();
    output.countIfLate(time, ctx.timerService().currentWatermark());
    Payment first = firstPayment.value();
    if (first == null || EventOrder.PAYMENTS.compare(p, first) < 0) {
      firstPayment.update(p);
    }
    if (p.getStatus() == PaymentStatus.SUCCESS && p.getUtr() != null) {
      Map<String, Payment> successes = KeyedState.read(successesByUtr);
      Payment known = successes.get(p.getUtr());
      if (known == null || EventOrder.PAYMENTS.compare(p, known) < 0) {
        successes.put(p.getUtr(), p);
        successesByUtr.update(successes);
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
    Map<String, BalanceChange> ledger = KeyedState.read(lines);
    if (ledger.containsKey(line.getLogId())) {
      return;
    }
    ledger.put(line.getLogId(), line);
    lines.update(ledger);
    KeyedState.watch(ctx.timerService(), time, rules.matchWindow().toMillis());
    cleanup.extend(ctx.timerService(), time);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
    if (cleanup.isDue(ctx.timerService(), timestamp)) {
      firstPayment.clear();
      successesByUtr.clear();
      lines.clear();
      largest.clear();
      fired.clear();
      cleanup.clear();
      return;
    }
    Collection<Payment> successes = KeyedState.read(successesByUtr).values();
    Collection<BalanceChange> credited = KeyedState.read(lines).values();
    long watermark = Math.max(timestamp, ctx.timerService().currentWatermark());
    for (Finding f :
        OrderRules.evaluate(
            ctx.getCurrentKey(),
            successes,
            credited,
            firstPayment.value(),
            largest.value(),
            watermark,
            rules)) {
      if (fired.firstTime(f.key())) {
        output.emit(f.alert(), out);
      }
    }
  }

  private static boolean isEarlier(Alert a, Alert b) {
    int byTime = a.getEventTime().compareTo(b.getEventTime());
    return byTime < 0 || (byTime == 0 && a.getAlertId().compareTo(b.getAlertId()) < 0);
  }
}
