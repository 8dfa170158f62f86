package io.riskstream.bench;

import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.bill;
import static io.riskstream.testing.TestEvents.ledger;
import static io.riskstream.testing.TestEvents.payment;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.detect.BalanceChainChecker;
import io.riskstream.detect.IpBurstDetector;
import io.riskstream.detect.OrderMatcher;
import io.riskstream.detect.Rules;
import io.riskstream.detect.UtrMatcher;
import io.riskstream.testing.Harnesses;
import java.time.Instant;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

/**
 * Measures RocksDB state bytes per key of each detector: feeds many keys of a typical shape into
 * the operator on Flink's harness with the RocksDB backend, takes a full snapshot and divides its
 * size by the number of keys. Not a test: it prints figures (see docs/detection.md for how to run
 * it and what it printed).
 */
public final class StateSizeReport {
  private static final int KEYS = 20_000;
  private static final Rules RULES = Rules.defaults();

  public static void main(String[] args) throws Exception {
    System.out.printf(
        "%-60s %12s%n", "state (RocksDB full snapshot, " + KEYS + " keys)", "bytes/key");
    report("UtrMatcher: claim without bill (NO_BANK_RECORD fired)", utr(false));
    report("UtrMatcher: claim + its bill (matched)", utr(true));
    report("OrderMatcher: order with CREATED, PAID, SUCCESS + ledger line", order());
    report("BalanceChainChecker: account with its last line", account());
    report("IpBurstDetector: IP with one payer in the window", ip());
  }

  private interface Scenario {
    AbstractStreamOperatorTestHarness<Alert> run() throws Exception;
  }

  private static void report(String what, Scenario scenario) throws Exception {
    try (AbstractStreamOperatorTestHarness<Alert> harness = scenario.run()) {
      long bytes = harness.snapshot(1L, 1L).getStateSize();
      System.out.printf("%-60s %,12d%n", what, bytes / KEYS);
    }
  }

  private static Scenario utr(boolean withBill) {
    return () -> {
      var h = Harnesses.open(new UtrMatcher(RULES), Payment::getUtr, Bill::getUtr, backend());
      for (int i = 0; i < KEYS; i++) {
        String utr = String.valueOf(400_000_000_000L + i);
        Instant at = BEGINNING.plusSeconds(i);
        h.processElement1(
            Harnesses.record(
                payment("PE-" + i, "O-" + i, PaymentStatus.PAID, "2500", at).setUtr(utr).build()));
        if (withBill) {
          h.processElement2(Harnesses.record(bill("B-" + i, utr, "2500", at).build()));
        }
      }
      h.processBothWatermarks(new Watermark(BEGINNING.plusSeconds(KEYS).toEpochMilli()));
      return h;
    };
  }

  private static Scenario order() {
    return () -> {
      var h =
          Harnesses.open(
              new OrderMatcher(RULES), Payment::getOrderNo, BalanceChange::getOrderNo, backend());
      for (int i = 0; i < KEYS; i++) {
        Instant at = BEGINNING.plusSeconds(i);
        String utr = String.valueOf(400_000_000_000L + i);
        for (PaymentStatus status :
            new PaymentStatus[] {
              PaymentStatus.CREATED, PaymentStatus.PAID, PaymentStatus.SUCCESS
            }) {
          h.processElement1(
              Harnesses.record(
                  payment("PE-" + status + i, "O-" + i, status, "2500", at)
                      .setUtr(status == PaymentStatus.CREATED ? null : utr)
                      .build()));
        }
        h.processElement2(
            Harnesses.record(
                ledger("L-" + i, "WA-CW-1", 323, "2500", "0", at).setOrderNo("O-" + i).build()));
      }
      h.processBothWatermarks(new Watermark(BEGINNING.plusSeconds(KEYS).toEpochMilli()));
      return h;
    };
  }

  private static Scenario account() {
    return () -> {
      var h =
          Harnesses.open(new BalanceChainChecker(RULES), BalanceChange::getAccountId, backend());
      for (int i = 0; i < KEYS; i++) {
        h.processElement(
            Harnesses.record(
                ledger("L-" + i, "A-" + i, 323, "2500", "0", BEGINNING.plusSeconds(i)).build()));
      }
      h.processWatermark(new Watermark(BEGINNING.plusSeconds(KEYS).toEpochMilli()));
      return h;
    };
  }

  private static Scenario ip() {
    return () -> {
      var h = Harnesses.open(new IpBurstDetector(RULES), Payment::getIp, backend());
      for (int i = 0; i < KEYS; i++) {
        h.processElement(
            Harnesses.record(
                payment("PE-" + i, "O-" + i, PaymentStatus.CREATED, "2500", BEGINNING.plusMillis(i))
                    .setIp("10.0." + (i / 250) + "." + (i % 250))
                    .build()));
      }
      h.processWatermark(new Watermark(BEGINNING.plusMillis(KEYS).toEpochMilli()));
      return h;
    };
  }

  private static EmbeddedRocksDBStateBackend backend() {
    return new EmbeddedRocksDBStateBackend(false);
  }
}
