package io.riskstream.bench.jmh;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.BillDirection;
import io.riskstream.avro.DeductStatus;
import io.riskstream.avro.LedgerState;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentKind;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.detect.BalanceChainChecker;
import io.riskstream.detect.IpBurstDetector;
import io.riskstream.detect.Rules;
import io.riskstream.detect.UtrMatcher;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of an event on a key that fraud or scale makes hot, as a function of what the key
 * already holds: a UTR claimed by {@code entries} orders (screenshot reuse at scale), a NAT address
 * with {@code entries} payers, a settlement account with {@code entries} ledger lines. Each
 * iteration loads the key (not timed) on RocksDB with the jobs' settings (timers in RocksDB), then
 * times {@value #MEASURED} more events on it, the watermark following at the disorder bound. Flat
 * across {@code entries} is the goal: no work per event that grows with the key.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, batchSize = 1)
@Measurement(iterations = 5, batchSize = 1)
public class HotKeyBenchmark {
  static final int MEASURED = 1_000;
  private static final int WARM_UP = 20_000;
  private static final String HOT = "";
  private static final Instant START = Instant.parse("2026-11-21T00:00:00Z");
  private static final Instant HOT_START = START.plusSeconds(WARM_UP + 3_600);
  private static final BigDecimal AMOUNT = new BigDecimal("100.00");

  @Param({"utr", "ip", "account"})
  public String key;

  @Param({"10", "1000", "100000"})
  public int entries;

  private final Rules rules = Rules.defaults();
  private AbstractStreamOperatorTestHarness<Alert> harness;

  @Setup(Level.Iteration)
  public void load() throws Exception {
    harness =
        switch (key) {
          case "utr" ->
              new KeyedTwoInputStreamOperatorTestHarness<>(
                  new KeyedCoProcessOperator<>(new UtrMatcher(rules)),
                  Payment::getUtr,
                  Bill::getUtr,
                  Types.STRING);
          case "ip" ->
              new KeyedOneInputStreamOperatorTestHarness<>(
                  new KeyedProcessOperator<>(new IpBurstDetector(rules)),
                  Payment::getIp,
                  Types.STRING);
          case "account" ->
              new KeyedOneInputStreamOperatorTestHarness<>(
                  new KeyedProcessOperator<>(new BalanceChainChecker(rules)),
                  BalanceChange::getAccountId,
                  Types.STRING);
          default -> throw new IllegalArgumentException(key);
        };
    Configuration rocksdb = new Configuration();
    rocksdb.setString("state.backend.rocksdb.memory.managed", "false");
    harness.setStateBackend(
        new EmbeddedRocksDBStateBackend()
            .configure(
                RiskstreamConfig.withRiskstreamDefaults(rocksdb), getClass().getClassLoader()));
    harness.open();
    if (key.equals("utr")) {
      // The bank line of the UTR, so the claims wait for nothing: each later one is a reuse.
      Bill bill =
          Bill.newBuilder()
              .setBillId("B-1")
              .setUtr(HOT + "412345678901")
              .setCwid("CW-1")
              .setDirection(BillDirection.CREDIT)
              .setAmount(AMOUNT)
              .setCurrency("INR")
              .setDeductStatus(DeductStatus.DEDUCTED)
              .setPickedUp(true)
              .setEventTime(HOT_START)
              .build();
      two().processElement2(new StreamRecord<>(bill, HOT_START.toEpochMilli()));
    }
    // The code warm first, on keys of their own, so that a small key is not measured cold.
    for (int i = 0; i < WARM_UP; i++) {
      send("W" + (i % 100) + "-", i, START);
    }
    for (int i = 0; i < entries; i++) {
      send(HOT, i, HOT_START);
      if (i % 10_000 == 0) {
        harness.getOutput().clear(); // every claim after the first is a reuse alert
      }
    }
    harness.getOutput().clear();
  }

  @TearDown(Level.Iteration)
  public void close() throws Exception {
    harness.close();
  }

  @Benchmark
  @OperationsPerInvocation(MEASURED)
  public int process() throws Exception {
    for (int i = entries; i < entries + MEASURED; i++) {
      send(HOT, i, HOT_START);
    }
    return harness.getOutput().size();
  }

  /**
   * Event i on the key named by {@code prefix}, {@code i + 1} seconds after {@code from}, and the
   * watermark a minute behind it.
   */
  private void send(String prefix, int i, Instant from) throws Exception {
    Instant at = from.plusSeconds(i + 1);
    long time = at.toEpochMilli();
    Watermark watermark = new Watermark(time - 60_000);
    switch (key) {
      case "utr" -> {
        var h = two();
        h.processElement1(
            new StreamRecord<>(
                payment(prefix, i, at).setUtr(prefix + "412345678901").build(), time));
        h.processBothWatermarks(watermark);
      }
      case "ip" -> {
        var h = one();
        h.processElement(
            new StreamRecord<>(payment(prefix, i, at).setIp(prefix + "10.0.0.1").build(), time));
        h.processWatermark(watermark);
      }
      default -> {
        BigDecimal opening = AMOUNT.multiply(BigDecimal.valueOf(i));
        BalanceChange line =
            BalanceChange.newBuilder()
                .setLogId(prefix + "L-" + i)
                .setAccountId(prefix + "A-SETTLEMENT")
                .setTypeCode(325)
                .setAmount(AMOUNT)
                .setOpeningBalance(opening)
                .setClosingBalance(opening.add(AMOUNT))
                .setState(LedgerState.SUCCESS)
                .setEventTime(at)
                .build();
        var h = one();
        h.processElement(new StreamRecord<>(line, time));
        h.processWatermark(watermark);
      }
    }
  }

  private static Payment.Builder payment(String prefix, int i, Instant at) {
    return Payment.newBuilder()
        .setEventId(prefix + "PE-" + i)
        .setOrderNo(prefix + "O-" + i)
        .setMerchantId("M-1")
        .setUserId(prefix + "U-" + i)
        .setKind(PaymentKind.COLLECT)
        .setStatus(PaymentStatus.PAID)
        .setAmount(AMOUNT)
        .setChannel("UPI")
        .setEventTime(at);
  }

  @SuppressWarnings("unchecked")
  private KeyedTwoInputStreamOperatorTestHarness<String, Object, Object, Alert> two() {
    return (KeyedTwoInputStreamOperatorTestHarness<String, Object, Object, Alert>)
        (AbstractStreamOperatorTestHarness<?>) harness;
  }

  @SuppressWarnings("unchecked")
  private KeyedOneInputStreamOperatorTestHarness<String, Object, Alert> one() {
    return (KeyedOneInputStreamOperatorTestHarness<String, Object, Alert>)
        (AbstractStreamOperatorTestHarness<?>) harness;
  }
}
