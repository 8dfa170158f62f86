package io.riskstream.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.avro.AlertType;
import io.riskstream.config.ConfigException;
import io.riskstream.detect.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every value of the routes file is read into its type at start, every mistake named there. */
class NotifySettingsTest {
  private static final String ROUTE =
      """
      routes:
        - name: oncall
          min-severity: HIGH
          telegram-chats: ["-100"]
          below-threshold: summary-only
      """;

  @TempDir Path dir;

  private Path file(String name, String yaml) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void valuesAreTypedOnceWithTheDefaultsFilledIn() throws Exception {
    NotifySettings settings =
        NotifySettings.load(
            file(
                "ok.yaml",
                ROUTE
                    + """
                    thresholds:
                      - {id: forged, type: FORGED_UTR, reason: NO_BANK_RECORD, count: 5, window: 10 min}
                    delivery: {max-attempts: 3, initial-backoff: 2 s, max-backoff: 30 s, timeout: 5 s, dedup-ttl: 1 d}
                    """));

    NotifySettings.Threshold forged = settings.thresholds().get(0);
    assertThat(forged.type()).isEqualTo(AlertType.FORGED_UTR);
    assertThat(forged.reason()).isEqualTo(Reason.NO_BANK_RECORD);
    assertThat(forged.window()).isEqualTo(Duration.ofMinutes(10));
    assertThat(forged.quiet()).as("the window unless given").isEqualTo(Duration.ofMinutes(10));
    assertThat(settings.delivery().initialBackoff()).isEqualTo(Duration.ofSeconds(2));
    assertThat(settings.delivery().dedupTtl()).isEqualTo(Duration.ofDays(1));
    assertThat(settings.rateLimits().perGroup().per()).isEqualTo(Duration.ofMinutes(1));
    assertThat(settings.routes().get(0).individualBelowThreshold()).isFalse();
  }

  @Test
  void aBadDurationIsNamedAtStartNotAtTheFirstMessage() throws Exception {
    Path badWindow =
        file(
            "window.yaml",
            ROUTE + "thresholds:\n  - {id: f, type: FORGED_UTR, count: 5, window: ten minutes}\n");
    Path badBackoff = file("backoff.yaml", ROUTE + "delivery: {initial-backoff: soon}\n");

    assertThatThrownBy(() -> NotifySettings.load(badWindow))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            badWindow
                + ": invalid value 'ten minutes' at thresholds[0].window; expected a positive"
                + " duration such as 10 min or 30 s");
    assertThatThrownBy(() -> NotifySettings.load(badBackoff))
        .hasMessage(
            badBackoff
                + ": invalid value 'soon' at delivery.initial-backoff; expected a positive duration"
                + " such as 10 min or 30 s");
  }

  @Test
  void typesReasonsAndChoicesAreChecked() throws Exception {
    Path otherTypesReason =
        file(
            "reason.yaml",
            ROUTE
                + "thresholds:\n"
                + "  - {id: f, type: FORGED_UTR, reason: UNDERPAID, count: 5, window: 10 min}\n");
    Path badChoice = file("choice.yaml", ROUTE.replace("summary-only", "digest"));

    assertThatThrownBy(() -> NotifySettings.load(otherTypesReason))
        .hasMessage(
            otherTypesReason
                + ": threshold 'f': UNDERPAID is a reason of AMOUNT_MISMATCH, not of FORGED_UTR");
    assertThatThrownBy(() -> NotifySettings.load(badChoice))
        .hasMessage(
            badChoice
                + ": invalid value 'digest' at routes[0].below-threshold; expected one of"
                + " [INDIVIDUAL, SUMMARY_ONLY] (written individual or summary-only)");
  }
}
