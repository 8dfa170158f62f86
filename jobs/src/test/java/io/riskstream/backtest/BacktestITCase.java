package io.riskstream.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.detect.Reason;
import io.riskstream.detect.RuleBook;
import io.riskstream.generate.Label;
import io.riskstream.generate.Traffic;
import io.riskstream.generate.TrafficGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The detection workflow over generated history: it must find every injected case and nothing else.
 */
class BacktestITCase {
  private static final Duration DISORDER = Duration.ofMinutes(1);
  private static Traffic traffic;

  @BeforeAll
  static void generate() {
    traffic =
        TrafficGenerator.generate(
            new TrafficGenerator.Settings(
                20_000, 1, 0.02, TrafficGenerator.Settings.DEFAULT_START));
  }

  private static Backtest.Inputs inputs(Traffic t) {
    return new Backtest.Inputs(t.payments(), t.bills(), t.balanceChanges());
  }

  @Test
  void shouldFindEveryLabelAndNothingElse() throws Exception {
    List<Alert> alerts = Backtest.run(inputs(traffic), RuleBook.defaults(), 2, DISORDER);

    GroundTruth truth = GroundTruth.compare(alerts, traffic.labels());
    assertThat(truth.missed()).as("labels without an alert").isEmpty();
    assertThat(truth.unlabelled()).as("alerts without a label").isEmpty();
    assertThat(alerts).extracting(Label::of).containsExactlyInAnyOrderElementsOf(traffic.labels());
    assertThat(alerts).extracting(Alert::getAlertId).doesNotHaveDuplicates();
    assertThat(traffic.labels().stream().map(Label::reason).distinct())
        .hasSize(Reason.values().length);
  }

  @Test
  void aComparisonInOnePassAddsAndRemovesExactlyWhatTwoSeparateBacktestsDiffer(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("after.yaml");
    java.nio.file.Files.writeString(
        file,
        """
        rules:
          large-amount: {version: 2, limit: 50000.00}
          ip-burst: {version: 2, distinct-payers: 6}
          status-mismatch: {enabled: false}
        """);
    RuleBook after = RuleBook.of(file);

    Backtest.Comparison both =
        Backtest.compare(inputs(traffic), RuleBook.defaults(), after, 2, DISORDER);
    RuleComparison comparison = RuleComparison.of(both.before(), both.after());
    Set<String> a = ids(Backtest.run(inputs(traffic), RuleBook.defaults(), 2, DISORDER));
    Set<String> b = ids(Backtest.run(inputs(traffic), after, 2, DISORDER));

    assertThat(ids(both.before())).isEqualTo(a);
    assertThat(ids(both.after())).isEqualTo(b);
    assertThat(ids(comparison.added())).isEqualTo(difference(b, a)).isNotEmpty();
    assertThat(ids(comparison.removed())).isEqualTo(difference(a, b)).isNotEmpty();
    assertThat(comparison.removed())
        .as("the switched-off rule's alerts are gone, and fewer IPs reach six payers")
        .extracting(Alert::getType)
        .map(Enum::name)
        .contains("STATUS_MISMATCH", "IP_BURST");
    assertThat(comparison.added())
        .as(
            "amounts over the lower limit; and a burst of six or more payers, now proved by six:"
                + " other evidence, another alert")
        .extracting(Alert::getReason)
        .containsOnly("PAYMENT_OVER_LIMIT", "LEDGER_OVER_LIMIT", "DISTINCT_ACCOUNTS");
  }

  private static Set<String> difference(Set<String> from, Set<String> without) {
    Set<String> rest = new java.util.HashSet<>(from);
    rest.removeAll(without);
    return rest;
  }

  @Test
  void shouldGiveTheSameAlertIdsAtAnyParallelismAndInterleavingWithinTheBound() throws Exception {
    SplittableRandom random = new SplittableRandom(42);
    Traffic shuffled =
        new Traffic(
            shuffleWithinBound(traffic.payments(), p -> p.getEventTime(), random),
            shuffleWithinBound(traffic.bills(), b -> b.getEventTime(), random),
            shuffleWithinBound(traffic.balanceChanges(), c -> c.getEventTime(), random),
            traffic.labels());
    assertThat(shuffled.payments()).isNotEqualTo(traffic.payments());

    Set<String> atOne = ids(Backtest.run(inputs(traffic), RuleBook.defaults(), 1, DISORDER));
    Set<String> atTwo = ids(Backtest.run(inputs(shuffled), RuleBook.defaults(), 2, DISORDER));
    Set<String> atFour = ids(Backtest.run(inputs(shuffled), RuleBook.defaults(), 4, DISORDER));

    assertThat(atOne).hasSize(traffic.labels().size());
    assertThat(atTwo).isEqualTo(atOne);
    assertThat(atFour).isEqualTo(atOne);
  }

  /**
   * The jobs run with {@code pipeline.object-reuse}: chained operators pass one record instance
   * along instead of a copy each, and the payments chain hands the same instance to three branches.
   * An operator that mutated its input, or kept it and read it later, would change what the others
   * see: the alerts, field by field, would differ from a run that copies.
   */
  @Test
  void shouldRaiseTheSameAlertsWithObjectReuseAsWithCopies() throws Exception {
    List<Alert> copied =
        Backtest.run(env(false, "rocksdb"), inputs(traffic), RuleBook.defaults(), DISORDER);
    List<Alert> reused =
        Backtest.run(env(true, "hashmap"), inputs(traffic), RuleBook.defaults(), DISORDER);

    assertThat(copied).hasSize(traffic.labels().size());
    assertThat(withoutDetectionTime(reused)).isEqualTo(withoutDetectionTime(copied));
  }

  private static StreamExecutionEnvironment env(boolean objectReuse, String backend) {
    Configuration config = new Configuration();
    config.setString("state.backend.type", backend);
    RiskstreamConfig.withRiskstreamDefaults(config);
    config.setString("pipeline.object-reuse", String.valueOf(objectReuse));
    // Parallelism 1, as the backtest's sources have: the filters chain to them as in the live job.
    return StreamExecutionEnvironment.createLocalEnvironment(1, config);
  }

  private static List<Alert> withoutDetectionTime(List<Alert> alerts) {
    return alerts.stream()
        .map(a -> Alert.newBuilder(a).setDetectedAt(Instant.EPOCH).build())
        .toList();
  }

  /**
   * Reorders events as a real feed may: each is delayed by less than the disorder bound, so that
   * none becomes late.
   */
  private static <T> List<T> shuffleWithinBound(
      List<T> events, Function<T, Instant> time, SplittableRandom random) {
    record Delayed<T>(T event, long emittedAt) {}
    List<Delayed<T>> delayed = new ArrayList<>();
    for (T event : events) {
      delayed.add(
          new Delayed<>(
              event, time.apply(event).toEpochMilli() + random.nextLong(DISORDER.toMillis())));
    }
    delayed.sort(Comparator.comparingLong(Delayed::emittedAt));
    return delayed.stream().map(Delayed::event).toList();
  }

  private static Set<String> ids(List<Alert> alerts) {
    return alerts.stream().map(Alert::getAlertId).collect(Collectors.toSet());
  }
}
