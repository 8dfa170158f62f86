package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertType;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.Payment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
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
 * payments, each payer's latest payment in the window, and whether the detector is disarmed; all of
 * it empties once the IP is quiet for a window.
 */
public final class IpBurstDetector extends KeyedProcessFunction<String, Payment, Alert> {
  public static final String DISTINCT_ACCOUNTS = "DISTINCT_ACCOUNTS";
  private static final Comparator<Evidence> BY_TIME =
      Comparator.comparing(Evidence::getEventTime).thenComparing(Evidence::getId);

  private final Rules rules;
  private transient MapState<String, Payment> waiting;
  private transient MapState<String, Evidence> latestByPayer;
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
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "waiting", Types.STRING, new AvroTypeInfo<>(Payment.class)));
    latestByPayer =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "latest-by-payer", Types.STRING, new AvroTypeInfo<>(Evidence.class)));
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
      return;
    }
    output.countIfLate(time, ctx.timerService().currentWatermark());
    waiting.put(p.getEventId(), p);
    ctx.timerService().registerEventTimeTimer(time);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
    Rules.IpBurst settings = rules.ipBurst();
    long window = settings.window().toMillis();
    long watermark = Math.max(timestamp, ctx.timerService().currentWatermark());
    List<Payment> due = new ArrayList<>();
    for (Payment p : waiting.values()) {
      if (p.getEventTime().toEpochMilli() <= watermark) {
        due.add(p);
      }
    }
    due.sort(UtrRules.BY_TIME);
    for (Payment p : due) {
      long time = p.getEventTime().toEpochMilli();
      evictBefore(time - window);
      if (size() < settings.distinctPayers()) {
        disarmed.clear();
      }
      latestByPayer.put(payer(p), UtrRules.evidence(p));
      if (size() >= settings.distinctPayers() && disarmed.value() == null) {
        disarmed.update(true);
        Alert alert = burst(ctx.getCurrentKey(), p, settings);
        output.emit(alert.getAlertId(), alert, out);
      }
      waiting.remove(p.getEventId());
      lastProcessed.update(time);
      ctx.timerService().registerEventTimeTimer(time + window);
    }
    if (due.isEmpty()) {
      evictBefore(watermark - window);
      if (latestByPayer.isEmpty() && waiting.isEmpty()) {
        disarmed.clear();
        lastProcessed.clear();
        output.clear();
      }
    }
  }

  /**
   * Forgets payers whose latest payment is at or before {@code cutoff}: the window is (t - window,
   * t].
   */
  private void evictBefore(long cutoff) throws Exception {
    List<String> expired = new ArrayList<>();
    for (var entry : latestByPayer.entries()) {
      if (entry.getValue().getEventTime().toEpochMilli() <= cutoff) {
        expired.add(entry.getKey());
      }
    }
    for (String payer : expired) {
      latestByPayer.remove(payer);
    }
  }

  private int size() throws Exception {
    int n = 0;
    for (String ignored : latestByPayer.keys()) {
      n++;
    }
    return n;
  }

  private Alert burst(String ip, Payment trigger, Rules.IpBurst settings) throws Exception {
    List<Evidence> evidence = new ArrayList<>();
    List<String> payers = new ArrayList<>();
    for (var entry : latestByPayer.entries()) {
      evidence.add(entry.getValue());
    }
    evidence.sort(BY_TIME);
    for (var entry : latestByPayer.entries()) {
      payers.add(entry.getKey());
    }
    payers.sort(null);
    String summary =
        String.format(
            "%d distinct payers (%s) paid from IP %s within %s",
            payers.size(), String.join(", ", payers), ip, Durations.format(settings.window()));
    return Alerts.alert(
            AlertType.IP_BURST,
            DISTINCT_ACCOUNTS,
            settings.basic().severity(DISTINCT_ACCOUNTS),
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
