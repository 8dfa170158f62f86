package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
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
 * LEDGER_DOUBLE_CREDIT, LEDGER_WITHOUT_ORDER, LARGE_AMOUNT / PAYMENT_OVER_LIMIT once per order,
 * STATUS_MISMATCH (SUCCESS_WITHOUT_LEDGER, LEDGER_WITHOUT_SUCCESS, REFUND_WITHOUT_LEDGER),
 * PENDING_TOO_LONG / BANK_PENDING and SUSPICIOUS_REFUND / FAST_REFUND ({@link OrderRules}).
 *
 * <p>The order wakes only when a finding could become final: at a second SUCCESS (and each one
 * after), at a large payment, at a second ledger line of a type, at a line + W while no SUCCESS
 * payment by then is known, at the first SUCCESS + W (is there a ledger line?), at the first PAID +
 * the pending SLA (did the order end?), at the first REFUNDED and + W. An ordinary order, PAID,
 * SUCCESS and its line, wakes twice and is then forgotten; with timers in RocksDB every wakeup is a
 * write, a delete and a seek, so the times share one timer per order ({@link Wakeups}).
 *
 * <p>State per order, one value ({@link OrderState}): the earliest payment, the earliest SUCCESS
 * per UTR, the earliest SUCCESS, PAID and REFUNDED payments, the times of its final payments, the
 * ledger lines by log_id, the earliest large payment's alert, what has fired, and when the order
 * must next be evaluated ({@link Wakeups}). One value because every event and every timer reads all
 * of it: an event costs one read and one write. Cleared once the order has been quiet for the order
 * retention (7 days).
 */
public final class OrderMatcher
    extends KeyedCoProcessFunction<String, Payment, BalanceChange, Alert>
    implements RuleDriven, Expiry.Expiring {
  private RulesInForce rules;
  private transient ValueState<OrderState> state;
  private transient AlertOutput output;

  /** Where an order's retention timer goes: null without a {@link DetectorOperator}. */
  private transient Expiry expiry;

  public OrderMatcher(RulesInForce rules) {
    this.rules = rules;
  }

  @Override
  public void use(RulesInForce rules) {
    this.rules = rules;
  }

  @Override
  public void expireWith(Expiry expiry) {
    this.expiry = expiry;
  }

  @Override
  public void expire() {
    state.clear(); // an order that only expires: everything it had to decide was decided
  }

  /**
   * Everything OrderMatcher keeps about one order (a Flink POJO: fields evolve with savepoints).
   *
   * <p>A payment often plays several parts at once (an order's SUCCESS is usually its first
   * SUCCESS, its UTR's SUCCESS and what ended it), and the value is read and written whole on every
   * event and wakeup, so each payment is stored once in {@link #payments} and the parts name it by
   * index: whole Avro payments serialised once per part were most of OrderMatcher's time on RocksDB
   * in the bench profile.
   */
  public static final class OrderState {
    private static final int NONE = -1;
    static final long NOBODY = Long.MIN_VALUE;

    /** The payments the parts below name, each once; the ones no part names any more dropped. */
    public List<Payment> payments = new ArrayList<>();

    /**
     * The earliest payment, and the earliest of each of these statuses (SUCCESS with or without a
     * UTR).
     */
    public int firstPayment = NONE;

    public int firstSuccess = NONE;
    public int firstPaid = NONE;
    public int firstRefund = NONE;

    /**
     * The earliest final payment at or after the first PAID (before a PAID is known: the earliest
     * final): what answers a BANK_PENDING alert.
     */
    public int ending = NONE;

    /** The earliest SUCCESS per UTR. */
    public Map<String, Integer> successesByUtr = new HashMap<>();

    public Map<String, BalanceChange> lines = new HashMap<>();
    public Alert largest;

    /** When the order's final payments happened ({@link OrderRules.Finals}). */
    public long[] finals = new long[0];

    public Map<String, Boolean> fired = new HashMap<>();

    /**
     * The id each fired finding raised: late evidence may change a finding's evidence, and the
     * alert raised before is then retracted.
     */
    public Map<String, String> firedIds = new HashMap<>();

    public long[] wakeups = Wakeups.none();

    /**
     * The time the order wakes for SUCCESS_WITHOUT_LEDGER (first SUCCESS + W) and for BANK_PENDING
     * (first PAID + SLA), when nothing else wakes it then ({@link #NOBODY} otherwise): the wakeup
     * is dropped once its answer, the ledger line or a final payment, is here in time. An ordinary
     * order then wakes only to be forgotten.
     */
    public long successDue = NOBODY;

    public long paidDue = NOBODY;

    /**
     * Whether a part was renamed since the last {@link #compact()}: not stored (not in {@link
     * #type()}), since every stored value has been compacted.
     */
    private boolean replaced;

    Payment firstPayment() {
      return payment(firstPayment);
    }

    void firstPayment(Payment p) {
      firstPayment = rename(firstPayment, p);
    }

    Payment firstSuccess() {
      return payment(firstSuccess);
    }

    void firstSuccess(Payment p) {
      firstSuccess = rename(firstSuccess, p);
    }

    Payment firstPaid() {
      return payment(firstPaid);
    }

    void firstPaid(Payment p) {
      firstPaid = rename(firstPaid, p);
    }

    Payment firstRefund() {
      return payment(firstRefund);
    }

    void firstRefund(Payment p) {
      firstRefund = rename(firstRefund, p);
    }

    Payment ending() {
      return payment(ending);
    }

    void ending(Payment p) {
      ending = rename(ending, p);
    }

    Payment success(String utr) {
      Integer i = successesByUtr.get(utr);
      return i == null ? null : payments.get(i);
    }

    void success(String utr, Payment p) {
      successesByUtr.put(utr, rename(successesByUtr.getOrDefault(utr, NONE), p));
    }

    /** The earliest SUCCESS of each UTR. */
    List<Payment> successes() {
      return successesByUtr.values().stream().map(payments::get).toList();
    }

    private Payment payment(int i) {
      return i == NONE ? null : payments.get(i);
    }

    /**
     * The index of {@code p} for a part that named {@code old}: if that was another payment, no
     * part may name it any more, and {@link #compact()} looks.
     */
    private int rename(int old, Payment p) {
      int i = index(p);
      replaced |= old != NONE && old != i;
      return i;
    }

    /** The index of {@code p} (the same object: a part already names it), added if new. */
    private int index(Payment p) {
      for (int i = 0; i < payments.size(); i++) {
        if (payments.get(i) == p) {
          return i;
        }
      }
      payments.add(p);
      return payments.size() - 1;
    }

    /**
     * Drops the payments no part names any more (one replaced by an earlier one), before a write.
     */
    void compact() {
      if (!replaced) {
        return;
      }
      replaced = false;
      int[] renumbered = new int[payments.size()];
      Arrays.fill(renumbered, NONE);
      for (int i : parts()) {
        renumbered[i] = 0;
      }
      List<Payment> kept = new ArrayList<>();
      for (int i = 0; i < payments.size(); i++) {
        if (renumbered[i] != NONE) {
          renumbered[i] = kept.size();
          kept.add(payments.get(i));
        }
      }
      if (kept.size() == payments.size()) {
        return;
      }
      payments = kept;
      firstPayment = renumber(renumbered, firstPayment);
      firstSuccess = renumber(renumbered, firstSuccess);
      firstPaid = renumber(renumbered, firstPaid);
      firstRefund = renumber(renumbered, firstRefund);
      ending = renumber(renumbered, ending);
      successesByUtr.replaceAll((utr, i) -> renumbered[i]);
    }

    private int[] parts() {
      return IntStream.concat(
              IntStream.of(firstPayment, firstSuccess, firstPaid, firstRefund, ending)
                  .filter(i -> i != NONE),
              successesByUtr.values().stream().mapToInt(Integer::intValue))
          .toArray();
    }

    private static int renumber(int[] renumbered, int i) {
      return i == NONE ? NONE : renumbered[i];
    }

    static TypeInformation<OrderState> type() {
      return type(
          StateRecordSerializer.typeOf(Payment.class),
          StateRecordSerializer.typeOf(BalanceChange.class));
    }

    /**
     * The value's type with payments and ledger lines kept by the given types: {@link
     * StateRecordSerializer} now, Flink's Avro serializer in state written before it.
     */
    static TypeInformation<OrderState> type(
        TypeInformation<Payment> payment, TypeInformation<BalanceChange> line) {
      return Types.POJO(
          OrderState.class,
          Map.ofEntries(
              Map.entry("payments", Types.LIST(payment)),
              Map.entry("firstPayment", Types.INT),
              Map.entry("firstSuccess", Types.INT),
              Map.entry("firstPaid", Types.INT),
              Map.entry("firstRefund", Types.INT),
              Map.entry("ending", Types.INT),
              Map.entry("successesByUtr", Types.MAP(Types.STRING, Types.INT)),
              Map.entry("lines", Types.MAP(Types.STRING, line)),
              Map.entry("largest", new AvroTypeInfo<>(Alert.class)),
              Map.entry("finals", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO),
              Map.entry("fired", Types.MAP(Types.STRING, Types.BOOLEAN)),
              Map.entry("firedIds", Types.MAP(Types.STRING, Types.STRING)),
              Map.entry("wakeups", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO),
              Map.entry("successDue", Types.LONG),
              Map.entry("paidDue", Types.LONG)));
    }
  }

  @Override
  public void open(OpenContext context) {
    state =
        KeyedStateCache.value(
            getRuntimeContext(),
            context,
            new ValueStateDescriptor<>("order-v2", OrderState.type()));
    output = new AlertOutput(getRuntimeContext(), () -> rules);
  }

  @Override
  public void processElement1(Payment p, Context ctx, Collector<Alert> out) throws Exception {
    long time = p.getEventTime().toEpochMilli();
    output.countIfLate(time, ctx.timerService().currentWatermark());
    OrderState order = read();
    if (order.firstPayment() == null || EventOrder.PAYMENTS.compare(p, order.firstPayment()) < 0) {
      order.firstPayment(p);
    }
    TimerService timers = ctx.timerService();
    if (p.getStatus() == PaymentStatus.SUCCESS && p.getUtr() != null) {
      Payment known = order.success(p.getUtr());
      if (known == null || EventOrder.PAYMENTS.compare(p, known) < 0) {
        order.success(p.getUtr(), p);
      }
      if (order.successesByUtr.size() > 1) { // ORDER_PAID_TWICE: each success after the first
        order.successes().stream()
            .sorted(EventOrder.PAYMENTS)
            .forEach(s -> wake(order, timers, s.getEventTime()));
      }
    }
    // Before the wakeups below: an answered BANK_PENDING drops its timer before another registers.
    if (OrderRules.isFinal(p.getStatus())) {
      order.finals = OrderRules.Finals.add(order.finals, time);
      Instant paid = order.firstPaid() == null ? null : order.firstPaid().getEventTime();
      if (paid != null
          && order.paidDue != OrderState.NOBODY
          && OrderRules.Finals.anyBetween(order.finals, paid.toEpochMilli(), order.paidDue)) {
        unwake(order, order.paidDue, timers); // BANK_PENDING can no longer be raised
        order.paidDue = OrderState.NOBODY;
      }
      boolean afterPaid = paid == null || !p.getEventTime().isBefore(paid);
      boolean stale =
          order.ending() != null && paid != null && order.ending().getEventTime().isBefore(paid);
      if (afterPaid
          && (order.ending() == null
              || stale
              || EventOrder.PAYMENTS.compare(p, order.ending()) < 0)) {
        order.ending(p);
      }
    }
    long w = rules.at(time).matchWindow().toMillis();
    switch (p.getStatus()) {
      case SUCCESS -> {
        if (earlier(p, order.firstSuccess())) {
          order.firstSuccess(p); // SUCCESS_WITHOUT_LEDGER at its time + W, FAST_REFUND at a refund
          unwake(order, order.successDue, timers);
          boolean booked =
              order.lines.values().stream()
                  .anyMatch(l -> l.getEventTime().toEpochMilli() <= time + w);
          order.successDue = booked ? OrderState.NOBODY : wakeAlone(order, time + w, timers);
          if (order.firstRefund() != null) {
            wake(order, timers, order.firstRefund().getEventTime());
          }
        }
      }
      case PAID -> {
        if (earlier(p, order.firstPaid())) {
          order.firstPaid(p); // BANK_PENDING at its time + the SLA
          unwake(order, order.paidDue, timers);
          long due = time + OrderRules.bankPendingSla(p, rules.at(time)).toMillis();
          order.paidDue =
              OrderRules.Finals.anyBetween(order.finals, time, due)
                  ? OrderState.NOBODY
                  : wakeAlone(order, due, timers);
        }
      }
      case REFUNDED -> {
        if (earlier(p, order.firstRefund())) {
          order.firstRefund(p); // FAST_REFUND at its time, REFUND_WITHOUT_LEDGER at + W
          wake(order, timers, time);
          wake(order, timers, time + w);
        }
      }
      default -> {}
    }
    Alert large = LargeAmountRule.check(p, rules.at(time));
    if (large != null && (order.largest == null || isEarlier(large, order.largest))) {
      order.largest = large;
      wake(order, timers, large.getEventTime());
    }
    lookAgainIfLate(order, timers, time);
    keep(order, timers, time);
    settle(ctx.getCurrentKey(), order, timers.currentWatermark(), ctx);
    order.compact();
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
    if (order.successDue != OrderState.NOBODY && time <= order.successDue) {
      unwake(order, order.successDue, timers); // SUCCESS_WITHOUT_LEDGER can no longer be raised
      order.successDue = OrderState.NOBODY;
    }
    // LEDGER_DOUBLE_CREDIT: each line of a type after the first, at its time.
    List<BalanceChange> sameType =
        order.lines.values().stream()
            .filter(l -> l.getTypeCode() == line.getTypeCode())
            .sorted(EventOrder.LINES) // earliest first: each later one is then only waited for
            .toList();
    if (sameType.size() > 1) {
      sameType.forEach(l -> wake(order, timers, l.getEventTime()));
    }
    // LEDGER_WITHOUT_ORDER or LEDGER_WITHOUT_SUCCESS at the line + W, unless a SUCCESS payment by
    // then is known already.
    long due = time + rules.at(time).matchWindow().toMillis();
    if (OrderRules.ORDER_TYPE_CODES.contains(line.getTypeCode())
        && (order.firstSuccess() == null
            || order.firstSuccess().getEventTime().toEpochMilli() > due)) {
      wake(order, timers, due);
    }
    lookAgainIfLate(order, timers, time);
    keep(order, timers, time);
    settle(ctx.getCurrentKey(), order, timers.currentWatermark(), ctx);
    order.compact();
    state.update(order);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
    OrderState order = state.value();
    if (order == null) {
      return; // a timer of its own for a hot order's extra wakeup, after the order was cleared
    }
    long watermark = Math.max(timestamp, ctx.timerService().currentWatermark());
    Wakeups.Fired fired =
        Wakeups.fire(order.wakeups, timestamp, watermark, ctx.timerService(), expiry);
    if (fired.onlyExpired()) {
      // Every order ends here once: evaluating it again would find only what has fired.
      state.clear();
      return;
    }
    for (Finding f : OrderRules.evaluate(ctx.getCurrentKey(), order, watermark, rules)) {
      if (!output.enabled(f.alert())) {
        continue;
      }
      boolean firstTime = order.fired.putIfAbsent(f.key(), true) == null;
      output.raise(
          f,
          firstTime ? null : order.firedIds.getOrDefault(f.key(), f.alert().getAlertId()),
          out,
          update -> ctx.output(AlertUpdates.TAG, update));
      order.firedIds.put(f.key(), f.alert().getAlertId());
    }
    settle(ctx.getCurrentKey(), order, watermark, ctx); // evidence already here, after a deadline
    if (fired.expired()) {
      state.clear();
    } else {
      order.wakeups = fired.wakeups();
      order.compact();
      state.update(order);
    }
  }

  /**
   * Answers the order's raised absence alerts for which an answer has arrived ({@link
   * AlertUpdates}), each once. Only an order with such an alert open looks: most orders raise none.
   */
  private void settle(String orderNo, OrderState order, long watermark, Context ctx) {
    if (order.fired.isEmpty()) {
      return; // the common case, without a stream per event
    }
    boolean open =
        order.fired.keySet().stream()
            .anyMatch(
                key ->
                    OrderRules.isAbsence(key)
                        && !Boolean.TRUE.equals(order.fired.get(AlertUpdates.answered(key))));
    if (!open) {
      return;
    }
    for (OrderRules.Absence absence : OrderRules.absences(orderNo, order, watermark, rules)) {
      String key = absence.key();
      if (absence.answer() == null || !order.fired.containsKey(key)) {
        continue;
      }
      boolean retracts = AlertUpdates.retracts(absence.finding().alert(), absence.answer());
      if (AlertUpdates.isNews(order.fired.get(AlertUpdates.answered(key)), retracts)) {
        order.fired.put(AlertUpdates.answered(key), retracts);
        output.answer(
            absence.finding().alert(),
            order.firedIds.getOrDefault(key, absence.finding().alert().getAlertId()),
            absence.answer(),
            update -> ctx.output(AlertUpdates.TAG, update));
      }
    }
  }

  /**
   * An event behind the watermark may change decisions already taken: the order is evaluated again
   * at the next watermark (a late payment turns LEDGER_WITHOUT_ORDER into LEDGER_WITHOUT_SUCCESS).
   */
  private void lookAgainIfLate(OrderState order, TimerService timers, long time) {
    if (time < timers.currentWatermark()) {
      wake(order, timers, time);
    }
  }

  private OrderState read() throws Exception {
    OrderState order = state.value();
    return order == null ? new OrderState() : order;
  }

  private void wake(OrderState order, TimerService timers, Instant time) {
    wake(order, timers, time.toEpochMilli());
  }

  /** Wakes the order at {@code time}; a wakeup for an absence alone at that time is no longer. */
  private void wake(OrderState order, TimerService timers, long time) {
    order.wakeups = Wakeups.at(order.wakeups, time, timers, expiry);
    if (order.successDue == time) {
      order.successDue = OrderState.NOBODY;
    }
    if (order.paidDue == time) {
      order.paidDue = OrderState.NOBODY;
    }
  }

  /**
   * Wakes the order at {@code time} for one absence: the time, to drop the wakeup by once it is
   * answered, if nothing else wakes the order then; {@link OrderState#NOBODY} if something does.
   */
  private long wakeAlone(OrderState order, long time, TimerService timers) {
    if (Wakeups.mayWakeAt(order.wakeups, time)) {
      wake(order, timers, time);
      return OrderState.NOBODY;
    }
    order.wakeups = Wakeups.at(order.wakeups, time, timers, expiry);
    return time;
  }

  /** Drops the wakeup at {@code time} (from {@link #wakeAlone}; NOBODY: none): it is answered. */
  private void unwake(OrderState order, long time, TimerService timers) {
    if (time != OrderState.NOBODY) {
      order.wakeups = Wakeups.cancel(order.wakeups, time, timers);
    }
  }

  /** Keeps the order for the retention after {@code time}, its next wakeup set. */
  private void keep(OrderState order, TimerService timers, long time) {
    order.wakeups =
        Wakeups.rearm(
            order.wakeups, time + rules.at(time).orderRetention().toMillis(), timers, expiry);
  }

  /** Whether {@code p} comes before {@code known} (or nothing is known). */
  private static boolean earlier(Payment p, Payment known) {
    return known == null || EventOrder.PAYMENTS.compare(p, known) < 0;
  }

  private static boolean isEarlier(Alert a, Alert b) {
    int byTime = a.getEventTime().compareTo(b.getEventTime());
    return byTime < 0 || (byTime == 0 && a.getAlertId().compareTo(b.getAlertId()) < 0);
  }
}
