package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.Payment;
import io.riskstream.detect.IpBurstRules.IpPayment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * IP_BURST / DISTINCT_ACCOUNTS: payments from one IP by at least N distinct payers (user_id, else
 * account_id, else payer_vpa) within a sliding event-time window. One alert when the count reaches
 * N; re-armed once the count in the window falls below N.
 *
 * <p>Payments wait in state until the watermark passes them and are then taken in event-time order
 * (ties by event_id), so the result does not depend on arrival order. State per IP, one value
 * ({@link IpState}): the latest payment of at most N payers, those who paid last in the window (why
 * N suffice at {@code IpBurstRules#keepMostRecent}), whether the detector is disarmed, up to when
 * payments were counted, the payments waiting for the watermark and when the IP must next wake
 * ({@link Wakeups}: one timer per IP); all of it empties once the IP is quiet for a window. A busy
 * IP with more than {@link #MAX_INLINE} payments waiting moves them to buckets by event time
 * ({@link EventTimeBuffer}, a timer each) until those are taken, so that its value stays small.
 */
public final class IpBurstDetector extends KeyedProcessFunction<String, Payment, Alert>
    implements RuleDriven {
  /** Payments an IP keeps waiting in its value; a busier IP's wait in buckets. */
  static final int MAX_INLINE = 32;

  private RulesInForce rules;
  private transient EventTimeBuffer<IpPayment> spilled;
  private transient ValueState<IpState> state;
  private transient AlertOutput output;

  public IpBurstDetector(RulesInForce rules) {
    this.rules = rules;
  }

  @Override
  public void use(RulesInForce rules) {
    this.rules = rules;
  }

  /**
   * An IP's state, one value (a Flink POJO): with RocksDB each state is a JNI call and a
   * (de)serialisation; as four states, and the waiting payments in a map state with a timer per
   * event time, they cost IpBurstDetector eight times its heap time in the bench.
   */
  public static final class IpState {
    /** The latest payment of each of the payers who paid last in the window, at most N. */
    public Map<String, Evidence> payers = new HashMap<>();

    /** Whether this burst has alerted: re-armed once fewer than N payers are in the window. */
    public boolean disarmed;

    /** The event time up to which payments have been counted: one before it comes too late. */
    public long counted = Long.MIN_VALUE;

    /** Payments waiting for the watermark, up to {@link #MAX_INLINE}; none while some spilled. */
    public List<IpPayment> waiting = new ArrayList<>();

    /**
     * How many payments wait in the buckets. While any do, new ones join them there: one place at a
     * time holds the waiting payments, so they are taken in event-time order.
     */
    public long spilled;

    /** The waiting times and the time after which the payers are out of the window. */
    public long[] wakeups = Wakeups.none();

    static TypeInformation<IpState> type() {
      return type(StateRecordSerializer.typeOf(Evidence.class));
    }

    /**
     * The value's type with the payers' evidence kept by {@code evidence}: {@link
     * StateRecordSerializer} now, Flink's Avro serializer in state written before it.
     */
    static TypeInformation<IpState> type(TypeInformation<Evidence> evidence) {
      return Types.POJO(
          IpState.class,
          Map.of(
              "payers", Types.MAP(Types.STRING, evidence),
              "disarmed", Types.BOOLEAN,
              "counted", Types.LONG,
              "waiting", Types.LIST(IP_PAYMENT),
              "spilled", Types.LONG,
              "wakeups", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    }
  }

  private static final TypeInformation<IpPayment> IP_PAYMENT =
      Types.POJO(
          IpPayment.class,
          Map.of(
              "eventId", Types.STRING,
              "time", Types.LONG,
              "payer", Types.STRING,
              "merchantId", Types.STRING,
              "userId", Types.STRING,
              "accountId", Types.STRING));

  @Override
  public void open(OpenContext context) {
    spilled = new EventTimeBuffer<>(getRuntimeContext(), "spilled", IP_PAYMENT, p -> p.eventId);
    state =
        KeyedStateCache.value(
            getRuntimeContext(), context, new ValueStateDescriptor<>("ip", IpState.type()));
    output = new AlertOutput(getRuntimeContext(), () -> rules);
  }

  /** Only payments with an IP and a payer reach this operator. */
  @Override
  public void processElement(Payment p, Context ctx, Collector<Alert> out) throws Exception {
    long time = p.getEventTime().toEpochMilli();
    TimerService timers = ctx.timerService();
    IpState ip = read();
    if (time < ip.counted) {
      output.countLate();
      ctx.output(
          LateEvent.TAG,
          new LateEvent(
              LateEvent.Source.PAYMENTS,
              p.getOrderNo(),
              p,
              "IP_BURST cannot count it: payments from IP "
                  + p.getIp()
                  + " are counted up to "
                  + Instant.ofEpochMilli(ip.counted),
              Math.max(0, timers.currentWatermark() - time)));
      return;
    }
    output.countIfLate(time, timers.currentWatermark());
    IpPayment payment = IpPayment.of(p);
    if (ip.waiting.stream().anyMatch(w -> w.eventId.equals(payment.eventId))) {
      return; // a redelivery of a waiting payment
    }
    if (ip.spilled == 0 && ip.waiting.size() < MAX_INLINE) {
      ip.waiting.add(payment);
      ip.wakeups = Wakeups.at(ip.wakeups, time, timers, null);
    } else {
      for (IpPayment w : ip.waiting) {
        spilled.add(w, w.time, timers::registerEventTimeTimer);
      }
      ip.spilled +=
          ip.waiting.size() + (spilled.add(payment, time, timers::registerEventTimeTimer) ? 1 : 0);
      ip.waiting.clear();
    }
    state.update(ip);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
    IpState ip = state.value();
    if (ip == null) {
      return; // a timer the IP no longer needed, after it was forgotten
    }
    TimerService timers = ctx.timerService();
    long watermark = Math.max(timestamp, timers.currentWatermark());
    ip.wakeups = Wakeups.fire(ip.wakeups, timestamp, watermark, timers, null).wakeups();
    Map<String, Evidence> payers = ip.payers;
    for (IpPayment p : due(ip, timestamp, watermark)) {
      Rules.IpBurst settings = rules.at(p.time).ipBurst();
      IpBurstRules.evictBefore(payers, p.time - settings.window().toMillis());
      if (payers.size() < settings.distinctPayers()) {
        ip.disarmed = false;
      }
      payers.put(p.payer, p.evidence());
      IpBurstRules.keepMostRecent(payers, settings.distinctPayers());
      if (payers.size() >= settings.distinctPayers() && !ip.disarmed) {
        ip.disarmed = true;
        // Each payment is taken once and the armed flag allows one alert per burst: no fired set.
        output.emit(IpBurstRules.burst(ctx.getCurrentKey(), p, payers, settings), out);
      }
      ip.counted = p.time;
    }
    long window = rules.at(timestamp).ipBurst().window().toMillis();
    // Out of every window still to count: buckets left wait at later times than this timer's, and
    // payments left in the value at later times than the watermark.
    IpBurstRules.evictBefore(payers, (ip.spilled > 0 ? timestamp : watermark) - window);
    if (payers.isEmpty() && ip.waiting.isEmpty() && ip.spilled == 0) {
      state.clear(); // quiet for a window, nothing waiting: the IP is forgotten
      return;
    }
    if (!payers.isEmpty()) {
      // Kept until its last payer leaves the window; nothing to do before unless payments wait.
      ip.wakeups =
          Wakeups.keepUntil(ip.wakeups, IpBurstRules.latest(payers) + window, timers, null);
    }
    state.update(ip);
  }

  /**
   * The payments the watermark has passed, in event-time order: every one in the value, or this
   * timer's bucket while payments are spilled.
   */
  private List<IpPayment> due(IpState ip, long timestamp, long watermark) throws Exception {
    if (ip.spilled > 0) {
      List<IpPayment> bucket = spilled.take(timestamp, IpPayment.IN_ORDER);
      ip.spilled -= bucket.size();
      return bucket;
    }
    List<IpPayment> due = new ArrayList<>();
    ip.waiting.removeIf(p -> p.time <= watermark && due.add(p));
    due.sort(IpPayment.IN_ORDER);
    return due;
  }

  private IpState read() throws Exception {
    IpState ip = state.value();
    return ip == null ? new IpState() : ip;
  }
}
