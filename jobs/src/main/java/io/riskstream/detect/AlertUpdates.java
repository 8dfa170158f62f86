package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertStatus;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.Payment;
import java.time.Instant;
import java.util.List;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

/**
 * The detection job's own alert updates (docs/lifecycle.md). An absence alert ("no bank record by
 * claim + W", "no final status by the SLA") is decided at its deadline, the alert's event time. The
 * first event that would have prevented it answers it, once: if that event's time is at or before
 * the deadline it came late and the alert should never have been raised ({@code RETRACTED}, {@code
 * LATE_EVIDENCE}); after the deadline the alert was right and the evidence has now arrived ({@code
 * RESOLVED}, {@code EVIDENCE_ARRIVED}). Because the choice depends on event times only, a run in
 * any arrival order gives the same net alert set (alerts minus retractions) as an in-order one.
 */
public final class AlertUpdates {
  /** Where detectors put their updates: a side output beside the alerts. */
  public static final OutputTag<AlertUpdate> TAG =
      new OutputTag<>("alert-updates", new AvroTypeInfo<>(AlertUpdate.class));

  public static final String LATE_EVIDENCE = "LATE_EVIDENCE";
  public static final String EVIDENCE_ARRIVED = "EVIDENCE_ARRIVED";

  private AlertUpdates() {}

  /** The update that {@code evidence} makes to the absence alert {@code alert}. */
  public static AlertUpdate answer(Alert alert, Evidence evidence) {
    boolean inTime = retracts(alert, evidence);
    String what = evidence.getSource() + " " + evidence.getId() + " of " + evidence.getEventTime();
    return AlertUpdate.newBuilder()
        .setAlertId(alert.getAlertId())
        .setStatus(inTime ? AlertStatus.RETRACTED : AlertStatus.RESOLVED)
        .setReason(inTime ? LATE_EVIDENCE : EVIDENCE_ARRIVED)
        .setNote(
            inTime
                ? what + " arrived after the decision but falls within it: the alert is withdrawn"
                : what + " arrived after the deadline of " + alert.getEventTime())
        .setActor(null)
        .setEvidence(List.of(evidence))
        .setEventTime(evidence.getEventTime())
        .setUpdatedAt(Instant.now())
        .build();
  }

  /**
   * Retracts the alert {@code previous} that {@code replacement} replaces: late evidence (an
   * earlier claim of the order, an earlier payment) changed the finding's evidence and so its id.
   */
  public static AlertUpdate superseded(String previous, Alert replacement) {
    return AlertUpdate.newBuilder()
        .setAlertId(previous)
        .setStatus(AlertStatus.RETRACTED)
        .setReason(LATE_EVIDENCE)
        .setNote(
            "replaced by alert "
                + replacement.getAlertId()
                + ": an earlier event arrived late and changed the evidence")
        .setActor(null)
        .setEvidence(replacement.getEvidence())
        .setEventTime(replacement.getEventTime())
        .setUpdatedAt(Instant.now())
        .build();
  }

  /**
   * Retracts the alert {@code withdrawn} about an order's claim: the order's earlier claim {@code
   * earlier} arrived late, and the earliest claim of an order speaks for it.
   */
  static AlertUpdate withdrawn(String withdrawn, Payment earlier) {
    return AlertUpdate.newBuilder()
        .setAlertId(withdrawn)
        .setStatus(AlertStatus.RETRACTED)
        .setReason(LATE_EVIDENCE)
        .setNote(
            "order "
                + earlier.getOrderNo()
                + "'s earlier claim "
                + earlier.getEventId()
                + " arrived late and speaks for the order: this alert about a later claim is"
                + " withdrawn")
        .setActor(null)
        .setEvidence(List.of(Alerts.evidence(earlier)))
        .setEventTime(earlier.getEventTime())
        .setUpdatedAt(Instant.now())
        .build();
  }

  /** Whether {@code evidence} came by the alert's deadline: then it retracts, else resolves. */
  static boolean retracts(Alert alert, Evidence evidence) {
    return !evidence.getEventTime().isAfter(alert.getEventTime());
  }

  /**
   * Whether an answer is news, given the one before ({@code before}: null for none, else whether it
   * retracted): the first answer is; after a resolution, a retraction is (evidence from within the
   * window that arrived later still proves the alert wrong after all); nothing else.
   */
  static boolean isNews(Boolean before, boolean retracts) {
    return before == null || (!before && retracts);
  }

  /** The key under which a detector remembers that it answered the finding {@code key}. */
  static String answered(String key) {
    return "answered|" + key;
  }
}
