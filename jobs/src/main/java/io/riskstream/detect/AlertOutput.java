package io.riskstream.detect;

import io.riskstream.avro.Alert;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Collector;

/**
 * How every detector emits: at most once per finding (a keyed set of what fired, so a timer that
 * runs again or a replayed event raises nothing twice), with {@code detected_at} stamped and a hit
 * counted per type and reason in the {@code riskstream.alerts.<TYPE>.<REASON>} metric. Also counts
 * events that arrive behind the watermark.
 */
final class AlertOutput {
  private final MapState<String, Boolean> fired;
  private final MetricGroup metrics;
  private final Map<String, Counter> hits = new HashMap<>();
  private final Counter lateEvents;

  AlertOutput(RuntimeContext context) {
    this.fired =
        context.getMapState(new MapStateDescriptor<>("fired", Types.STRING, Types.BOOLEAN));
    this.metrics = context.getMetricGroup().addGroup("riskstream");
    this.lateEvents = metrics.counter("lateEvents");
  }

  /**
   * Emits {@code alert} unless the finding named {@code key} (unique within the operator's key)
   * fired already.
   */
  void emit(String key, Alert alert, Collector<Alert> out) throws Exception {
    if (fired.contains(key)) {
      return;
    }
    fired.put(key, true);
    alert.setDetectedAt(Instant.now());
    out.collect(alert);
    hits.computeIfAbsent(
            alert.getType() + "." + alert.getReason(),
            k ->
                metrics
                    .addGroup("alerts")
                    .addGroup(alert.getType().name())
                    .counter(alert.getReason()))
        .inc();
  }

  boolean hasFired(String key) throws Exception {
    return fired.contains(key);
  }

  /** Counts an event whose event time is already behind the watermark (it is still processed). */
  void countIfLate(long eventTime, long watermark) {
    if (eventTime < watermark) {
      lateEvents.inc();
    }
  }

  /** Counts an event that is too late to be used at all. */
  void countLate() {
    lateEvents.inc();
  }

  void clear() {
    fired.clear();
  }
}
