package io.riskstream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.ManualClock;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Idleness only once Kafka says the partition has nothing left to read. */
class IdleWhenCaughtUpTest {
  private static final Duration IDLENESS = Duration.ofSeconds(30);
  private static final TopicPartition BILLS_0 = new TopicPartition("bills", 0);

  private final ManualClock clock = new ManualClock();
  private final Output output = new Output();
  private final List<String> asked = new ArrayList<>();
  private boolean unread;

  private final IdleWhenCaughtUp<String> generator =
      new IdleWhenCaughtUp<>(
          new BoundedOutOfOrdernessWatermarks<>(Duration.ofMinutes(1)),
          IDLENESS,
          Duration.ofMinutes(1),
          clock,
          (partition, next) -> {
            asked.add(partition + "@" + next);
            return unread;
          });

  @Test
  void aSlowPartitionWithRecordsLeftStaysActiveAndHoldsTheWatermark() {
    read(41, 600_000);
    unread = true;

    pass(IDLENESS.plusSeconds(1));

    assertThat(asked).containsExactly("bills-0@42");
    assertThat(output.idle).isFalse();
    assertThat(output.watermarks).last().isEqualTo(600_000L - 60_000 - 1);
  }

  @Test
  void aPartitionWithNothingLeftGoesIdle() {
    read(41, 600_000);
    unread = false;

    pass(IDLENESS.plusSeconds(1));

    assertThat(asked).containsExactly("bills-0@42");
    assertThat(output.idle).isTrue();
  }

  @Test
  void kafkaIsAskedOncePerIdlenessTimeoutAndNotBeforeIt() {
    read(7, 600_000);
    unread = true;

    pass(IDLENESS.minusSeconds(1));
    assertThat(asked).isEmpty();

    pass(IDLENESS);
    assertThat(asked).containsExactly("bills-0@8");
    assertThat(output.idle).isFalse();

    // The backlog drained meanwhile: the next check, one timeout after the last, lets it go idle.
    unread = false;
    pass(Duration.ofSeconds(2));
    assertThat(asked).containsExactly("bills-0@8", "bills-0@8");
    assertThat(output.idle).isTrue();
  }

  @Test
  void aRecordAfterIdlenessMakesThePartitionActiveAgain() {
    read(1, 600_000);
    pass(IDLENESS.plusSeconds(1));
    assertThat(output.idle).isTrue();

    read(2, 700_000);
    pass(Duration.ofSeconds(1));

    assertThat(output.idle).isFalse();
    assertThat(output.watermarks).last().isEqualTo(700_000L - 60_000 - 1);
  }

  @Test
  void aSplitThatNeverReadARecordGoesIdleByTheClockAfterAMinute() {
    pass(IDLENESS.plusSeconds(1));
    assertThat(output.idle).as("quiet for longer than the idleness timeout").isFalse();

    pass(Duration.ofSeconds(29));
    assertThat(asked).isEmpty();
    assertThat(output.idle).as("a minute after its start").isTrue();
  }

  private void read(long offset, long eventTime) {
    ReadPosition.set("bills", 0, offset);
    generator.onEvent("bill", eventTime, output);
  }

  /** Time passing as in Flink: the periodic emit every 200 ms. */
  private void pass(Duration time) {
    for (long t = 0; t < time.toMillis(); t += 200) {
      clock.advanceTime(Duration.ofMillis(200));
      generator.onPeriodicEmit(output);
    }
  }

  private static final class Output implements WatermarkOutput {
    final List<Long> watermarks = new ArrayList<>();
    boolean idle;

    @Override
    public void emitWatermark(Watermark watermark) {
      watermarks.add(watermark.getTimestamp());
      idle = false;
    }

    @Override
    public void markIdle() {
      idle = true;
    }

    @Override
    public void markActive() {
      idle = false;
    }
  }
}
