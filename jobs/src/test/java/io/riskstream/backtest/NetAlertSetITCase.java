package io.riskstream.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertStatus;
import io.riskstream.avro.AlertType;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.Payment;
import io.riskstream.avro.RuleUpdate;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.detect.DetectionWorkflow;
import io.riskstream.detect.LateEvent;
import io.riskstream.detect.RuleBook;
import io.riskstream.generate.Traffic;
import io.riskstream.generate.TrafficGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/**
 * The spec's invariant for late data (docs/lifecycle.md): the <b>net</b> alert set (alerts minus
 * retractions) of a run whose events arrive far past the disorder bound equals the alert set of the
 * in-order backtest. Generated traffic, one in ten payments and bank lines delayed by the bound
 * plus up to an hour, all three streams in one arrival order with a watermark after every event, so
 * that "late" means exactly what the arrival order says; the detection workflow unchanged on a
 * MiniCluster with RocksDB, at parallelism 2.
 *
 * <p>IP_BURST is the exception the contract allows: IpBurstDetector counts an IP's payments in
 * event-time order and a payment behind what it has counted can no longer be placed; it goes to
 * {@code risk-late-events}, which the test checks, and the burst is proved by other payers.
 */
class NetAlertSetITCase {
  private static final Duration DISORDER = Duration.ofMinutes(1);
  private static final Duration LATE_BY_UP_TO = Duration.ofHours(1);

  private static final AvroTypeInfo<Payment> PAYMENT = new AvroTypeInfo<>(Payment.class);
  private static final AvroTypeInfo<Bill> BILL = new AvroTypeInfo<>(Bill.class);
  private static final AvroTypeInfo<BalanceChange> LINE = new AvroTypeInfo<>(BalanceChange.class);
  private static final EitherTypeInfo<Payment, Either<Bill, BalanceChange>> ARRIVAL =
      new EitherTypeInfo<>(PAYMENT, new EitherTypeInfo<>(BILL, LINE));

  @Test
  void theNetAlertSetOfLateArrivalsIsTheInOrderAlertSet() throws Exception {
    Traffic traffic =
        TrafficGenerator.generate(
            new TrafficGenerator.Settings(
                20_000, 7, 0.02, TrafficGenerator.Settings.DEFAULT_START));
    List<Alert> inOrder =
        Backtest.run(
            new Backtest.Inputs(traffic.payments(), traffic.bills(), traffic.balanceChanges()),
            RuleBook.defaults(),
            2,
            DISORDER);

    SplittableRandom random = new SplittableRandom(11);
    record Arrival(Traffic.Event event, long at, boolean late) {}
    List<Arrival> arrivals = new ArrayList<>();
    for (Traffic.Event e : traffic.inEventTimeOrder()) {
      long time = e.eventTime().toEpochMilli();
      // The ledger's lines stay within the bound: a balance chain already checked past a line
      // cannot take it back (it goes to risk-late-events), which docs/lifecycle.md says.
      boolean late = e.stream() != Traffic.Stream.BALANCE_CHANGES && random.nextInt(10) == 0;
      long delay =
          late
              ? DISORDER.toMillis() + 1 + random.nextLong(LATE_BY_UP_TO.toMillis())
              : random.nextLong(DISORDER.toMillis());
      arrivals.add(new Arrival(e, time + delay, late));
    }
    arrivals.sort(Comparator.comparingLong(Arrival::at));

    Run late =
        run(
            arrivals.stream()
                .map(a -> a.event().record())
                .map(NetAlertSetITCase::arrival)
                .toList());

    Set<String> retracted =
        late.updates().stream()
            .filter(u -> u.getStatus() == AlertStatus.RETRACTED)
            .map(AlertUpdate::getAlertId)
            .collect(Collectors.toSet());
    Set<String> net =
        late.alerts().stream()
            .filter(a -> !retracted.contains(a.getAlertId()))
            .filter(a -> a.getType() != AlertType.IP_BURST)
            .map(NetAlertSetITCase::identity)
            .collect(Collectors.toSet());
    Set<String> expected =
        inOrder.stream()
            .filter(a -> a.getType() != AlertType.IP_BURST)
            .map(NetAlertSetITCase::identity)
            .collect(Collectors.toSet());

    Map<String, Long> updates =
        late.updates().stream()
            .collect(
                Collectors.groupingBy(
                    u -> u.getStatus() + " " + u.getReason(), TreeMap::new, Collectors.counting()));
    String report =
        String.format(
            "%d events, %d delayed past the bound (%d s + up to %d min); in order: %d alerts;"
                + " late run: %d alerts, updates %s, late events %d; net without IP_BURST %d"
                + " (in order %d)%n",
            arrivals.size(),
            arrivals.stream().filter(Arrival::late).count(),
            DISORDER.toSeconds(),
            LATE_BY_UP_TO.toMinutes(),
            inOrder.size(),
            late.alerts().size(),
            updates,
            late.lateEvents().size(),
            net.size(),
            expected.size());
    Files.writeString(
        Path.of("target", "net-alert-set.txt"),
        report
            + "only in the late run's net set: "
            + difference(net, expected)
            + "\nonly in order: "
            + difference(expected, net)
            + "\n");

    assertThat(retracted).as("late evidence retracted alerts").isNotEmpty();
    assertThat(late.alerts()).extracting(Alert::getAlertId).doesNotHaveDuplicates();
    assertThat(net).as(report).isEqualTo(expected);
    assertThat(late.lateEvents())
        .as("payments IP_BURST could not count")
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.reason).startsWith("IP_BURST cannot count it"));
  }

  private static Set<String> difference(Set<String> a, Set<String> b) {
    Set<String> rest = new java.util.TreeSet<>(a);
    rest.removeAll(b);
    return rest;
  }

  private static String identity(Alert a) {
    return a.getAlertId() + " " + a.getType() + " " + a.getReason();
  }

  private static Either<Payment, Either<Bill, BalanceChange>> arrival(Object record) {
    if (record instanceof Payment p) {
      return Either.Left(p);
    }
    return Either.Right(
        record instanceof Bill b ? Either.Left(b) : Either.Right((BalanceChange) record));
  }

  private record Run(List<Alert> alerts, List<AlertUpdate> updates, List<LateEvent> lateEvents) {}

  /** The workflow over one stream in arrival order, with a watermark after every event. */
  private static Run run(List<Either<Payment, Either<Bill, BalanceChange>>> arrivals)
      throws Exception {
    Configuration config = new Configuration();
    config.setString("state.backend.type", "rocksdb");
    RiskstreamConfig.withRiskstreamDefaults(config);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, config);
    DataStream<Either<Payment, Either<Bill, BalanceChange>>> all =
        env.fromData(arrivals, ARRIVAL)
            .setParallelism(1)
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.<Either<Payment, Either<Bill, BalanceChange>>>forGenerator(
                        context -> new EveryEvent())
                    .withTimestampAssigner((e, previous) -> eventTime(e)))
            .setParallelism(1);
    DataStream<Payment> payments =
        all.filter(Either::isLeft).setParallelism(1).map(Either::left, PAYMENT).setParallelism(1);
    DataStream<Bill> bills =
        all.filter(e -> e.isRight() && e.right().isLeft())
            .setParallelism(1)
            .map(e -> e.right().left(), BILL)
            .setParallelism(1);
    DataStream<BalanceChange> lines =
        all.filter(e -> e.isRight() && e.right().isRight())
            .setParallelism(1)
            .map(e -> e.right().right(), LINE)
            .setParallelism(1);
    DataStream<RuleUpdate> none = Backtest.nothing(env, new AvroTypeInfo<>(RuleUpdate.class));
    DetectionWorkflow.Outputs out =
        DetectionWorkflow.define(
            payments, bills, lines, new DetectionWorkflow.RuleFeed(none, RuleBook.defaults()), "");
    AvroTypeInfo<Alert> alert = new AvroTypeInfo<>(Alert.class);
    AvroTypeInfo<AlertUpdate> update = new AvroTypeInfo<>(AlertUpdate.class);
    EitherTypeInfo<AlertUpdate, LateEvent> others =
        new EitherTypeInfo<>(update, TypeInformation.of(LateEvent.class));
    EitherTypeInfo<Alert, Either<AlertUpdate, LateEvent>> either =
        new EitherTypeInfo<>(alert, others);
    List<Alert> alerts = new ArrayList<>();
    List<AlertUpdate> updates = new ArrayList<>();
    List<LateEvent> lateEvents = new ArrayList<>();
    try (CloseableIterator<Either<Alert, Either<AlertUpdate, LateEvent>>> results =
        out.alerts()
            .map(Either::<Alert, Either<AlertUpdate, LateEvent>>Left, either)
            .union(
                out.updates().map(u -> Either.Right(Either.Left(u)), either),
                out.lateEvents().map(l -> Either.Right(Either.Right(l)), either))
            .executeAndCollect("net-alert-set")) {
      results.forEachRemaining(
          e -> {
            if (e.isLeft()) {
              alerts.add(e.left());
            } else if (e.right().isLeft()) {
              updates.add(e.right().left());
            } else {
              lateEvents.add(e.right().right());
            }
          });
    }
    return new Run(alerts, updates, lateEvents);
  }

  private static long eventTime(Either<Payment, Either<Bill, BalanceChange>> e) {
    if (e.isLeft()) {
      return e.left().getEventTime().toEpochMilli();
    }
    return e.right().isLeft()
        ? e.right().left().getEventTime().toEpochMilli()
        : e.right().right().getEventTime().toEpochMilli();
  }

  /** The bounded-disorder watermark, emitted after every event rather than periodically. */
  private static final class EveryEvent
      implements WatermarkGenerator<Either<Payment, Either<Bill, BalanceChange>>> {
    private long max = Long.MIN_VALUE + DISORDER.toMillis() + 1;

    @Override
    public void onEvent(
        Either<Payment, Either<Bill, BalanceChange>> event, long time, WatermarkOutput output) {
      max = Math.max(max, time);
      output.emitWatermark(new Watermark(max - DISORDER.toMillis() - 1));
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {}
  }
}
