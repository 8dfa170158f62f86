package io.riskstream.detect;

import io.riskstream.avro.Alert;
import java.io.Serializable;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Raises LARGE_AMOUNT at most once per key (per order for payments, per ledger line for the ledger,
 * which also makes redeliveries harmless). Deterministic whatever the arrival order: of the
 * qualifying events of a key it alerts on the earliest in event time (ties by alert id), which is
 * final once the watermark passes it.
 *
 * <p>State per key: the pending candidate until the watermark reaches it, then the event time it
 * fired at, cleared by an event-time timer {@code retention} later.
 */
public final class LargeAmountDetector<T> extends KeyedProcessFunction<String, T, Alert> {
  /** The rule's check of one event: the alert it raises, or null. */
  @FunctionalInterface
  public interface Check<T> extends Serializable {
    Alert apply(T event, Rules rules);
  }

  private final Rules rules;
  private final Check<T> check;
  private final long retentionMillis;
  private transient ValueState<Alert> candidate;
  private transient ValueState<Long> firedAt;
  private transient Counter alerts;

  public LargeAmountDetector(Rules rules, Check<T> check, java.time.Duration retention) {
    this.rules = rules;
    this.check = check;
    this.retentionMillis = retention.toMillis();
  }

  @Override
  public void open(OpenContext context) {
    candidate =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("candidate", new AvroTypeInfo<>(Alert.class)));
    firedAt = getRuntimeContext().getState(new ValueStateDescriptor<>("fired-at", Types.LONG));
    alerts =
        getRuntimeContext().getMetricGroup().addGroup("riskstream").counter("largeAmountAlerts");
  }

  @Override
  public void processElement(T event, Context ctx, Collector<Alert> out) throws Exception {
    if (firedAt.value() != null) {
      return;
    }
    Alert alert = check.apply(event, rules);
    if (alert == null) {
      return;
    }
    Alert current = candidate.value();
    if (current == null || isEarlier(alert, current)) {
      candidate.update(alert);
      ctx.timerService().registerEventTimeTimer(alert.getEventTime().toEpochMilli());
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
    Alert pending = candidate.value();
    if (pending != null && pending.getEventTime().toEpochMilli() <= timestamp) {
      pending.setDetectedAt(Instant.now());
      out.collect(pending);
      alerts.inc();
      candidate.clear();
      long fired = pending.getEventTime().toEpochMilli();
      firedAt.update(fired);
      ctx.timerService().registerEventTimeTimer(fired + retentionMillis);
      return;
    }
    Long fired = firedAt.value();
    if (fired != null && timestamp >= fired + retentionMillis) {
      firedAt.clear();
    }
  }

  private static boolean isEarlier(Alert a, Alert b) {
    int byTime = a.getEventTime().compareTo(b.getEventTime());
    return byTime < 0 || (byTime == 0 && a.getAlertId().compareTo(b.getAlertId()) < 0);
  }
}
