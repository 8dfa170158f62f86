package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.Payment;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * IP_BURST / DISTINCT_ACCOUNTS: payments from one IP by at least N distinct payers (user_id, else
 * account_id, else payer_vpa) within a sliding event-time window. One alert when the count reaches
 * N; re-armed once the count in the window falls below N.
 *
 * <p>Payments wait in state until the watermark passes them and are then taken in event-time order
 * (ties by event_id), so the result does not depend on arrival order. State per IP: the waiting
 * payments ({@link EventTimeBuffer}), and one value ({@link IpState}): the latest payment of at
 * most N payers, those who paid last in the window (why N suffice at {@code
 * IpBurstRules#keepMostRecent}), whether the detector is disarmed, and up to when payments were
 * counted and wait; all of it empties once the IP is quiet for a window.
 */
public final class IpBurstDetector extends KeyedProcessFunction<String, Payment, Alert>
    implements RuleDriven {
  private RulesInForce rules;
  private transient EventTimeBuffer<Payment> waiting;
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
   * An IP's counting state, one value (a Flink POJO): with RocksDB each state is a JNI call and a
   * (de)serialisation, and as four states (payers, armed, counted up to, and whether payments wait,
   * which was a seek) they cost IpBurstDetector eight times its heap time in the bench.
   */
  public static final class IpState {
    /** The latest payment of each of the payers who paid last in the window, at most N. */
    public Map<String, Evidence> payers = new HashMap<>();

    /** Whether this burst has alerted: re-armed once fewer than N payers are in the window. */
    public boolean disarmed;

    /** The event time up to which payments have been counted: one before it comes too late. */
    public long counted = Long.MIN_VALUE;

    /** The latest event time of a payment added to the waiting buffer. */
    public long lastWaiting = Long.MIN_VALUE;

    static TypeInformation<IpState> type() {
      return Types.POJO(
          IpState.class,
          Map.of(
              "payers", Types.MAP(Types.STRING, new AvroTypeInfo<>(Evidence.class)),
              "disarmed", Types.BOOLEAN,
              "counted", Types.LONG,
              "lastWaiting", Types.LONG));
    }
  }

  @Override
  public void open(OpenContext context) {
    waiting =
        new EventTimeBuffer<>(
            getRuntimeContext(),
            "waiting-by-time",
            new AvroTypeInfo<>(Payment.class),
            Payment::getEventId);
    state = getRuntimeContext().getState(new ValueStateDescriptor<>("ip", IpState.type()));
    output = new AlertOutput(getRuntimeContext(), () -> rules);
  }

  /** Only payments with an IP and a payer reach this operator. */
  @Override
  public void processElement(Payment p, Context ctx, Collector<Alert> out) throws Exception {
    long time = p.getEventTime().toEpochMilli();
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
              Math.max(0, ctx.timerService().currentWatermark() - time)));
      return;
    }
    output.countIfLate(time, ctx.timerService().currentWatermark());
    waiting.add(p, time, ctx.timerService()::registerEventTimeTimer);
    if (time > ip.lastWaiting) {
      ip.lastWaiting = time;
      state.update(ip);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
    Rules.IpBurst settings = rules.at(timestamp).ipBurst();
    long window = settings.window().toMillis();
    // A bucket's payments share its time, so the bookkeeping happens once per bucket.
    List<Payment> due = waiting.take(timestamp, EventOrder.PAYMENTS);
    IpState ip = read();
    Map<String, Evidence> payers = ip.payers;
    boolean changed = !due.isEmpty();
    for (Payment p : due) {
      IpBurstRules.evictBefore(payers, timestamp - window);
      if (payers.size() < settings.distinctPayers()) {
        ip.disarmed = false;
      }
      payers.put(IpBurstRules.payer(p), Alerts.evidence(p));
      IpBurstRules.keepMostRecent(payers, settings.distinctPayers());
      if (payers.size() >= settings.distinctPayers() && !ip.disarmed) {
        ip.disarmed = true;
        Alert alert = IpBurstRules.burst(ctx.getCurrentKey(), p, payers, settings);
        // Each payment is taken once and the armed flag allows one alert per burst: no fired set.
        output.emit(alert, out);
      }
    }
    if (changed) {
      ip.counted = timestamp;
      ctx.timerService().registerEventTimeTimer(timestamp + window);
    } else {
      changed =
          IpBurstRules.evictBefore(
              payers, Math.max(timestamp, ctx.timerService().currentWatermark()) - window);
    }
    if (payers.isEmpty() && ip.lastWaiting <= timestamp) {
      state.clear(); // quiet for a window, nothing waiting: the IP is forgotten
    } else if (changed) {
      state.update(ip);
    }
  }

  private IpState read() throws Exception {
    IpState ip = state.value();
    return ip == null ? new IpState() : ip;
  }
}
