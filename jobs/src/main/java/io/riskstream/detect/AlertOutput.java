package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.avro.Evidence;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Collector;

/**
 * How every detector emits: with {@code detected_at} stamped and counted in the {@code
 * riskstream.alerts.emitted} metric labelled by type, reason and severity; and their updates,
 * counted in {@code riskstream.alertUpdates.sent} labelled by status. Also counts events that
 * arrive behind the watermark. Detectors that evaluate a key's findings again on every timer emit
 * through a {@link FiredSet}; those that take each event once need none.
 */
final class AlertOutput {
  private final java.util.function.Supplier<RulesInForce> rules;
  private final MetricGroup metrics;
  private final Map<String, Counter> hits = new HashMap<>();
  private final Map<String, Counter> updates = new HashMap<>();
  private final Counter lateEvents;

  /**
   * @param rules the rules in force now: they change while a detector runs
   */
  AlertOutput(RuntimeContext context, java.util.function.Supplier<RulesInForce> rules) {
    this.rules = rules;
    this.metrics = context.getMetricGroup().addGroup("riskstream");
    this.lateEvents = metrics.counter("lateEvents");
  }

  /**
   * Emits {@code alert} unless its rule is switched off for its merchant ({@code enabled}) at the
   * alert's event time.
   */
  void emit(Alert alert, Collector<Alert> out) {
    if (!enabled(alert)) {
      return;
    }
    alert.setDetectedAt(Instant.now());
    out.collect(alert);
    // Type, reason and severity as labels (key-value groups): a dashboard sums them as it likes.
    hits.computeIfAbsent(
            alert.getType() + "." + alert.getReason() + "." + alert.getSeverity(),
            k ->
                metrics
                    .addGroup("alerts")
                    .addGroup("type", alert.getType().name())
                    .addGroup("reason", alert.getReason())
                    .addGroup("severity", alert.getSeverity().name())
                    .counter("emitted"))
        .inc();
  }

  /**
   * Emits {@code finding} unless its key raised the same alert before ({@code previous}: the id its
   * key raised, or null). When late evidence changed the finding since, the alert raised before is
   * retracted ({@link AlertUpdates#superseded}) and the new one emitted: the net alert set is then
   * the one an in-order run gives. Returns whether it emitted. Callers record and raise only
   * findings whose rule is on ({@link #enabled}), so that every recorded id was emitted.
   */
  boolean raise(
      Finding finding, String previous, Collector<Alert> out, Consumer<AlertUpdate> updates) {
    Alert alert = finding.alert();
    if (previous != null && previous.equals(alert.getAlertId())) {
      return false;
    }
    if (previous != null) {
      send(AlertUpdates.superseded(previous, alert), updates);
    }
    emit(alert, out);
    return true;
  }

  /**
   * Sends the update that {@code evidence} makes to the absence alert {@code alert} ({@link
   * AlertUpdates}), unless the alert was never emitted because its rule is off ({@link #emit}). The
   * update names {@code raised}, the id the alert was raised with: late evidence may have changed
   * the id the finding would have now.
   */
  void answer(Alert alert, String raised, Evidence evidence, Consumer<AlertUpdate> out) {
    if (enabled(alert)) {
      AlertUpdate update = AlertUpdates.answer(alert, evidence);
      update.setAlertId(raised);
      send(update, out);
    }
  }

  /** Whether the alert's rule is on for its merchant at the alert's event time. */
  boolean enabled(Alert alert) {
    return rules
        .get()
        .at(alert.getEventTime().toEpochMilli())
        .enabled(alert.getRuleId(), alert.getMerchantId());
  }

  /** Sends an update and counts it by status. */
  void send(AlertUpdate update, Consumer<AlertUpdate> out) {
    out.accept(update);
    updates
        .computeIfAbsent(
            update.getStatus().name(),
            status -> metrics.addGroup("alertUpdates").addGroup("status", status).counter("sent"))
        .inc();
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
}
