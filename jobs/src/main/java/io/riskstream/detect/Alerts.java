package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertType;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.EvidenceSource;
import io.riskstream.avro.Severity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/** Building alerts: the deterministic {@code alert_id} and the fields every alert has. */
public final class Alerts {
  private Alerts() {}

  /**
   * The alert id: a hash of type, reason and the evidence (source and id, in a fixed order), so
   * that the same evidence gives the same id on every run, replay, restart and parallelism. Nothing
   * of arrival order, wall clock or subtask.
   */
  public static String alertId(AlertType type, String reason, List<Evidence> evidence) {
    StringBuilder text = new StringBuilder(type.name()).append('|').append(reason);
    evidence.stream()
        .sorted(
            Comparator.comparing((Evidence e) -> e.getSource().name())
                .thenComparing(Evidence::getId))
        .forEach(e -> text.append('|').append(e.getSource().name()).append(':').append(e.getId()));
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest(text.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  public static Evidence evidence(EvidenceSource source, String id, Instant eventTime) {
    return new Evidence(source, id, eventTime);
  }

  /** An alert with its id computed from the evidence; the caller adds the keys and amount. */
  public static Alert.Builder alert(
      AlertType type,
      String reason,
      Severity severity,
      Rules.RuleVersion rule,
      String summary,
      List<Evidence> evidence,
      Instant eventTime) {
    return Alert.newBuilder()
        .setAlertId(alertId(type, reason, evidence))
        .setType(type)
        .setReason(reason)
        .setSeverity(severity)
        .setRuleId(rule.id())
        .setRuleVersion(rule.version())
        .setSummary(summary)
        .setEvidence(evidence)
        .setEventTime(eventTime)
        .setDetectedAt(Instant.EPOCH);
  }
}
