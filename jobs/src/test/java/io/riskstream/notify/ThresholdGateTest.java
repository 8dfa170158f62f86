package io.riskstream.notify;

import static io.riskstream.notify.NotifyTestSupport.alert;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.AlertStatus;
import io.riskstream.avro.AlertType;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.avro.Severity;
import io.riskstream.io.EventJson;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThresholdGateTest {
  private static final String ROUTES =
      """
      routes:
        - name: oncall
          min-severity: LOW
          telegram-chats: ["-100"]
          below-threshold: %s
      thresholds:
        - {id: forged-flood, type: FORGED_UTR, count: 3, window: 10 min, quiet: 30 min}
      """;
  private static final long MINUTE = 60_000;

  @TempDir Path dir;

  private KeyedOneInputStreamOperatorTestHarness<String, Notice, Message> harness(
      String belowThreshold) throws Exception {
    var h = unopened(belowThreshold);
    h.open();
    return h;
  }

  private KeyedOneInputStreamOperatorTestHarness<String, Notice, Message> unopened(
      String belowThreshold) throws Exception {
    NotifySettings settings = NotifyTestSupport.settings(dir, ROUTES.formatted(belowThreshold));
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(new ThresholdGate(settings)),
        (Notice n) -> n.groupKey,
        Types.STRING);
  }

  @Test
  void aWindowOpenAtACheckpointIsCompletedAfterTheRestore() throws Exception {
    OperatorSubtaskState snapshot;
    try (var before = unopened("individual")) {
      before.setStateBackend(new EmbeddedRocksDBStateBackend());
      before.open();
      before.setProcessingTime(0);
      forged(before, "a1", "a2");
      snapshot = before.snapshot(1, 1);
    }
    try (var after = unopened("individual")) {
      after.setStateBackend(new EmbeddedRocksDBStateBackend());
      after.initializeState(snapshot);
      after.open();
      after.setProcessingTime(MINUTE);
      forged(after, "a3");

      // The two alerts counted before the restore and the one after reach the count of 3.
      assertThat(after.extractOutputValues())
          .extracting(m -> m.alertIds)
          .containsExactly("a1,a2,a3");
    }
  }

  private static void forged(
      KeyedOneInputStreamOperatorTestHarness<String, Notice, Message> h, String... ids)
      throws Exception {
    for (String id : ids) {
      h.processElement(
          new StreamRecord<>(
              new Notice(
                  "telegram:-100",
                  "oncall",
                  "forged-flood",
                  true,
                  alert(id, AlertType.FORGED_UTR, "NO_BANK_RECORD", Severity.HIGH, "M-1"))));
    }
  }

  private static List<String> texts(
      KeyedOneInputStreamOperatorTestHarness<String, Notice, Message> h) {
    return h.extractOutputValues().stream()
        .map(m -> m.text.lines().findFirst().orElse(""))
        .toList();
  }

  @Test
  void shouldSendOneSummaryWhenTheThresholdIsReached() throws Exception {
    try (var h = harness("individual")) {
      h.setProcessingTime(0);
      forged(h, "a1", "a2");
      assertThat(h.extractOutputValues()).isEmpty();
      h.setProcessingTime(MINUTE);
      forged(h, "a3");

      assertThat(h.extractOutputValues())
          .singleElement()
          .satisfies(
              m -> {
                assertThat(m.text)
                    .startsWith(
                        "HIGH · 3 FORGED_UTR alerts for merchant M-1 within 10 min (threshold"
                            + " forged-flood)");
                assertThat(m.alertIds).isEqualTo("a1,a2,a3");
              });
      h.setProcessingTime(11 * MINUTE);
      assertThat(h.extractOutputValues()).hasSize(1);
    }
  }

  @Test
  void shouldHoldAlertsInTheQuietPeriodAndSummariseThemAfter() throws Exception {
    try (var h = harness("individual")) {
      h.setProcessingTime(0);
      forged(h, "a1", "a2", "a3", "a4", "a5", "a3");
      h.setProcessingTime(31 * MINUTE);

      assertThat(h.extractOutputValues())
          .extracting(m -> m.alertIds)
          .containsExactly("a1,a2,a3", "a4,a5");
    }
  }

  @Test
  void shouldSendAWindowUnderTheThresholdOneByOneOnlyIfTheRouteAsks() throws Exception {
    try (var h = harness("individual")) {
      h.setProcessingTime(0);
      forged(h, "a1", "a2");
      h.setProcessingTime(10 * MINUTE);
      assertThat(h.extractOutputValues()).extracting(m -> m.alertIds).containsExactly("a1", "a2");
      assertThat(texts(h)).containsOnly("HIGH · FORGED_UTR / NO_BANK_RECORD");
    }
    try (var h = harness("summary-only")) {
      h.setProcessingTime(0);
      forged(h, "a1", "a2");
      h.setProcessingTime(10 * MINUTE);
      assertThat(h.extractOutputValues()).isEmpty();
    }
  }

  @Test
  void shouldPassAlertsUnderNoThresholdAtOnce() throws Exception {
    try (var h = harness("individual")) {
      h.processElement(
          new StreamRecord<>(
              new Notice(
                  "telegram:-100",
                  "oncall",
                  null,
                  true,
                  alert(
                      "b1",
                      AlertType.LARGE_AMOUNT,
                      "PAYMENT_OVER_LIMIT",
                      Severity.MEDIUM,
                      "M-1"))));
      assertThat(h.extractOutputValues())
          .singleElement()
          .satisfies(
              m -> {
                assertThat(m.id).isEqualTo(ThresholdGate.id("telegram:-100", "b1"));
                assertThat(m.text)
                    .isEqualTo(
                        """
            MEDIUM · LARGE_AMOUNT / PAYMENT_OVER_LIMIT
            UTR 412345678901 claimed by order O-b1 (₹2,500.00) from ra****@okhdfc has no bank record within 30m
            merchant M-1 · ₹2,500.00 · 2026-11-21T10:00:00Z
            alert b1""");
              });
    }
  }

  private static void update(
      KeyedOneInputStreamOperatorTestHarness<String, Notice, Message> h,
      String id,
      AlertStatus status,
      String actor)
      throws Exception {
    Notice notice =
        new Notice(
            "telegram:-100",
            "oncall",
            "forged-flood",
            true,
            alert(id, AlertType.FORGED_UTR, "NO_BANK_RECORD", Severity.HIGH, "M-1"));
    h.processElement(
        new StreamRecord<>(
            notice.with(
                AlertUpdate.newBuilder()
                    .setAlertId(id)
                    .setStatus(status)
                    .setReason(actor == null ? "LATE_EVIDENCE" : "BY_PERSON")
                    .setNote(actor == null ? "BILL B-1 arrived" : "on it")
                    .setActor(actor)
                    .setEvidence(List.of())
                    .setEventTime(Instant.parse("2026-11-21T10:40:00Z"))
                    .setUpdatedAt(Instant.parse("2026-11-21T10:41:00Z"))
                    .build())));
  }

  @Test
  void aHeldAlertThatIsRetractedLeavesTheCountAndIsNeverSent() throws Exception {
    try (var h = harness("individual")) {
      h.setProcessingTime(0);
      forged(h, "a1", "a2");
      update(h, "a1", AlertStatus.RETRACTED, null);
      update(h, "a2", AlertStatus.ACKNOWLEDGED, "asha"); // still open: it counts
      forged(h, "a3");
      assertThat(h.extractOutputValues()).as("two open alerts of three").isEmpty();

      h.setProcessingTime(10 * MINUTE);
      assertThat(h.extractOutputValues()).extracting(m -> m.alertIds).containsExactly("a2", "a3");
      // Closed before it got here: it does not count either.
      update(h, "a9", AlertStatus.RESOLVED, null);
      forged(h, "a4", "a9", "a5");
      assertThat(h.extractOutputValues()).hasSize(2);
    }
  }

  @Test
  void anAlertThatWentOutGetsAFollowUpReplyingToIt() throws Exception {
    try (var h = harness("individual")) {
      h.setProcessingTime(0);
      forged(h, "a1", "a2", "a3");
      update(h, "a2", AlertStatus.RETRACTED, null);
      update(h, "a3", AlertStatus.ACKNOWLEDGED, "asha");

      List<Message> out = h.extractOutputValues();
      assertThat(out).extracting(m -> m.alertIds).containsExactly("a1,a2,a3", "a2", "a3");
      assertThat(out.get(1).replyTo).isEqualTo("a2");
      assertThat(out.get(1).text)
          .isEqualTo(
              """
              RETRACTED · FORGED_UTR / NO_BANK_RECORD
              late evidence: BILL B-1 arrived
              alert a2""");
      assertThat(out.get(2).text)
          .isEqualTo(
              """
              ACKNOWLEDGED · FORGED_UTR / NO_BANK_RECORD
              by asha: on it
              alert a3""");
      assertThat(EventJson.MAPPER.readTree(out.get(2).body).path("update").path("actor").asText())
          .isEqualTo("asha");
      assertThat(out.get(1).id).isNotEqualTo(out.get(2).id);

      update(h, "a3", AlertStatus.ACKNOWLEDGED, "asha"); // the same update again
      assertThat(h.extractOutputValues().get(3).id).isEqualTo(out.get(2).id);
    }
  }
}
