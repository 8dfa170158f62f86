package io.riskstream.backtest;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.Payment;
import io.riskstream.avro.RuleUpdate;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.detect.DetectionWorkflow;
import io.riskstream.detect.RuleBook;
import io.riskstream.kafka.EventTimes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * The detection workflow, unchanged, over bounded inputs on a local MiniCluster: for testing rules
 * on history. The end of the input moves the watermark to the end of time, so every remaining timer
 * fires and every absence rule ("no bill within W") is decided.
 *
 * <p>The inputs are read into memory by the caller (files are at most a few million lines here;
 * their bad lines are reported with file and line). Watermarks allow the same bounded disorder as
 * the live job but no idleness: a bounded source is never idle, it is only slower, and idleness
 * would make results depend on speed.
 */
public final class Backtest {
  /** The three streams. */
  public record Inputs(
      List<Payment> payments, List<Bill> bills, List<BalanceChange> balanceChanges) {}

  private Backtest() {}

  /** The alerts, ordered by event time then alert id. */
  public static List<Alert> run(
      Inputs inputs, RuleBook rules, int parallelism, Duration maxOutOfOrderness) throws Exception {
    return run(local(parallelism), inputs, rules, maxOutOfOrderness);
  }

  /** A local cluster with RocksDB and the settings of every riskstream job. */
  private static StreamExecutionEnvironment local(int parallelism) {
    Configuration config = new Configuration();
    config.setString("state.backend.type", "rocksdb");
    RiskstreamConfig.withRiskstreamDefaults(config);
    return StreamExecutionEnvironment.createLocalEnvironment(parallelism, config);
  }

  /** The three inputs as streams with event time, read once. */
  private record Streams(
      DataStream<Payment> payments, DataStream<Bill> bills, DataStream<BalanceChange> lines) {
    static Streams of(StreamExecutionEnvironment env, Inputs inputs, Duration disorder) {
      return new Streams(
          source(env, inputs.payments(), Payment.class, EventTimes.PAYMENT, disorder, "payments"),
          source(env, inputs.bills(), Bill.class, EventTimes.BILL, disorder, "bills"),
          source(
              env,
              inputs.balanceChanges(),
              BalanceChange.class,
              EventTimes.BALANCE_CHANGE,
              disorder,
              "balance-changes"));
    }

    /** The workflow with {@code rules}: its versions are all known before the first event. */
    DetectionWorkflow.Outputs detect(RuleBook rules, String variant) {
      DataStream<RuleUpdate> none =
          nothing(payments.getExecutionEnvironment(), new AvroTypeInfo<>(RuleUpdate.class));
      return DetectionWorkflow.define(
          payments, bills, lines, new DetectionWorkflow.RuleFeed(none, rules), variant);
    }
  }

  /** The alerts of a run on {@code env} (a test's cluster, say), ordered as above. */
  public static List<Alert> run(
      StreamExecutionEnvironment env, Inputs inputs, RuleBook rules, Duration maxOutOfOrderness)
      throws Exception {
    DataStream<Alert> alerts =
        Streams.of(env, inputs, maxOutOfOrderness).detect(rules, "").alerts();
    List<Alert> out = new ArrayList<>();
    try (CloseableIterator<Alert> results = alerts.executeAndCollect("riskstream-backtest")) {
      results.forEachRemaining(out::add);
    }
    out.sort(Comparator.comparing(Alert::getEventTime).thenComparing(Alert::getAlertId));
    return out;
  }

  /** The alerts of two rule sets over the same history, each ordered as {@link #run}'s. */
  public record Comparison(List<Alert> before, List<Alert> after) {}

  /**
   * Both rule sets over the same history in one pass: the inputs are read once and feed two
   * detection graphs side by side, so the two alert sets differ only by the rules.
   */
  public static Comparison compare(
      Inputs inputs, RuleBook before, RuleBook after, int parallelism, Duration maxOutOfOrderness)
      throws Exception {
    Streams streams = Streams.of(local(parallelism), inputs, maxOutOfOrderness);
    AvroTypeInfo<Alert> alert = new AvroTypeInfo<>(Alert.class);
    EitherTypeInfo<Alert, Alert> either = new EitherTypeInfo<>(alert, alert);
    DataStream<Either<Alert, Alert>> a =
        streams
            .detect(before, " A")
            .alerts()
            .map(Either::<Alert, Alert>Left, either)
            .name("rules A");
    DataStream<Either<Alert, Alert>> b =
        streams
            .detect(after, " B")
            .alerts()
            .map(Either::<Alert, Alert>Right, either)
            .name("rules B");
    List<Alert> inBefore = new ArrayList<>();
    List<Alert> inAfter = new ArrayList<>();
    try (CloseableIterator<Either<Alert, Alert>> results =
        a.union(b).executeAndCollect("riskstream-backtest-compare")) {
      results.forEachRemaining(
          e -> (e.isLeft() ? inBefore : inAfter).add(e.isLeft() ? e.left() : e.right()));
    }
    Comparator<Alert> order =
        Comparator.comparing(Alert::getEventTime).thenComparing(Alert::getAlertId);
    inBefore.sort(order);
    inAfter.sort(order);
    return new Comparison(inBefore, inAfter);
  }

  private static <T extends SpecificRecordBase> DataStream<T> source(
      StreamExecutionEnvironment env,
      List<T> events,
      Class<T> type,
      SerializableTimestampAssigner<T> eventTime,
      Duration maxOutOfOrderness,
      String name) {
    WatermarkStrategy<T> watermarks =
        WatermarkStrategy.<T>forBoundedOutOfOrderness(maxOutOfOrderness)
            .withTimestampAssigner(eventTime);
    // One reader per file keeps the file's order, which the disorder bound is about.
    return (events.isEmpty()
            ? nothing(env, new AvroTypeInfo<>(type))
            : env.fromData(events, new AvroTypeInfo<>(type)))
        .setParallelism(1)
        .name(name)
        .assignTimestampsAndWatermarks(watermarks)
        .setParallelism(1)
        .name(name + " (event time)");
  }

  /**
   * A bounded stream of no {@code T}: Flink 2.2's {@code fromData} of an empty collection still
   * asks its generator for element 0 and fails the job.
   */
  public static <T> SingleOutputStreamOperator<T> nothing(
      StreamExecutionEnvironment env, TypeInformation<T> type) {
    return env.fromData(0L).flatMap((Long ignored, Collector<T> none) -> {}, type);
  }
}
