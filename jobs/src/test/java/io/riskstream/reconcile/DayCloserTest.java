package io.riskstream.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.AlertType;
import io.riskstream.avro.BillDirection;
import io.riskstream.avro.DailyReconciliation;
import io.riskstream.avro.DeductStatus;
import io.riskstream.avro.LedgerState;
import io.riskstream.avro.LedgerTotal;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.avro.Severity;
import io.riskstream.detect.Alerts;
import io.riskstream.detect.Reason;
import io.riskstream.detect.Rules;
import io.riskstream.testing.TestEvents;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The daily close in Asia/Kolkata (UTC+05:30): 2026-11-21 there runs from 2026-11-20T18:30Z to
 * 2026-11-21T18:30Z and closes once the watermark reaches 19:00Z (its end + W, 30 min). Expected
 * figures are added up by hand from the events below.
 */
class DayCloserTest {
  private static final ZoneId IST = ZoneId.of("Asia/Kolkata");
  private static final Duration W = Duration.ofMinutes(30);
  private static final Instant DAY_END = Instant.parse("2026-11-21T18:30:00Z");
  private static final Instant CLOSES = DAY_END.plus(W);

  private static KeyedOneInputStreamOperatorTestHarness<String, Fact, DailyReconciliation> harness()
      throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new DayCloser(IST, W)), Fact::rowKey, Types.STRING);
    h.open();
    return h;
  }

  private static void send(
      KeyedOneInputStreamOperatorTestHarness<String, Fact, DailyReconciliation> h, Fact... facts)
      throws Exception {
    for (Fact f : facts) {
      h.processElement(new StreamRecord<>(f, f.eventTime));
    }
  }

  private static Fact collection(String id, String amount, Instant at) {
    return Fact.of(
        TestEvents.payment(id, "O-" + id, PaymentStatus.SUCCESS, amount, at)
            .setMerchantId("M-102")
            .setCwid("CW-3")
            .build());
  }

  private static BigDecimal rupees(String amount) {
    return new BigDecimal(amount);
  }

  @Test
  void aDayInKolkataIsWrittenOnceTheWatermarkPassesItsEndPlusW() throws Exception {
    try (var h = harness()) {
      send(
          h,
          collection("PE-1", "1000", Instant.parse("2026-11-20T18:30:00Z")), // 00:00 IST: this day
          collection("PE-2", "250.50", DAY_END.minusMillis(1)), // 23:59:59.999 IST
          collection("PE-2", "250.50", DAY_END.minusMillis(1)), // a redelivery
          collection("PE-3", "700", DAY_END), // 00:00 IST the next day
          collection("PE-0", "99", Instant.parse("2026-11-20T18:29:59.999Z"))); // the day before
      Fact refunded =
          Fact.of(
              TestEvents.payment(
                      "PE-4", "O-PE-1", PaymentStatus.REFUNDED, "1000", DAY_END.minusSeconds(60))
                  .setMerchantId("M-102")
                  .setCwid("CW-3")
                  .build());
      Fact created =
          Fact.of(
              TestEvents.payment(
                      "PE-5", "O-5", PaymentStatus.CREATED, "5", DAY_END.minusSeconds(60))
                  .build());
      assertThat(created).as("only SUCCESS and REFUNDED payments count").isNull();
      Fact noBank =
          Fact.of(
              Alerts.alert(
                      Reason.NO_BANK_RECORD,
                      Severity.HIGH,
                      new Rules.RuleVersion("forged-utr", 1),
                      "s",
                      List.of(),
                      DAY_END.minusSeconds(10))
                  .setMerchantId("M-102")
                  .setCwid("CW-3")
                  .setAmount(rupees("300.00"))
                  .build());
      send(h, refunded, noBank);

      h.processWatermark(new Watermark(CLOSES.toEpochMilli() - 1));
      List<DailyReconciliation> beforeClose = h.extractOutputValues();
      assertThat(beforeClose).as("the day before, closed at 2026-11-20T19:00Z").hasSize(1);
      h.processWatermark(new Watermark(CLOSES.toEpochMilli()));
      List<DailyReconciliation> rows = h.extractOutputValues();

      assertThat(rows).hasSize(2);
      DailyReconciliation day = rows.get(1);
      assertThat(day.getDay()).isEqualTo(LocalDate.parse("2026-11-21"));
      assertThat(day.getMerchantId()).isEqualTo("M-102");
      assertThat(day.getCwid()).isEqualTo("CW-3");
      assertThat(day.getTimeZone()).isEqualTo("Asia/Kolkata");
      assertThat(day.getCollectionsCount()).isEqualTo(2);
      assertThat(day.getCollectionsAmount()).isEqualByComparingTo("1250.50");
      assertThat(day.getRefundsCount()).isEqualTo(1);
      assertThat(day.getRefundsAmount()).isEqualByComparingTo("1000.00");
      assertThat(day.getUnmatchedCollectionsCount()).isEqualTo(1);
      assertThat(day.getUnmatchedCollectionsAmount()).isEqualByComparingTo("300.00");
      assertThat(day.getAlerts()).isEqualTo(Map.of("FORGED_UTR", 1L));
      assertThat(DayTotals.summary(day))
          .isEqualTo(
              "2026-11-21 · M-102: collections ₹1,250.50 (2), ₹300.00 of it without a bank line"
                  + " (1); payouts ₹0.00 (0); refunds 1, all with ledger lines; 1 alert"
                  + " (FORGED_UTR 1)");
    }
  }

  @Test
  void bankAndLedgerLinesCountTheirDeductedAndSuccessfulVersionsOnce() throws Exception {
    try (var h = harness()) {
      Instant noon = Instant.parse("2026-11-21T06:30:00Z");
      var pending =
          TestEvents.bill("B-1", "412345678901", "2500", noon)
              .setCwid("CW-3")
              .setDeductStatus(DeductStatus.PENDING)
              .build();
      var deducted =
          TestEvents.bill("B-1", "412345678901", "2500", noon.plusSeconds(600))
              .setCwid("CW-3")
              .build();
      var debit =
          TestEvents.bill("B-2", "412345678902", "400", noon)
              .setCwid("CW-3")
              .setDirection(BillDirection.DEBIT)
              .build();
      var lineP =
          TestEvents.ledger("L-1", "WA-1", 321, "2500", "0", noon)
              .setState(LedgerState.PENDING)
              .build();
      var lineS =
          TestEvents.ledger("L-1", "WA-1", 321, "2500", "0", noon.plusSeconds(5))
              .setFee(new BigDecimal("12.50"))
              .build();
      var refund =
          TestEvents.ledger("L-2", "WA-1", 324, "-400", "2500", noon.plusSeconds(9)).build();
      assertThat(Fact.of(pending)).isNull();
      assertThat(Fact.of(lineP)).isNull();
      send(
          h,
          Fact.of(deducted),
          Fact.of(deducted),
          Fact.of(debit),
          Fact.of(lineS),
          Fact.of(lineS),
          Fact.of(refund));
      h.processWatermark(new Watermark(CLOSES.toEpochMilli()));

      assertThat(h.extractOutputValues())
          .extracting(DailyReconciliation::getMerchantId, DailyReconciliation::getCwid)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple("", "CW-3"),
              org.assertj.core.groups.Tuple.tuple("", ""));
      DailyReconciliation bank =
          h.extractOutputValues().stream()
              .filter(r -> r.getCwid().equals("CW-3"))
              .findFirst()
              .orElseThrow();
      assertThat(bank.getBankCreditsCount()).isEqualTo(1);
      assertThat(bank.getBankCreditsAmount()).isEqualByComparingTo("2500.00");
      assertThat(bank.getBankDebitsCount()).isEqualTo(1);
      assertThat(bank.getBankDebitsAmount()).isEqualByComparingTo("400.00");
      DailyReconciliation ledger =
          h.extractOutputValues().stream()
              .filter(r -> r.getCwid().isEmpty())
              .findFirst()
              .orElseThrow();
      assertThat(ledger.getLedger())
          .isEqualTo(
              Map.of(
                  "321", new LedgerTotal(1L, new BigDecimal("2500.00")),
                  "324", new LedgerTotal(1L, new BigDecimal("-400.00"))));
      assertThat(ledger.getNetBalanceChange()).isEqualByComparingTo("2100.00");
      assertThat(ledger.getFeesAmount()).isEqualByComparingTo("12.50");
    }
  }

  @Test
  void aLateFactCorrectsItsRowForADayThenIsLoggedAndTheStateIsGone() throws Exception {
    try (var h = harness()) {
      send(h, collection("PE-1", "100", DAY_END.minusSeconds(3600)));
      h.processWatermark(new Watermark(CLOSES.toEpochMilli()));
      send(h, collection("PE-2", "50", DAY_END.minusSeconds(60)));
      assertThat(h.extractOutputValues())
          .extracting(DailyReconciliation::getCollectionsAmount)
          .usingElementComparator(BigDecimal::compareTo)
          .containsExactly(new BigDecimal("100.00"), new BigDecimal("150.00"));

      h.processWatermark(new Watermark(CLOSES.plus(DayCloser.LATENESS).toEpochMilli()));
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
      send(h, collection("PE-3", "70", DAY_END.minusSeconds(60)));
      assertThat(h.extractOutputValues()).as("too late: not counted, logged").hasSize(2);
      assertThat(h.numKeyedStateEntries()).isZero();
    }
  }

  @Test
  void alertTypesCountPerType() {
    DailyReconciliation row = DayTotals.empty(0, "M-1", "", IST);
    Fact a = new Fact();
    a.kind = Fact.Kind.ALERT;
    a.alertType = AlertType.PENDING_TOO_LONG.name();
    a.alertReason = "BILL_PENDING";
    a.amount = new BigDecimal("1.00");
    DayTotals.add(row, a);
    DayTotals.add(row, a);
    assertThat(row.getAlerts()).isEqualTo(Map.of("PENDING_TOO_LONG", 2L));
    assertThat(row.getAlertsCount()).isEqualTo(2);
  }
}
