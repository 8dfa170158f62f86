package io.riskstream.bench;

import io.riskstream.avro.Alert;
import io.riskstream.avro.Bill;
import io.riskstream.avro.BillDirection;
import io.riskstream.avro.DeductStatus;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentKind;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.detect.Rules;
import io.riskstream.detect.UtrMatcher;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.state.CheckpointStorageAccess;
import org.apache.flink.runtime.state.CheckpointStorageLocationReference;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.util.concurrent.FutureUtils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The UTR state at a 30-day steady state, and what a checkpoint of it costs. UtrMatcher is the
 * job's largest state: every UTR stays for the 30-day retention after its last event. This loads
 * {@code --utrs} UTRs, each claimed once and matched by its bank line, with event times spread over
 * 30 days, into UtrMatcher on Flink's keyed operator harness (RocksDB, incremental, timers on the
 * heap or in RocksDB), so that every one is open and holds its cleanup timer, as in production
 * after a month. It reports the events/s of the first and the last {@value #SAMPLE} events (fresh
 * against steady state), the synchronous and asynchronous parts of a checkpoint taken then, its
 * size, the heap used and the timers held.
 *
 * <p>Run: {@code java -Xmx6g -cp bench/target/riskstream-bench.jar io.riskstream.bench.Soak --utrs
 * 5000000 --timers heap} (and {@code --timers rocksdb}).
 */
@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    description = "UtrMatcher at a 30-day steady state: throughput, checkpoint sync/async, heap.")
public final class Soak implements Callable<Integer> {
  static final int SAMPLE = 100_000;
  private static final Instant START = Instant.parse("2026-10-01T00:00:00Z");
  private static final Duration MONTH = Duration.ofDays(30);
  private static final BigDecimal AMOUNT = new BigDecimal("2500.00");

  @Option(names = "--utrs", description = "Open UTRs to load (default ${DEFAULT-VALUE}).")
  long utrs = 5_000_000;

  @Option(
      names = "--timers",
      description =
          "Where timers live: heap (as the jobs run) or rocksdb (default ${DEFAULT-VALUE}).")
  String timers = "heap";

  private final PrintStream out;

  Soak(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new Soak(System.out)).execute(args));
  }

  /** What one soak measured. */
  record Figures(
      long utrs,
      double freshEventsPerSecond,
      double steadyEventsPerSecond,
      long timers,
      double syncMillis,
      double asyncMillis,
      long checkpointBytes,
      long heapBytes) {}

  @Override
  public Integer call() throws Exception {
    if (!timers.equals("heap") && !timers.equals("rocksdb")) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--timers must be heap or rocksdb, was " + timers);
    }
    Figures f = run();
    out.printf(
        Locale.ROOT,
        "| %,d open UTRs, timers on %s | fresh %,.0f events/s | steady %,.0f events/s (%.2f×) |"
            + " %,d timers | checkpoint sync %,.0f ms, async %,.0f ms, %,d bytes | heap %,d MB |%n",
        f.utrs(),
        timers,
        f.freshEventsPerSecond(),
        f.steadyEventsPerSecond(),
        f.steadyEventsPerSecond() / f.freshEventsPerSecond(),
        f.timers(),
        f.syncMillis(),
        f.asyncMillis(),
        f.checkpointBytes(),
        f.heapBytes() / (1 << 20));
    return 0;
  }

  Figures run() throws Exception {
    Path dir = Files.createTempDirectory("riskstream-soak");
    var harness =
        new KeyedTwoInputStreamOperatorTestHarness<String, Payment, Bill, Alert>(
            new KeyedCoProcessOperator<>(new UtrMatcher(Rules.defaults())),
            Payment::getUtr,
            Bill::getUtr,
            Types.STRING);
    Configuration rocksdb = new Configuration();
    rocksdb.setString("state.backend.rocksdb.memory.managed", "false");
    rocksdb.setString("execution.checkpointing.incremental", "true");
    rocksdb.setString("state.backend.rocksdb.localdir", dir.resolve("db").toString());
    RiskstreamConfig.withRiskstreamDefaults(rocksdb);
    rocksdb.setString(
        "state.backend.rocksdb.timer-service.factory", timers.equals("heap") ? "HEAP" : "ROCKSDB");
    harness.setStateBackend(
        new EmbeddedRocksDBStateBackend().configure(rocksdb, getClass().getClassLoader()));
    harness.open();
    try {
      long events = 2 * utrs;
      long sample = Math.min(SAMPLE, events / 4);
      // Spread over the retention less an hour, so that the last decisions are taken before the
      // first UTR expires: every UTR is open when the checkpoint is taken.
      long spacing = Math.max(1, MONTH.minusHours(1).toMillis() / utrs);
      long began = System.nanoTime();
      long sampleStart = began;
      double fresh = 0;
      double steady = 0;
      for (long i = 0; i < utrs; i++) {
        long time = START.toEpochMilli() + i * spacing;
        harness.processElement1(new StreamRecord<>(claim(i, time), time));
        harness.processElement2(new StreamRecord<>(bill(i, time + 1_000), time + 1_000));
        if (i % 500 == 0) {
          harness.processBothWatermarks(new Watermark(time - 60_000));
          harness.getOutput().clear();
        }
        long done = 2 * (i + 1);
        if (done == sample) {
          fresh = sample / seconds(System.nanoTime() - sampleStart);
        }
        if (done == events - sample) {
          sampleStart = System.nanoTime();
        }
        if (i > 0 && i % (utrs / 10 == 0 ? 1 : utrs / 10) == 0) {
          out.printf(
              Locale.ROOT,
              "  loaded %,d of %,d UTRs (%.0f s)%n",
              i,
              utrs,
              seconds(System.nanoTime() - began));
        }
      }
      steady = sample / seconds(System.nanoTime() - sampleStart);
      // Every UTR's decisions are taken: the watermark passes the last one's W.
      harness.processBothWatermarks(
          new Watermark(START.toEpochMilli() + utrs * spacing + Duration.ofMinutes(32).toMillis()));
      harness.getOutput().clear();
      int timerCount = harness.numEventTimeTimers();

      CheckpointStorageAccess storage =
          new FileSystemCheckpointStorage(dir.resolve("checkpoints").toUri())
              .createCheckpointStorage(new JobID());
      storage.initializeBaseLocationsForCheckpoint();
      long t0 = System.nanoTime();
      OperatorSnapshotFutures futures =
          harness
              .getOperator()
              .snapshotState(
                  1,
                  System.currentTimeMillis(),
                  CheckpointOptions.forCheckpointWithDefaultLocation(),
                  storage.resolveCheckpointStorageLocation(
                      1, CheckpointStorageLocationReference.getDefault()));
      long sync = System.nanoTime() - t0;
      SnapshotResult<KeyedStateHandle> managed =
          FutureUtils.runIfNotDoneAndGet(futures.getKeyedStateManagedFuture());
      SnapshotResult<KeyedStateHandle> raw =
          FutureUtils.runIfNotDoneAndGet(futures.getKeyedStateRawFuture());
      long async = System.nanoTime() - t0 - sync;
      long bytes = size(managed) + size(raw);
      System.gc();
      long heap = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
      return new Figures(utrs, fresh, steady, timerCount, sync / 1e6, async / 1e6, bytes, heap);
    } finally {
      harness.close();
    }
  }

  private static long size(SnapshotResult<KeyedStateHandle> result) {
    return result == null || result.getJobManagerOwnedSnapshot() == null
        ? 0
        : result.getJobManagerOwnedSnapshot().getStateSize();
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static String utr(long i) {
    return String.format(Locale.ROOT, "%012d", 400_000_000_000L + i);
  }

  private static Payment claim(long i, long time) {
    return Payment.newBuilder()
        .setEventId("PE-" + i)
        .setOrderNo("O-" + i)
        .setMerchantId("M-" + (i % 12))
        .setCwid("CW-" + (i % 40))
        .setUserId("U-" + (i % 5_000))
        .setKind(PaymentKind.COLLECT)
        .setStatus(PaymentStatus.PAID)
        .setAmount(AMOUNT)
        .setUtr(utr(i))
        .setChannel("UPI")
        .setPayerVpa("u" + (i % 5_000) + "@okhdfc")
        .setIp("49.36." + (i % 250) + "." + (i % 200))
        .setEventTime(Instant.ofEpochMilli(time))
        .build();
  }

  private static Bill bill(long i, long time) {
    return Bill.newBuilder()
        .setBillId("B-" + i)
        .setUtr(utr(i))
        .setCwid("CW-" + (i % 40))
        .setDirection(BillDirection.CREDIT)
        .setAmount(AMOUNT)
        .setCurrency("INR")
        .setDeductStatus(DeductStatus.DEDUCTED)
        .setPickedUp(true)
        .setEventTime(Instant.ofEpochMilli(time))
        .build();
  }
}
