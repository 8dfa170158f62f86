package io.riskstream.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.detect.Rules;
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
    List<Alert> alerts = Backtest.run(inputs(traffic), Rules.defaults(), 2, DISORDER);

    GroundTruth truth = GroundTruth.compare(alerts, traffic.labels());
    assertThat(truth.missed()).as("labels without an alert").isEmpty();
    assertThat(truth.unlabelled()).as("alerts without a label").isEmpty();
    assertThat(alerts).extracting(Label::of).containsExactlyInAnyOrderElementsOf(traffic.labels());
    assertThat(alerts).extracting(Alert::getAlertId).doesNotHaveDuplicates();
    assertThat(traffic.labels().stream().map(Label::reason).distinct()).hasSize(14);
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

    Set<String> atOne = ids(Backtest.run(inputs(traffic), Rules.defaults(), 1, DISORDER));
    Set<String> atTwo = ids(Backtest.run(inputs(shuffled), Rules.defaults(), 2, DISORDER));
    Set<String> atFour = ids(Backtest.run(inputs(shuffled), Rules.defaults(), 4, DISORDER));

    assertThat(atOne).hasSize(traffic.labels().size());
    assertThat(atTwo).isEqualTo(atOne);
    assertThat(atFour).isEqualTo(atOne);
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
