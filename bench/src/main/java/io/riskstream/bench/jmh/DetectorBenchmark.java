package io.riskstream.bench.jmh;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.LedgerState;
import io.riskstream.avro.Payment;
import io.riskstream.avro.RuleUpdate;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.detect.BalanceChainChecker;
import io.riskstream.detect.DetectorOperator;
import io.riskstream.detect.IpBurstDetector;
import io.riskstream.detect.IpBurstRules;
import io.riskstream.detect.OrderMatcher;
import io.riskstream.detect.RuleBook;
import io.riskstream.detect.Rules;
import io.riskstream.detect.UtrMatcher;
import io.riskstream.detect.UtrRules;
import io.riskstream.detect.WithRuleUpdates;
import io.riskstream.generate.Traffic;
import io.riskstream.generate.TrafficGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.types.Either;
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
 * Each detector's cost per event: the first {@value #EVENTS} events of generated traffic that reach
 * it, in event-time order, through Flink's keyed operator harness with the state backend under
 * test, the watermark following the events at the disorder bound (so every timer fires, as in a
 * live run), then passing every key's retention. A fresh operator per invocation; its set-up is not
 * timed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class DetectorBenchmark {
  static final int EVENTS = 10_000;
  private static final Duration BOUND = Duration.ofMinutes(1);

  @Param({"rocksdb", "rocksdb-heap-timers", "hashmap"})
  public String backend;

  @Param({"UtrMatcher", "OrderMatcher", "BalanceChainChecker", "IpBurstDetector"})
  public String detector;

  /**
   * How far the watermark trails the events: 0 follows each event; more is a source running ahead.
   */
  @Param({"0"})
  public long lagMinutes;

  /**
   * {@code function}: the detector alone in Flink's operator, as its unit tests run it. {@code job}
   * (the two matchers): in the operator the job runs it in, {@code DetectorOperator}, with the
   * cache of keyed values at {@value #JOB_CACHE_KEYS} keys and the expiry timers that forget a key
   * unread. A tenth of the events, so that most keys have left the cache long before their end, as
   * in a live job whose 20,000 cached keys are a small share of the keys it holds open.
   */
  @Param({"function"})
  public String operator;

  static final int JOB_CACHE_KEYS = EVENTS / 10;

  private final Rules rules = Rules.defaults();
  private List<SpecificRecord> events;
  private AbstractStreamOperatorTestHarness<Alert> harness;

  @Setup(Level.Trial)
  public void generate() {
    Traffic traffic =
        TrafficGenerator.generate(
            new TrafficGenerator.Settings(
                EVENTS * 6L, 1, 0.02, TrafficGenerator.Settings.DEFAULT_START));
    events = new ArrayList<>();
    for (Traffic.Event e : traffic.inEventTimeOrder()) {
      if (events.size() < EVENTS && reaches(e.record())) {
        events.add(e.record());
      }
    }
    if (events.size() < EVENTS) {
      throw new IllegalStateException("only " + events.size() + " events reach " + detector);
    }
  }

  /** The filters of DetectionWorkflow in front of each detector. */
  private boolean reaches(SpecificRecord r) {
    return switch (detector) {
      case "UtrMatcher" -> r instanceof Bill || (r instanceof Payment p && UtrRules.isClaim(p));
      case "OrderMatcher" ->
          r instanceof Payment
              || (r instanceof BalanceChange c
                  && c.getState() == LedgerState.SUCCESS
                  && c.getOrderNo() != null
                  && !c.getOrderNo().isEmpty());
      case "BalanceChainChecker" ->
          r instanceof BalanceChange c && c.getState() == LedgerState.SUCCESS;
      case "IpBurstDetector" -> r instanceof Payment p && IpBurstRules.counts(p);
      default -> throw new IllegalArgumentException(detector);
    };
  }

  @Setup(Level.Invocation)
  public void open() throws Exception {
    harness = operator.equals("job") ? inItsOperator() : alone();
    harness.setStateBackend(stateBackend());
    harness.open();
    if (harness instanceof KeyedBroadcastOperatorTestHarness<?, ?, ?, ?> job) {
      job.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE); // no rule updates
    }
  }

  /** The two matchers as the job runs them: their inputs as one stream of Either. */
  private AbstractStreamOperatorTestHarness<Alert> inItsOperator() throws Exception {
    RuleBook book = RuleBook.defaults();
    return switch (detector) {
      case "UtrMatcher" ->
          new KeyedBroadcastOperatorTestHarness<String, Either<Payment, Bill>, RuleUpdate, Alert>(
              new DetectorOperator<>(
                  WithRuleUpdates.of(new UtrMatcher(book.view()), book), JOB_CACHE_KEYS, null),
              e -> e.isLeft() ? e.left().getUtr() : e.right().getUtr(),
              Types.STRING,
              1,
              1,
              0);
      case "OrderMatcher" ->
          new KeyedBroadcastOperatorTestHarness<
              String, Either<Payment, BalanceChange>, RuleUpdate, Alert>(
              new DetectorOperator<>(
                  WithRuleUpdates.of(new OrderMatcher(book.view()), book), JOB_CACHE_KEYS, null),
              e -> e.isLeft() ? e.left().getOrderNo() : e.right().getOrderNo(),
              Types.STRING,
              1,
              1,
              0);
      default -> throw new IllegalArgumentException("operator=job is for the two matchers");
    };
  }

  private AbstractStreamOperatorTestHarness<Alert> alone() throws Exception {
    return switch (detector) {
      case "UtrMatcher" ->
          new KeyedTwoInputStreamOperatorTestHarness<>(
              new KeyedCoProcessOperator<>(new UtrMatcher(rules)),
              Payment::getUtr,
              Bill::getUtr,
              Types.STRING);
      case "OrderMatcher" ->
          new KeyedTwoInputStreamOperatorTestHarness<>(
              new KeyedCoProcessOperator<>(new OrderMatcher(rules)),
              Payment::getOrderNo,
              BalanceChange::getOrderNo,
              Types.STRING);
      case "BalanceChainChecker" ->
          new KeyedOneInputStreamOperatorTestHarness<>(
              new KeyedProcessOperator<>(new BalanceChainChecker(rules)),
              BalanceChange::getAccountId,
              Types.STRING);
      default ->
          new KeyedOneInputStreamOperatorTestHarness<>(
              new KeyedProcessOperator<>(new IpBurstDetector(rules)), Payment::getIp, Types.STRING);
    };
  }

  /**
   * RocksDB with its own memory (64 MB write buffers, its default caches) rather than the harness's
   * few megabytes of managed memory: starved, RocksDB flushes and re-reads index blocks on every
   * access, and UtrMatcher measured about 340 µs per event instead of about 21.
   */
  private StateBackend stateBackend() {
    Configuration rocksdb = new Configuration();
    rocksdb.setString("state.backend.rocksdb.memory.managed", "false");
    return switch (backend) {
      case "rocksdb" ->
          new EmbeddedRocksDBStateBackend().configure(rocksdb, getClass().getClassLoader());
      // The jobs' settings (compression, flush threads), but timers on the heap, as the jobs ran
      // them before the soak.
      case "rocksdb-heap-timers" -> {
        Configuration heapTimers = RiskstreamConfig.withRiskstreamDefaults(rocksdb);
        heapTimers.setString("state.backend.rocksdb.timer-service.factory", "HEAP");
        yield new EmbeddedRocksDBStateBackend().configure(heapTimers, getClass().getClassLoader());
      }
      case "hashmap" -> new HashMapStateBackend();
      default -> throw new IllegalArgumentException(backend);
    };
  }

  @TearDown(Level.Invocation)
  public void close() throws Exception {
    harness.close();
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS)
  @SuppressWarnings("unchecked")
  public int process() throws Exception {
    long watermark = Long.MIN_VALUE;
    for (SpecificRecord event : events) {
      long time =
          ((Instant) event.get(event.getSchema().getField("event_time").pos())).toEpochMilli();
      StreamRecord<SpecificRecord> record = new StreamRecord<>(event, time);
      if (harness instanceof KeyedBroadcastOperatorTestHarness<?, ?, ?, ?> job) {
        ((KeyedBroadcastOperatorTestHarness<String, Object, ?, Alert>) job)
            .processElement(
                event instanceof Payment ? Either.Left(event) : Either.Right(event), time);
      } else if (harness instanceof KeyedTwoInputStreamOperatorTestHarness<?, ?, ?, ?> two) {
        var h = (KeyedTwoInputStreamOperatorTestHarness<String, Object, Object, Alert>) two;
        if (event instanceof Bill || (event instanceof BalanceChange)) {
          h.processElement2((StreamRecord<Object>) (StreamRecord<?>) record);
        } else {
          h.processElement1((StreamRecord<Object>) (StreamRecord<?>) record);
        }
      } else {
        ((KeyedOneInputStreamOperatorTestHarness<String, Object, Alert>) harness)
            .processElement((StreamRecord<Object>) (StreamRecord<?>) record);
      }
      if (time - BOUND.toMillis() - lagMinutes * 60_000 > watermark) {
        watermark = time - BOUND.toMillis() - lagMinutes * 60_000;
        advance(new Watermark(watermark));
      }
    }
    // The end of the input: every key's retention passes and it is forgotten, as each key is once
    // in a live run.
    advance(Watermark.MAX_WATERMARK);
    return harness.getOutput().size();
  }

  @SuppressWarnings("unchecked")
  private void advance(Watermark watermark) throws Exception {
    if (harness instanceof KeyedBroadcastOperatorTestHarness<?, ?, ?, ?> job) {
      job.processWatermark(watermark.getTimestamp());
    } else if (harness instanceof KeyedTwoInputStreamOperatorTestHarness<?, ?, ?, ?> two) {
      ((KeyedTwoInputStreamOperatorTestHarness<String, Object, Object, Alert>) two)
          .processBothWatermarks(watermark);
    } else {
      ((KeyedOneInputStreamOperatorTestHarness<String, Object, Alert>) harness)
          .processWatermark(watermark);
    }
  }
}
