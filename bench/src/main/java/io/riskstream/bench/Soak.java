package io.riskstream.bench;

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
import io.riskstream.detect.OrderMatcher;
import io.riskstream.detect.Rules;
import io.riskstream.detect.UtrMatcher;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
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
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.util.concurrent.FutureUtils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The job's keyed state at a 30-day steady state, and what a checkpoint of it costs. Every key
 * stays for its retention after its last event (UTRs and accounts 30 days, orders 7), so after a
 * month of production every key of the retention is open and holds its cleanup timer. This builds
 * that state directly instead of replaying a month through the job: for each of UtrMatcher,
 * OrderMatcher and BalanceChainChecker it loads its keys, with event times spread over the
 * retention less an hour and the watermark following, into the operator on Flink's keyed operator
 * harness (RocksDB, incremental checkpoints, the jobs' RocksDB settings), then takes a checkpoint.
 * It reports the events/s of the first and the last {@value #SAMPLE} events (fresh against steady
 * state), the synchronous and asynchronous parts of the checkpoint, its size, the heap used and the
 * timers held.
 *
 * <p>Run: {@code java -Xms8g -Xmx8g -XX:+AlwaysPreTouch -cp bench/target/riskstream-bench.jar
 * io.riskstream.bench.Soak} (bench/README.md, "Soak").
 */
@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    description =
        "The keyed state at a 30-day steady state: throughput, checkpoint sync/async, heap.")
public final class Soak implements Callable<Integer> {
  static final int SAMPLE = 100_000;
  private static final Instant START = Instant.parse("2026-10-01T00:00:00Z");
  private static final BigDecimal AMOUNT = new BigDecimal("2500.00");

  @Option(names = "--utrs", description = "Open UTRs (UtrMatcher; default ${DEFAULT-VALUE}).")
  long utrs = 5_000_000;

  @Option(names = "--orders", description = "Open orders (OrderMatcher; default ${DEFAULT-VALUE}).")
  long orders = 1_000_000;

  @Option(
      names = "--accounts",
      description = "Open accounts (BalanceChainChecker; default ${DEFAULT-VALUE}).")
  long accounts = 100_000;

  @Option(
      names = "--lines-per-account",
      description = "Ledger lines per account over the month (default ${DEFAULT-VALUE}).")
  int linesPerAccount = 10;

  @Option(
      names = "--timers",
      description =
          "Where timers live: rocksdb (as the jobs run) or heap (default ${DEFAULT-VALUE}).")
  String timers = "rocksdb";

  @Option(
      names = "--slot-memory",
      description =
          "RocksDB memory of the operator's slot, as a TaskManager's managed memory bounds it"
              + " (write buffers and block cache), e.g. 256mb; 'unbounded' for RocksDB's own"
              + " per-column-family defaults (default ${DEFAULT-VALUE}).")
  String slotMemory = "256mb";

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "A Flink state.backend.rocksdb.* setting on top of the jobs', to compare tunings at steady"
              + " state: --set state.backend.rocksdb.use-bloom-filter=true (repeatable).")
  List<String> sets = new ArrayList<>();

  @Option(
      names = "--results",
      description = "Also write the figures as a section of this file, e.g. bench/RESULTS.md.")
  Path results;

  @Spec CommandSpec spec;

  private final PrintStream out;

  Soak(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new Soak(System.out)).execute(args));
  }

  /** What one operator's soak measured. */
  record Figures(
      String state,
      long keys,
      long events,
      double freshEventsPerSecond,
      double steadyEventsPerSecond,
      long timers,
      double syncMillis,
      double asyncMillis,
      long checkpointBytes,
      long heapBytes) {}

  /** Feeds the events of step {@code i} at event time {@code time}. */
  @FunctionalInterface
  private interface Step {
    void feed(long i, long time) throws Exception;
  }

  @Override
  public Integer call() throws Exception {
    if (!timers.equals("heap") && !timers.equals("rocksdb")) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--timers must be heap or rocksdb, was " + timers);
    }
    for (String set : sets) {
      // Only RocksDB's settings reach the operator harness: anything else would do nothing.
      if (!set.matches("state\\.backend\\.rocksdb\\.[^=]+=.+")) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--set takes state.backend.rocksdb.KEY=VALUE (e.g."
                + " state.backend.rocksdb.use-bloom-filter=true), was "
                + set);
      }
    }
    String setup =
        String.format(
            Locale.ROOT,
            "%,d UTRs, %,d orders, %,d accounts (%d lines each); timers on %s; RocksDB memory per"
                + " slot %s%s; %s, %d cores",
            utrs,
            orders,
            accounts,
            linesPerAccount,
            timers,
            slotMemory,
            sets.isEmpty() ? "" : "; " + String.join(", ", sets),
            Instant.now().truncatedTo(ChronoUnit.SECONDS),
            Runtime.getRuntime().availableProcessors());
    FixedHeap.warnUnlessHeld(out);
    out.println(setup);
    StringBuilder table =
        new StringBuilder(
            "| state | open keys | events | events/s, first 100,000 | events/s, last 100,000 |"
                + " steady / fresh | timers | checkpoint sync | async | size | per key | heap |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Figures f : run()) {
      String row =
          String.format(
              Locale.ROOT,
              "| %s | %,d | %,d | %,.0f | %,.0f | %.2f | %,d | %,.0f ms | %,.0f ms | %,d MB | %,d B"
                  + " | %,d MB |",
              f.state(),
              f.keys(),
              f.events(),
              f.freshEventsPerSecond(),
              f.steadyEventsPerSecond(),
              f.steadyEventsPerSecond() / f.freshEventsPerSecond(),
              f.timers(),
              f.syncMillis(),
              f.asyncMillis(),
              f.checkpointBytes() >> 20,
              f.checkpointBytes() / Math.max(1, f.keys()),
              f.heapBytes() >> 20);
      out.println(row);
      table.append(row).append('\n');
    }
    if (results != null) {
      ResultsSection.write(
          results,
          "soak, timers on " + timers + ", " + slotMemory + setFlags(),
          "## Soak: "
              + setup
              + "\n\n```\njava "
              + FixedHeap.FLAGS
              + " -cp bench/target/riskstream-bench.jar"
              + " io.riskstream.bench.Soak --timers "
              + timers
              + " --slot-memory "
              + slotMemory
              + setFlags()
              + " --results bench/RESULTS.md\n```\n\n"
              + table);
    }
    return 0;
  }

  private String setFlags() {
    StringBuilder flags = new StringBuilder();
    sets.forEach(set -> flags.append(" --set ").append(set));
    return flags.toString();
  }

  List<Figures> run() throws Exception {
    Rules rules = Rules.defaults();
    List<Figures> figures = new ArrayList<>();
    if (utrs > 0) {
      var harness =
          new KeyedTwoInputStreamOperatorTestHarness<String, Payment, Bill, Alert>(
              new KeyedCoProcessOperator<>(new UtrMatcher(rules)),
              Payment::getUtr,
              Bill::getUtr,
              Types.STRING);
      figures.add(
          soak(
              "UtrMatcher (by UTR)",
              harness,
              utrs,
              utrs,
              2,
              rules.utrRetention(),
              rules.matchWindow(),
              (i, time) -> {
                harness.processElement1(
                    new StreamRecord<>(claim(i, PaymentStatus.PAID, time), time));
                harness.processElement2(new StreamRecord<>(bill(i, time + 1_000), time + 1_000));
              },
              harness::processBothWatermarks));
    }
    if (orders > 0) {
      var harness =
          new KeyedTwoInputStreamOperatorTestHarness<String, Payment, BalanceChange, Alert>(
              new KeyedCoProcessOperator<>(new OrderMatcher(rules)),
              Payment::getOrderNo,
              BalanceChange::getOrderNo,
              Types.STRING);
      BigDecimal[] balances = new BigDecimal[(int) Math.max(1, accounts)];
      figures.add(
          soak(
              "OrderMatcher (by order)",
              harness,
              orders,
              orders,
              2,
              rules.orderRetention(),
              rules.matchWindow(),
              (i, time) -> {
                harness.processElement1(
                    new StreamRecord<>(claim(i, PaymentStatus.SUCCESS, time), time));
                harness.processElement2(
                    new StreamRecord<>(ledgerLine(i, balances, time + 1_000), time + 1_000));
              },
              harness::processBothWatermarks));
    }
    if (accounts > 0) {
      var harness =
          new KeyedOneInputStreamOperatorTestHarness<String, BalanceChange, Alert>(
              new KeyedProcessOperator<>(new BalanceChainChecker(rules)),
              BalanceChange::getAccountId,
              Types.STRING);
      BigDecimal[] balances = new BigDecimal[(int) accounts];
      figures.add(
          soak(
              "BalanceChainChecker (by account)",
              harness,
              accounts,
              accounts * linesPerAccount,
              1,
              rules.accountRetention(),
              Duration.ZERO,
              (i, time) ->
                  harness.processElement(new StreamRecord<>(ledgerLine(i, balances, time), time)),
              harness::processWatermark));
    }
    return figures;
  }

  /** Watermark-driven harnesses: the one-input and two-input harness name it differently. */
  @FunctionalInterface
  private interface WatermarkInput {
    void advance(Watermark watermark) throws Exception;
  }

  /**
   * Loads {@code steps} steps of {@code eventsPerStep} events each, spread over the retention less
   * an hour so that the last decisions are taken before the first key expires (every key is open
   * when the checkpoint is taken), then checkpoints.
   */
  private Figures soak(
      String state,
      AbstractStreamOperatorTestHarness<Alert> harness,
      long keys,
      long steps,
      int eventsPerStep,
      Duration retention,
      Duration decidedAfter,
      Step step,
      WatermarkInput watermark)
      throws Exception {
    Path dir = Files.createTempDirectory("riskstream-soak");
    harness.setStateBackend(
        new EmbeddedRocksDBStateBackend().configure(rocksdb(dir), getClass().getClassLoader()));
    harness.open();
    try {
      long events = eventsPerStep * steps;
      long sample = Math.min(SAMPLE, events / 4);
      long spacing = Math.max(1, retention.minusHours(1).toMillis() / steps);
      long began = System.nanoTime();
      long sampleStart = began;
      double fresh = 0;
      for (long i = 0; i < steps; i++) {
        long time = START.toEpochMilli() + i * spacing;
        step.feed(i, time);
        if (i % 500 == 0) {
          watermark.advance(new Watermark(time - 60_000));
          harness.getOutput().clear();
        }
        long done = eventsPerStep * (i + 1);
        if (done == sample) {
          fresh = sample / seconds(System.nanoTime() - sampleStart);
        }
        if (done == events - sample) {
          sampleStart = System.nanoTime();
        }
        if (i > 0 && i % Math.max(1, steps / 10) == 0) {
          out.printf(
              Locale.ROOT,
              "  %s: %,d of %,d steps (%.0f s)%n",
              state,
              i,
              steps,
              seconds(System.nanoTime() - began));
        }
      }
      double steady = sample / seconds(System.nanoTime() - sampleStart);
      // Every key's decisions are taken: the watermark passes the last one's window.
      watermark.advance(
          new Watermark(
              START.toEpochMilli() + steps * spacing + decidedAfter.plusMinutes(2).toMillis()));
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
      return new Figures(
          state, keys, events, fresh, steady, timerCount, sync / 1e6, async / 1e6, bytes, heap);
    } finally {
      harness.close();
    }
  }

  /** The jobs' RocksDB settings, with the slot's memory bound as a TaskManager would set it. */
  Configuration rocksdb(Path dir) {
    Configuration rocksdb = new Configuration();
    rocksdb.setString("execution.checkpointing.incremental", "true");
    rocksdb.setString("state.backend.rocksdb.localdir", dir.resolve("db").toString());
    RiskstreamConfig.withRiskstreamDefaults(rocksdb);
    rocksdb.setString(
        "state.backend.rocksdb.timer-service.factory", timers.equals("heap") ? "HEAP" : "ROCKSDB");
    if (slotMemory.equals("unbounded")) {
      rocksdb.setString("state.backend.rocksdb.memory.managed", "false");
    } else {
      // The harness has no TaskManager memory to manage: a fixed budget per slot is what managed
      // memory amounts to.
      rocksdb.setString("state.backend.rocksdb.memory.fixed-per-slot", slotMemory);
    }
    for (String set : sets) {
      rocksdb.setString(set.substring(0, set.indexOf('=')), set.substring(set.indexOf('=') + 1));
    }
    return rocksdb;
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

  private static Payment claim(long i, PaymentStatus status, long time) {
    return Payment.newBuilder()
        .setEventId("PE-" + i)
        .setOrderNo("O-" + i)
        .setMerchantId("M-" + (i % 12))
        .setCwid("CW-" + (i % 40))
        .setUserId("U-" + (i % 5_000))
        .setKind(PaymentKind.COLLECT)
        .setStatus(status)
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

  /** The payment line of order {@code i}, chained on its account's balance. */
  private static BalanceChange ledgerLine(long i, BigDecimal[] balances, long time) {
    int account = (int) (i % balances.length);
    BigDecimal opening =
        balances[account] == null ? BigDecimal.ZERO.setScale(2) : balances[account];
    balances[account] = opening.add(AMOUNT);
    return BalanceChange.newBuilder()
        .setLogId("L-" + i)
        .setAccountId("A-" + account)
        .setOrderNo("O-" + i)
        .setTypeCode(323)
        .setAmount(AMOUNT)
        .setOpeningBalance(opening)
        .setClosingBalance(balances[account])
        .setState(LedgerState.SUCCESS)
        .setEventTime(Instant.ofEpochMilli(time))
        .build();
  }
}
