package io.riskstream.detect;

import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.ledger;
import static io.riskstream.testing.TestEvents.payment;
import static io.riskstream.testing.TestEvents.rupees;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertType;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.EvidenceSource;
import io.riskstream.avro.LedgerState;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.avro.Severity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LargeAmountRuleTest {
  private static final Rules RULES = Rules.defaults();

  @Test
  void severityGrowsWithTheMultipleOfTheLimit() {
    assertThat(LargeAmountRule.severity(rupees("99999.99"), rupees("100000"))).isNull();
    assertThat(LargeAmountRule.severity(rupees("100000"), rupees("100000")))
        .isEqualTo(Severity.MEDIUM);
    assertThat(LargeAmountRule.severity(rupees("499999.99"), rupees("100000")))
        .isEqualTo(Severity.MEDIUM);
    assertThat(LargeAmountRule.severity(rupees("500000"), rupees("100000")))
        .isEqualTo(Severity.HIGH);
    assertThat(LargeAmountRule.severity(rupees("1000000"), rupees("100000")))
        .isEqualTo(Severity.CRITICAL);
    assertThat(LargeAmountRule.severity(rupees("-1000000"), rupees("100000")))
        .isEqualTo(Severity.CRITICAL);
  }

  @Test
  void largePaymentRaisesAnExplainedAlert() {
    Alert alert =
        LargeAmountRule.check(
            payment("PE-1", "O-88", PaymentStatus.PAID, "150000", BEGINNING).build(), RULES);

    assertThat(alert.getType()).isEqualTo(AlertType.LARGE_AMOUNT);
    assertThat(alert.getReason()).isEqualTo("PAYMENT_OVER_LIMIT");
    assertThat(alert.getSeverity()).isEqualTo(Severity.MEDIUM);
    assertThat(alert.getRuleId()).isEqualTo("large-amount");
    assertThat(alert.getRuleVersion()).isEqualTo(1);
    assertThat(alert.getOrderNo()).isEqualTo("O-88");
    assertThat(alert.getMerchantId()).isEqualTo("M-1");
    assertThat(alert.getAmount()).isEqualTo(rupees("150000"));
    assertThat(alert.getEventTime()).isEqualTo(BEGINNING);
    assertThat(alert.getEvidence())
        .containsExactly(new Evidence(EvidenceSource.PAYMENT, "PE-1", BEGINNING));
    assertThat(alert.getSummary())
        .isEqualTo(
            "Order O-88 of merchant M-1 for ₹1,50,000.00 (COLLECT, PAID) is at or over the large-amount limit of"
                + " ₹1,00,000.00");
    assertThat(alert.getAlertId())
        .isEqualTo(
            Alerts.alertId(AlertType.LARGE_AMOUNT, "PAYMENT_OVER_LIMIT", alert.getEvidence()))
        .hasSize(32);
  }

  @Test
  void failedAndExpiredPaymentsAreNotLarge() {
    assertThat(
            LargeAmountRule.check(
                payment("PE-1", "O-1", PaymentStatus.FAILED, "900000", BEGINNING).build(), RULES))
        .isNull();
    assertThat(
            LargeAmountRule.check(
                payment("PE-1", "O-1", PaymentStatus.EXPIRED, "900000", BEGINNING).build(), RULES))
        .isNull();
    assertThat(
            LargeAmountRule.check(
                payment("PE-1", "O-1", PaymentStatus.REFUNDED, "900000", BEGINNING).build(), RULES))
        .isNotNull();
  }

  @Test
  void adminAdjustmentsHaveTheLowerLimit() {
    Alert admin =
        LargeAmountRule.check(
            ledger("L-1", "A-1", 326, "10000", "0", BEGINNING).setOperatorId("OP-3").build(),
            RULES);
    Alert recharge =
        LargeAmountRule.check(ledger("L-2", "A-1", 321, "10000", "0", BEGINNING).build(), RULES);

    assertThat(admin.getReason()).isEqualTo("LEDGER_OVER_LIMIT");
    assertThat(admin.getSeverity()).isEqualTo(Severity.MEDIUM);
    assertThat(admin.getSummary())
        .isEqualTo(
            "Ledger line L-1 on account **** moves ₹10,000.00 (type 326, by operator OP-3) - at or over the"
                + " admin-adjustment limit of ₹10,000.00");
    assertThat(recharge).isNull();
  }

  @Test
  void onlySuccessfulLedgerLinesCount() {
    assertThat(
            LargeAmountRule.check(
                ledger("L-1", "A-1", 342, "-200000", "0", BEGINNING)
                    .setState(LedgerState.PENDING)
                    .build(),
                RULES))
        .isNull();
    assertThat(
            LargeAmountRule.check(
                    ledger("L-1", "A-1", 342, "-200000", "0", BEGINNING).build(), RULES)
                .getSeverity())
        .isEqualTo(Severity.CRITICAL);
  }

  @Test
  void merchantOverrideAppliesWithItsOwnVersion(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("rules.yaml");
    Files.writeString(
        file,
        "rules:\n  large-amount:\n    merchants:\n      M-7: {version: 3, limit: 50000.00}\n");
    Rules rules = Rules.load(file);

    Alert m7 =
        LargeAmountRule.check(
            payment("PE-1", "O-1", PaymentStatus.PAID, "60000", BEGINNING)
                .setMerchantId("M-7")
                .build(),
            rules);
    Alert m1 =
        LargeAmountRule.check(
            payment("PE-2", "O-2", PaymentStatus.PAID, "60000", BEGINNING).build(), rules);

    assertThat(m7.getRuleVersion()).isEqualTo(3);
    assertThat(m7.getSummary()).endsWith("limit of ₹50,000.00");
    assertThat(m1).isNull();
  }

  @Test
  void alertIdDependsOnEvidenceNotOnItsOrder() {
    Evidence a = new Evidence(EvidenceSource.PAYMENT, "PE-1", BEGINNING);
    Evidence b = new Evidence(EvidenceSource.BILL, "B-1", BEGINNING);

    assertThat(Alerts.alertId(AlertType.FORGED_UTR, "X", List.of(a, b)))
        .isEqualTo(Alerts.alertId(AlertType.FORGED_UTR, "X", List.of(b, a)))
        .isNotEqualTo(Alerts.alertId(AlertType.FORGED_UTR, "Y", List.of(a, b)))
        .isNotEqualTo(Alerts.alertId(AlertType.FORGED_UTR, "X", List.of(a)));
  }

  @Test
  void moneyIsWrittenWithLakhGrouping() {
    assertThat(Money.format(rupees("2500"))).isEqualTo("₹2,500.00");
    assertThat(Money.format(rupees("999"))).isEqualTo("₹999.00");
    assertThat(Money.format(rupees("150000"))).isEqualTo("₹1,50,000.00");
    assertThat(Money.format(rupees("12345678.5"))).isEqualTo("₹1,23,45,678.50");
    assertThat(Money.format(rupees("-34572"))).isEqualTo("-₹34,572.00");
  }
}
