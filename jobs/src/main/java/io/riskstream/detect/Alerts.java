package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertType;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.EvidenceSource;
import io.riskstream.avro.Payment;
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

  static Evidence evidence(Payment p) {
    return new Evidence(EvidenceSource.PAYMENT, p.getEventId(), p.getEventTime());
  }

  static Evidence evidence(Bill b) {
    return new Evidence(EvidenceSource.BILL, b.getBillId(), b.getEventTime());
  }

  static Evidence evidence(BalanceChange line) {
    return new Evidence(EvidenceSource.BALANCE_CHANGE, line.getLogId(), line.getEventTime());
  }

  /** An alert with its id computed from the evidence; the caller adds the keys and amount. */
  public static Alert.Builder alert(
      Reason reason,
      Severity severity,
      Rules.RuleVersion rule,
      String summary,
      List<Evidence> evidence,
      Instant eventTime) {
    return Alert.newBuilder()
        .setAlertId(alertId(reason.type(), reason.name(), evidence))
        .setType(reason.type())
        .setReason(reason.name())
        .setSeverity(severity)
        .setRuleId(rule.id())
        .setRuleVersion(rule.version())
        .setSummary(summary)
        .setEvidence(evidence)
        .setEventTime(eventTime)
        .setDetectedAt(Instant.EPOCH);
  }

  /** The investigator's keys and the amount, from the payment the alert is about. */
  static Alert about(Alert.Builder alert, Payment p) {
    return alert
        .setMerchantId(p.getMerchantId())
        .setCwid(p.getCwid())
        .setAccountId(p.getAccountId())
        .setUserId(p.getUserId())
        .setOrderNo(p.getOrderNo())
        .setUtr(p.getUtr())
        .setIp(p.getIp())
        .setAmount(p.getAmount())
        .build();
  }

  /** The keys and the amount of a bank line (a bill knows no merchant, order or user). */
  static Alert about(Alert.Builder alert, Bill b) {
    return alert.setCwid(b.getCwid()).setUtr(b.getUtr()).setAmount(b.getAmount()).build();
  }

  /** The keys and the amount of a ledger line. */
  static Alert about(Alert.Builder alert, BalanceChange line) {
    return alert
        .setAccountId(line.getAccountId())
        .setUserId(line.getUserId())
        .setOrderNo(line.getOrderNo())
        .setIp(line.getIp())
        .setAmount(line.getAmount())
        .build();
  }
}
