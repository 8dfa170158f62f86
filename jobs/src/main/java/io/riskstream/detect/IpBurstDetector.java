package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.Payment;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
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
 * payments ({@link EventTimeBuffer}), the latest payment of at most N payers, those who paid last
 * in the window (one value, read and written once per timer; why N suffice at {@code
 * IpBurstRules#keepMostRecent}), and whether the detector is disarmed; all of it empties once the
 * IP is quiet for a window.
 */
public final class IpBurstDetector extends KeyedProcessFunction<String, Payment, Alert>
    implements RuleDriven {
  private RulesInForce rules;
  private transient EventTimeBuffer<Payment> waiting;
  private transient ValueState<Map<String, Evidence>> latestByPayer;
  private transient ValueState<Boolean> disarmed;
  private transient ValueState<Long> lastProcessed;
  private transient AlertOutput output;

  public IpBurstDetector(RulesInForce rules) {
    this.rules = rules;
  }

  @Override
  public void use(RulesInForce rules) {
    this.rules = rules;
  }

  @Override
  public void open(OpenContext context) {
    waiting =
        new EventTimeBuffer<>(
            getRuntimeContext(),
            "waiting-by-time",
            new AvroTypeInfo<>(Payment.class),
            Payment::getEventId);
    latestByPayer =
        KeyedState.smallMap(
            getRuntimeContext(), "payers-in-window", new AvroTypeInfo<>(Evidence.class));
    disarmed = getRuntimeContext().getState(new ValueStateDescriptor<>("disarmed", Types.BOOLEAN));
    lastProcessed =
        getRuntimeContext().getState(new ValueStateDescriptor<>("last-processed", Types.LONG));
    output = new AlertOutput(getRuntimeContext(), () -> rules);
  }

  /** Only payments with an IP and a payer reach this operator. */
  @Override
  public void processElement(Payment p, Context ctx, Collector<Alert> out) throws Exception {
    long time = p.getEventTime().toEpochMilli();
    Long processed = lastProcessed.value();
    if (processed != null && time < processed) {
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
                  + Instant.ofEpochMilli(processed),
              Math.max(0, ctx.timerService().currentWatermark() - time)));
      return;
    }
    output.countIfLate(time, ctx.timerService().currentWatermark());
    waiting.add(p, time, ctx.timerService()::registerEventTimeTimer);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
    Rules.IpBurst settings = rules.at(timestamp).ipBurst();
    long window = settings.window().toMillis();
    // A bucket's payments share its time, so the bookkeeping happens once per bucket.
    List<Payment> due = waiting.take(timestamp, EventOrder.PAYMENTS);
    Map<String, Evidence> payers = KeyedState.read(latestByPayer);
    boolean changed = !due.isEmpty();
    for (Payment p : due) {
      IpBurstRules.evictBefore(payers, timestamp - window);
      if (payers.size() < settings.distinctPayers()) {
        disarmed.clear();
      }
      payers.put(IpBurstRules.payer(p), Alerts.evidence(p));
      IpBurstRules.keepMostRecent(payers, settings.distinctPayers());
      if (payers.size() >= settings.distinctPayers() && disarmed.value() == null) {
        disarmed.update(true);
        Alert alert = IpBurstRules.burst(ctx.getCurrentKey(), p, payers, settings);
        // Each payment is taken once and the armed flag allows one alert per burst: no fired set.
        output.emit(alert, out);
      }
    }
    if (changed) {
      lastProcessed.update(timestamp);
      ctx.timerService().registerEventTimeTimer(timestamp + window);
    } else {
      changed =
          IpBurstRules.evictBefore(
              payers, Math.max(timestamp, ctx.timerService().currentWatermark()) - window);
    }
    if (!payers.isEmpty()) {
      if (changed) {
        latestByPayer.update(payers);
      }
    } else if (changed) {
      latestByPayer.clear();
      if (waiting.isEmpty()) {
        disarmed.clear();
        lastProcessed.clear();
      }
    }
  }
}
