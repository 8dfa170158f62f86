package io.riskstream.detect;

import static io.riskstream.testing.TestEvents.BEGINNING;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.AlertType;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.EvidenceSource;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Alert ids are the upsert key of the tables and the dedup key of notifications across releases: a
 * change of what they hash must fail here. The expected values are literals, computed outside the
 * code with {@code printf '%s' 'FORGED_UTR|NO_BANK_RECORD|PAYMENT:PE-1' | sha256sum | cut -c1-32}
 * from the definition in docs/contract.md (the first 128 bits of SHA-256 over type, reason and the
 * evidence sorted by source and id, in hex).
 */
class AlertIdTest {
  @Test
  void aForgedUtrOnOnePayment() {
    assertThat(
            Alerts.alertId(
                AlertType.FORGED_UTR,
                "NO_BANK_RECORD",
                List.of(new Evidence(EvidenceSource.PAYMENT, "PE-1", BEGINNING))))
        .isEqualTo("a2c283d375989a3a0124ca8a95d92fbc");
  }

  @Test
  void evidenceIsHashedInSourceAndIdOrderWhateverOrderItCameIn() {
    List<Evidence> reversed =
        List.of(
            new Evidence(EvidenceSource.PAYMENT, "PE-2", BEGINNING),
            new Evidence(EvidenceSource.PAYMENT, "PE-1", BEGINNING.plusSeconds(60)));

    assertThat(Alerts.alertId(AlertType.DUPLICATE_PAYMENT, "UTR_REUSED", reversed))
        .isEqualTo("ba7a26dc47cb7644b5900d1b535b018a");
  }

  @Test
  void eventTimesAreNotPartOfTheId() {
    List<Evidence> lines =
        List.of(
            new Evidence(EvidenceSource.BALANCE_CHANGE, "L-2", BEGINNING),
            new Evidence(EvidenceSource.BALANCE_CHANGE, "L-1", BEGINNING.plusSeconds(5)));

    assertThat(Alerts.alertId(AlertType.BALANCE_MISMATCH, "CHAIN_BREAK", lines))
        .isEqualTo("10bc8c28f74a16f992aabc3e3b052600");
  }
}
