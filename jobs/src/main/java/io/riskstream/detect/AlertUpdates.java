package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertStatus;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.avro.Evidence;
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
    boolean inTime = !evidence.getEventTime().isAfter(alert.getEventTime());
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

  /** The key under which a detector remembers that it answered the finding {@code key}. */
  static String answered(String key) {
    return "answered|" + key;
  }
}
