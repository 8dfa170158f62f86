package io.riskstream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** A source subtask's watermark survives a restore, and never runs ahead of a split it may get. */
class RestoredWatermarkTest {
  private static final int MAX_PARALLELISM = 128;

  @Test
  void restoredAtTheSameParallelismEachSubtaskSendsItsOwnWatermarkBeforeAnyRecord()
      throws Exception {
    OperatorSubtaskState both = checkpointOf(2, 50_000L, 90_000L);

    for (int subtask = 0; subtask < 2; subtask++) {
      try (var harness = restored(both, 2, 2, subtask)) {
        harness.setProcessingTime(1);
        assertThat(harness.getOutput())
            .containsExactly(new Watermark(subtask == 0 ? 50_000L : 90_000L));
      }
    }
  }

  @Test
  void aLowerWatermarkFromTheRestoredSourceIsHeldAndAHigherOnePassed() throws Exception {
    try (var harness = restored(checkpointOf(2, 50_000L, 90_000L), 2, 2, 0)) {
      harness.setProcessingTime(1);
      harness.processWatermark(10_000L);
      harness.processElement(new StreamRecord<>("late by the old watermark", 9_000L));
      harness.processWatermark(60_000L);

      assertThat(harness.getOutput())
          .containsExactly(
              new Watermark(50_000L),
              new StreamRecord<>("late by the old watermark", 9_000L),
              new Watermark(60_000L));
    }
  }

  @Test
  void aSourceWatermarkBeforeTheTimerMakesItsOwnWayAndTheRestoredOneStillComes() throws Exception {
    try (var harness = restored(checkpointOf(2, 50_000L, 90_000L), 2, 2, 1)) {
      harness.processWatermark(95_000L);
      harness.setProcessingTime(1);

      assertThat(harness.getOutput()).containsExactly(new Watermark(95_000L));
    }
  }

  @Test
  void restoredAtAnotherParallelismEverySubtaskStartsFromTheLeastOfAll() throws Exception {
    OperatorSubtaskState both = checkpointOf(2, 50_000L, 90_000L);

    for (int subtask = 0; subtask < 3; subtask++) {
      try (var harness = restored(both, 2, 3, subtask)) {
        harness.setProcessingTime(1);
        assertThat(harness.getOutput()).containsExactly(new Watermark(50_000L));
      }
    }
  }

  @Test
  void aSubtaskThatHadNoWatermarkHoldsEveryOtherBackAfterARescale() throws Exception {
    OperatorSubtaskState both = checkpointOf(2, null, 90_000L);

    try (var harness = restored(both, 2, 1, 0)) {
      harness.setProcessingTime(1);
      assertThat(harness.getOutput()).isEmpty();
    }
  }

  @Test
  void theEndOfTimeIsPassedOnButNeverRestored() throws Exception {
    OperatorSubtaskState drained;
    try (var harness = harness(1, 0)) {
      harness.open();
      harness.processWatermark(70_000L);
      harness.processWatermark(Long.MAX_VALUE);
      assertThat(harness.getOutput())
          .containsExactly(new Watermark(70_000L), new Watermark(Long.MAX_VALUE));
      drained = harness.snapshot(1, 1);
    }

    try (var harness = restored(drained, 1, 1, 0)) {
      harness.setProcessingTime(1);
      assertThat(harness.getOutput()).isEmpty();
    }
  }

  @Test
  void idlenessIsPassedOn() throws Exception {
    try (var harness = restored(checkpointOf(2, 50_000L, 90_000L), 2, 2, 0)) {
      harness.setProcessingTime(1);
      harness.processWatermarkStatus(WatermarkStatus.IDLE);
      harness.processWatermarkStatus(WatermarkStatus.ACTIVE);

      assertThat(harness.getOutput())
          .containsExactly(new Watermark(50_000L), WatermarkStatus.IDLE, WatermarkStatus.ACTIVE);
    }
  }

  /** A checkpoint of {@code parallelism} subtasks that had passed these watermarks (null: none). */
  private static OperatorSubtaskState checkpointOf(int parallelism, Long... watermarks)
      throws Exception {
    OperatorSubtaskState[] states = new OperatorSubtaskState[parallelism];
    for (int subtask = 0; subtask < parallelism; subtask++) {
      try (var harness = harness(parallelism, subtask)) {
        harness.open();
        if (watermarks[subtask] != null) {
          harness.processWatermark(watermarks[subtask]);
        }
        states[subtask] = harness.snapshot(1, 1);
      }
    }
    return AbstractStreamOperatorTestHarness.repackageState(states);
  }

  private static OneInputStreamOperatorTestHarness<String, String> restored(
      OperatorSubtaskState checkpoint, int before, int after, int subtask) throws Exception {
    OneInputStreamOperatorTestHarness<String, String> harness = harness(after, subtask);
    harness.initializeState(
        AbstractStreamOperatorTestHarness.repartitionOperatorState(
            checkpoint, MAX_PARALLELISM, before, after, subtask));
    harness.open();
    return harness;
  }

  private static OneInputStreamOperatorTestHarness<String, String> harness(
      int parallelism, int subtask) throws Exception {
    return new OneInputStreamOperatorTestHarness<>(
        new RestoredWatermark<>(), MAX_PARALLELISM, parallelism, subtask);
  }
}
