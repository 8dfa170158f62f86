package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Joins an order's payments and its SUCCESS ledger lines by order number: ORDER_PAID_TWICE,
 * LEDGER_DOUBLE_CREDIT, LEDGER_WITHOUT_ORDER, and LARGE_AMOUNT / PAYMENT_OVER_LIMIT once per order
 * ({@link OrderRules}).
 *
 * <p>The order wakes only when a finding could become final: at a second SUCCESS (and each one
 * after), at a large payment, at a second ledger line of a type, at a line + W while no payment by
 * then is known. Most orders, one payment and its line, wake only to be forgotten; with timers in
 * RocksDB every wakeup is a write, a delete and a seek.
 *
 * <p>State per order, one value ({@link OrderState}): the earliest payment, the earliest SUCCESS
 * per UTR, the ledger lines by log_id, the earliest large payment's alert, what has fired, and when
 * the order must next be evaluated ({@link Wakeups}). One value because every event and every timer
 * reads all of it: an event costs one read and one write. Cleared once the order has been quiet for
 * the order retention (7 days).
 */
public final class OrderMatcher
    extends KeyedCoProcessFunction<String, Payment, BalanceChange, Alert> {
  private final Rules rules;
  private transient ValueState<OrderState> state;
  private transient AlertOutput output;

  public OrderMatcher(Rules rules) {
    this.rules = rules;
  }

  /**
   * Everything OrderMatcher keeps about one order (a Flink POJO: fields evolve with savepoints).
   */
  public static final class OrderState {
    public Payment firstPayment;
    public Map<String, Payment> successesByUtr = new HashMap<>();
    public Map<String, BalanceChange> lines = new HashMap<>();
    public Alert largest;
    public Map<String, Boolean> fired = new HashMap<>();
    public long[] wakeups = Wakeups.none();

    static TypeInformation<OrderState> type() {
      AvroTypeInfo<Payment> payment = new AvroTypeInfo<>(Payment.class);
      return Types.POJO(
          OrderState.class,
          Map.of(
              "firstPayment",
              payment,
              "successesByUtr",
              Types.MAP(Types.STRING, payment),
              "lines",
              Types.MAP(Types.STRING, new AvroTypeInfo<>(BalanceChange.class)),
              "largest",
              new AvroTypeInfo<>(Alert.class),
              "fired",
              Types.MAP(Types.STRING, Types.BOOLEAN),
              "wakeups",
              PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    }
  }

  @Override
  public void open(OpenContext context) {
    state = getRuntimeContext().getState(new ValueStateDescriptor<>("order", OrderState.type()));
    output = new AlertOutput(getRuntimeContext());
  }

  @Override
  public void processElement1(Payment p, Context ctx, Collector<Alert> out) throws Exception {
    long time = p.getEventTime().toEpochMilli();
    output.countIfLate(time, ctx.timerService().currentWatermark());
    OrderState order = read();
    if (order.firstPayment == null || EventOrder.PAYMENTS.compare(p, order.firstPayment) < 0) {
      order.firstPayment = p;
    }
    TimerService timers = ctx.timerService();
    if (p.getStatus() == PaymentStatus.SUCCESS && p.getUtr() != null) {
      Payment known = order.successesByUtr.get(p.getUtr());
      if (known == null || EventOrder.PAYMENTS.compare(p, known) < 0) {
        order.successesByUtr.put(p.getUtr(), p);
      }
      if (order.successesByUtr.size() > 1) { // ORDER_PAID_TWICE: each success after the first
        order.successesByUtr.values().stream()
            .sorted(EventOrder.PAYMENTS)
            .forEach(s -> wake(order, timers, s.getEventTime()));
      }
    }
    Alert large = LargeAmountRule.check(p, rules);
    if (large != null && (order.largest == null || isEarlier(large, order.largest))) {
      order.largest = large;
      wake(order, timers, large.getEventTime());
    }
    keep(order, timers, time);
    state.update(order);
  }

  /** Only SUCCESS ledger lines with an order number reach this operator. */
  @Override
  public void processElement2(BalanceChange line, Context ctx, Collector<Alert> out)
      throws Exception {
    long time = line.getEventTime().toEpochMilli();
    output.countIfLate(time, ctx.timerService().currentWatermark());
    OrderState order = read();
    if (order.lines.containsKey(line.getLogId())) {
      return;
    }
    order.lines.put(line.getLogId(), line);
    TimerService timers = ctx.timerService();
    // LEDGER_DOUBLE_CREDIT: each line of a type after the first, at its time.
    List<BalanceChange> sameType =
        order.lines.values().stream()
            .filter(l -> l.getTypeCode() == line.getTypeCode())
            .sorted(EventOrder.LINES) // earliest first: each later one is then only waited for
            .toList();
    if (sameType.size() > 1) {
      sameType.forEach(l -> wake(order, timers, l.getEventTime()));
    }
    // LEDGER_WITHOUT_ORDER at the line + W, unless a payment by then is known already.
    long due = time + rules.matchWindow().toMillis();
    if (OrderRules.ORDER_TYPE_CODES.contains(line.getTypeCode())
        && (order.firstPayment == null || order.firstPayment.getEventTime().toEpochMilli() > due)) {
      order.wakeups = Wakeups.at(order.wakeups, due, timers);
    }
    keep(order, timers, time);
    state.update(order);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
    OrderState order = state.value();
    if (order == null) {
      return; // a timer of its own for a hot order's extra wakeup, after the order was cleared
    }
    long watermark = Math.max(timestamp, ctx.timerService().currentWatermark());
    Wakeups.Fired fired = Wakeups.fire(order.wakeups, timestamp, watermark, ctx.timerService());
    for (Finding f :
        OrderRules.evaluate(
            ctx.getCurrentKey(),
            order.successesByUtr.values(),
            order.lines.values(),
            order.firstPayment,
            order.largest,
            watermark,
            rules)) {
      if (order.fired.putIfAbsent(f.key(), true) == null) {
        output.emit(f.alert(), out);
      }
    }
    if (fired.expired()) {
      state.clear();
    } else {
      order.wakeups = fired.wakeups();
      state.update(order);
    }
  }

  private OrderState read() throws Exception {
    OrderState order = state.value();
    return order == null ? new OrderState() : order;
  }

  private static void wake(OrderState order, TimerService timers, Instant time) {
    order.wakeups = Wakeups.at(order.wakeups, time.toEpochMilli(), timers);
  }

  /** Keeps the order for the retention after {@code time}. */
  private void keep(OrderState order, TimerService timers, long time) {
    order.wakeups =
        Wakeups.keepUntil(order.wakeups, time + rules.orderRetention().toMillis(), timers);
  }

  private static boolean isEarlier(Alert a, Alert b) {
    int byTime = a.getEventTime().compareTo(b.getEventTime());
    return byTime < 0 || (byTime == 0 && a.getAlertId().compareTo(b.getAlertId()) < 0);
  }
}
