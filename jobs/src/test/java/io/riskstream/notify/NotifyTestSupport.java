package io.riskstream.notify;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertType;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.EvidenceSource;
import io.riskstream.avro.Severity;
import io.riskstream.testing.TestEvents;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** Alerts and routes files for the notification tests. */
final class NotifyTestSupport {
  private NotifyTestSupport() {}

  static Alert alert(String id, AlertType type, String reason, Severity severity, String merchant) {
    Instant at = TestEvents.BEGINNING;
    return Alert.newBuilder()
        .setAlertId(id)
        .setType(type)
        .setReason(reason)
        .setSeverity(severity)
        .setRuleId("forged-utr")
        .setRuleVersion(1)
        .setMerchantId(merchant)
        .setAccountId("WA-CW-1001")
        .setOrderNo("O-" + id)
        .setUtr("412345678901")
        .setAmount(new BigDecimal("2500.00"))
        .setSummary(
            "UTR 412345678901 claimed by order O-"
                + id
                + " (₹2,500.00) from rajesh.kumar@okhdfc has no bank"
                + " record within 30m")
        .setEvidence(List.of(new Evidence(EvidenceSource.PAYMENT, "PE-" + id, at)))
        .setEventTime(at)
        .setDetectedAt(at)
        .build();
  }

  static NotifySettings settings(Path dir, String yaml) throws Exception {
    Path file = dir.resolve("notify.yaml");
    Files.writeString(file, yaml);
    return NotifySettings.load(file);
  }
}
