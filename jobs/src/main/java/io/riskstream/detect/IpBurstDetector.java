package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.Payment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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
 * keepMostRecent}), and whether the detector is disarmed; all of it empties once the IP is quiet
 * for a window.
 */
public final class IpBurstDetector extends KeyedProcessFunction<String, Payment, Alert> {
  private static final Comparator<Evidence> BY_TIME =
      Comparator.comparing(Evidence::getEventTime).thenComparing(Evidence::getId);

  private final Rules rules;
  private transient EventTimeBuffer<Payment> waiting;
  private transient ValueState<Map<String, Evidence>> latestByPayer;
  private transient ValueState<Boolean> disarmed;
  private transient ValueState<Long> lastProcessed;
  private transient AlertOutput output;

  public IpBurstDetector(Rules rules) {
    this.rules = rules;
  }

  /** Who paid: user_id, else account_id, else payer_vpa; null when none is known. */
  public static String payer(Payment p) {
    if (p.getUserId() != null) {
      return p.getUserId();
    }
    return p.getAccountId() != null ? p.getAccountId() : p.getPayerVpa();
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
    output = new AlertOutput(getRuntimeContext());
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
    waiting.add(p, time, ctx.timerService());
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
    Rules.IpBurst settings = rules.ipBurst();
    long window = settings.window().toMillis();
    // A bucket's payments share its time, so the bookkeeping happens once per bucket.
    List<Payment> due = waiting.take(timestamp, EventOrder.PAYMENTS);
    Map<String, Evidence> payers = KeyedState.read(latestByPayer);
    boolean changed = !due.isEmpty();
    for (Payment p : due) {
      evictBefore(payers, timestamp - window);
      if (payers.size() < settings.distinctPayers()) {
        disarmed.clear();
      }
      payers.put(payer(p), Alerts.evidence(p));
      keepMostRecent(payers, settings.distinctPayers());
      if (payers.size() >= settings.distinctPayers() && disarmed.value() == null) {
        disarmed.update(true);
        Alert alert = burst(ctx.getCurrentKey(), p, payers, settings);
        // Each payment is taken once and the armed flag allows one alert per burst: no fired set.
        output.emit(alert, out);
      }
    }
    if (changed) {
      lastProcessed.update(timestamp);
      ctx.timerService().registerEventTimeTimer(timestamp + window);
    } else {
      changed =
          evictBefore(payers, Math.max(timestamp, ctx.timerService().currentWatermark()) - window);
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

  /**
   * Keeps the {@code n} payers who paid last, forgetting the one whose latest payment is earliest.
   * Exact, and what bounds the state of a NAT address with 100,000 payers a day to N entries: the
   * rule only asks whether at least N distinct payers are in the window, and the N most recent are
   * the last to leave it, so the count kept is min(count, N) at every step; when the count reaches
   * N (the only moment an alert fires) the N kept are all of them.
   */
  private static void keepMostRecent(Map<String, Evidence> payers, int n) {
    while (payers.size() > n) {
      String earliest = null;
      Evidence min = null;
      for (Map.Entry<String, Evidence> e : payers.entrySet()) {
        if (min == null || BY_TIME.compare(e.getValue(), min) < 0) {
          min = e.getValue();
          earliest = e.getKey();
        }
      }
      payers.remove(earliest);
    }
  }

  /**
   * Forgets payers whose latest payment is at or before {@code cutoff}: the window is (t - window,
   * t].
   */
  private static boolean evictBefore(Map<String, Evidence> payers, long cutoff) {
    return payers.values().removeIf(e -> e.getEventTime().toEpochMilli() <= cutoff);
  }

  private Alert burst(
      String ip, Payment trigger, Map<String, Evidence> latest, Rules.IpBurst settings) {
    List<Evidence> evidence = new ArrayList<>(latest.values());
    evidence.sort(BY_TIME);
    List<String> payers = new ArrayList<>(latest.keySet());
    payers.sort(null);
    String summary =
        String.format(
            "%d distinct payers (%s) paid from IP %s within %s",
            payers.size(), String.join(", ", payers), ip, Durations.format(settings.window()));
    return Alerts.alert(
            Reason.DISTINCT_ACCOUNTS,
            settings.basic().severity(Reason.DISTINCT_ACCOUNTS),
            settings.basic().rule(),
            summary,
            evidence,
            trigger.getEventTime())
        .setMerchantId(trigger.getMerchantId())
        .setUserId(trigger.getUserId())
        .setAccountId(trigger.getAccountId())
        .setIp(ip)
        .build();
  }
}
