package io.riskstream.detect;

import static io.riskstream.testing.Harnesses.record;
import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.bill;
import static io.riskstream.testing.TestEvents.ledger;
import static io.riskstream.testing.TestEvents.payment;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.config.RiskstreamConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Every stateful detector on RocksDB, with the jobs' settings (timers in RocksDB), snapshotted in
 * the middle of a case and restored into a fresh operator: what the case must raise is raised once,
 * whether its evidence came before or after the restore, and nothing decided before the snapshot is
 * raised again. The expected alerts are written from docs/contract.md (Alerts).
 */
class RestoreFromSnapshotTest {
  private static final Instant MUCH_LATER = BEGINNING.plus(Duration.ofHours(3));
  private final Rules rules = Rules.defaults();

  /** RocksDB with the jobs' settings (timers in RocksDB). */
  static EmbeddedRocksDBStateBackend rocksdb() {
    Configuration config = new Configuration();
    RiskstreamConfig.withRiskstreamDefaults(config);
    return new EmbeddedRocksDBStateBackend()
        .configure(config, RestoreFromSnapshotTest.class.getClassLoader());
  }

  private static Payment claim(String id, String order, String utr, String amount, Instant at) {
    return payment(id, order, PaymentStatus.PAID, amount, at).setUtr(utr).build();
  }

  private static List<String> reasonsAndKeys(List<Alert> alerts) {
    return alerts.stream().map(a -> a.getReason() + " " + Reason.of(a).keyOf(a)).sorted().toList();
  }

  private KeyedTwoInputStreamOperatorTestHarness<String, Payment, Bill, Alert> utrMatcher(
      OperatorSubtaskState restored) throws Exception {
    var h =
        new KeyedTwoInputStreamOperatorTestHarness<String, Payment, Bill, Alert>(
            new KeyedCoProcessOperator<>(new UtrMatcher(rules)),
            Payment::getUtr,
            Bill::getUtr,
            Types.STRING);
    return opened(h, restored);
  }

  /** The harness on RocksDB, restored from {@code restored} (null: fresh), open. */
  static <H extends AbstractStreamOperatorTestHarness<?>> H opened(
      H harness, OperatorSubtaskState restored) throws Exception {
    harness.setStateBackend(rocksdb());
    if (restored != null) {
      harness.initializeState(restored);
    }
    harness.open();
    return harness;
  }

  @Test
  void utrMatcherDecidesClaimsTakenBeforeTheRestoreOnBillsAfterIt() throws Exception {
    List<Alert> alerts = new ArrayList<>();
    OperatorSubtaskState snapshot;
    try (var before = utrMatcher(null)) {
      before.processElement1(record(claim("PE-1", "O-1", "412345678901", "2500", BEGINNING)));
      before.processElement1(record(claim("PE-2", "O-2", "412345678902", "900", BEGINNING)));
      before.processElement1(record(claim("PE-3", "O-3", "4123", "100", BEGINNING)));
      // O-3's malformed UTR is decided at its own time, before the snapshot.
      before.processBothWatermarks(new Watermark(BEGINNING.plusSeconds(1).toEpochMilli()));
      alerts.addAll(before.extractOutputValues());
      snapshot = before.snapshot(1, 1);
    }
    try (var after = utrMatcher(snapshot)) {
      after.processElement2(
          record(bill("B-1", "412345678901", "2400", BEGINNING.plusSeconds(60)).build()));
      after.processBothWatermarks(new Watermark(MUCH_LATER.toEpochMilli()));
      alerts.addAll(after.extractOutputValues());
    }

    // O-1: its bank line shows 100.00 less (UNDERPAID); O-2: no bank line within W
    // (NO_BANK_RECORD); O-3: malformed (INVALID_FORMAT), once.
    assertThat(reasonsAndKeys(alerts))
        .containsExactly(
            "INVALID_FORMAT 4123", "NO_BANK_RECORD 412345678902", "UNDERPAID 412345678901");
  }

  @Test
  void orderMatcherKeepsTheFirstConfirmationAcrossTheRestore() throws Exception {
    List<Alert> alerts = new ArrayList<>();
    OperatorSubtaskState snapshot;
    try (var before = orderMatcher(null)) {
      before.processElement1(
          record(payment("PE-1", "O-1", PaymentStatus.SUCCESS, "2500", BEGINNING).build()));
      before.processBothWatermarks(new Watermark(BEGINNING.toEpochMilli()));
      alerts.addAll(before.extractOutputValues());
      snapshot = before.snapshot(1, 1);
    }
    try (var after = orderMatcher(snapshot)) {
      after.processElement1(
          record(
              payment("PE-2", "O-1", PaymentStatus.SUCCESS, "2500", BEGINNING.plusSeconds(60))
                  .setUtr("412345678999")
                  .build()));
      after.processElement2(
          record(
              ledger("L-9", "WA-1", 323, "700", "0", BEGINNING.plusSeconds(120))
                  .setOrderNo("O-9")
                  .build()));
      after.processBothWatermarks(new Watermark(MUCH_LATER.toEpochMilli()));
      alerts.addAll(after.extractOutputValues());
    }

    // O-1 confirmed with a second UTR (ORDER_PAID_TWICE) and never credited in the ledger
    // (SUCCESS_WITHOUT_LEDGER, on the first confirmation, from before the restore); O-9 credited
    // with no order within W.
    assertThat(reasonsAndKeys(alerts))
        .containsExactly(
            "LEDGER_WITHOUT_ORDER O-9", "ORDER_PAID_TWICE O-1", "SUCCESS_WITHOUT_LEDGER O-1");
  }

  private KeyedTwoInputStreamOperatorTestHarness<String, Payment, BalanceChange, Alert>
      orderMatcher(OperatorSubtaskState restored) throws Exception {
    return opened(
        new KeyedTwoInputStreamOperatorTestHarness<String, Payment, BalanceChange, Alert>(
            new KeyedCoProcessOperator<>(new OrderMatcher(rules)),
            Payment::getOrderNo,
            BalanceChange::getOrderNo,
            Types.STRING),
        restored);
  }

  @Test
  void balanceChainCheckerChainsALineAfterTheRestoreOnTheLastOneBeforeIt() throws Exception {
    List<Alert> alerts = new ArrayList<>();
    OperatorSubtaskState snapshot;
    try (var before = chainChecker(null)) {
      before.processElement(record(ledger("L-1", "WA-1", 321, "100", "0", BEGINNING).build()));
      before.processWatermark(new Watermark(BEGINNING.plusSeconds(1).toEpochMilli()));
      alerts.addAll(before.extractOutputValues());
      snapshot = before.snapshot(1, 1);
    }
    try (var after = chainChecker(snapshot)) {
      // Opens at 90.00 where L-1 closed at 100.00.
      after.processElement(
          record(ledger("L-2", "WA-1", 322, "-50", "90", BEGINNING.plusSeconds(60)).build()));
      after.processWatermark(new Watermark(MUCH_LATER.toEpochMilli()));
      alerts.addAll(after.extractOutputValues());
    }

    assertThat(reasonsAndKeys(alerts)).containsExactly("CHAIN_BREAK WA-1");
  }

  private KeyedOneInputStreamOperatorTestHarness<String, BalanceChange, Alert> chainChecker(
      OperatorSubtaskState restored) throws Exception {
    return opened(
        new KeyedOneInputStreamOperatorTestHarness<String, BalanceChange, Alert>(
            new KeyedProcessOperator<>(new BalanceChainChecker(rules)),
            BalanceChange::getAccountId,
            Types.STRING),
        restored);
  }

  @Test
  void ipBurstDetectorCountsPayersFromBothSidesOfTheRestoreOnce() throws Exception {
    List<Alert> alerts = new ArrayList<>();
    OperatorSubtaskState snapshot;
    try (var before = ipBurst(null)) {
      for (int user = 1; user <= 3; user++) {
        before.processElement(record(payer(user, BEGINNING.plusSeconds(60L * user))));
      }
      before.processWatermark(new Watermark(BEGINNING.plusSeconds(200).toEpochMilli()));
      alerts.addAll(before.extractOutputValues());
      snapshot = before.snapshot(1, 1);
    }
    try (var after = ipBurst(snapshot)) {
      for (int user = 4; user <= 6; user++) {
        after.processElement(record(payer(user, BEGINNING.plusSeconds(60L * user))));
      }
      after.processWatermark(new Watermark(MUCH_LATER.toEpochMilli()));
      alerts.addAll(after.extractOutputValues());
    }

    // Five distinct payers within 10 minutes: one alert, at the fifth; the sixth adds none.
    assertThat(reasonsAndKeys(alerts)).containsExactly("DISTINCT_ACCOUNTS 49.36.0.1");
  }

  private static Payment payer(int user, Instant at) {
    return payment("PE-" + user, "O-" + user, PaymentStatus.SUCCESS, "100", at)
        .setUserId("U-" + user)
        .setPayerVpa("user" + user + "@okhdfc")
        .setUtr(String.format("4123456789%02d", user))
        .build();
  }

  private KeyedOneInputStreamOperatorTestHarness<String, Payment, Alert> ipBurst(
      OperatorSubtaskState restored) throws Exception {
    return opened(
        new KeyedOneInputStreamOperatorTestHarness<String, Payment, Alert>(
            new KeyedProcessOperator<>(new IpBurstDetector(rules)), Payment::getIp, Types.STRING),
        restored);
  }
}
