package io.riskstream.kafka;

import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Carries a source subtask's watermark across a restore; chained right after the source.
 *
 * <p>Why this exists: Flink checkpoints no watermark. A restored source starts from none and
 * rebuilds it from the records it reads next, so a partition read to its end before the checkpoint
 * counts for nothing after it: the decisions it had allowed wait until it goes idle, and for ever
 * when every partition is quiet. The fault suite lost 5 of 396 alerts that way: a TaskManager died
 * after the last records were read, and nothing moved the watermark again. Neither the Kafka
 * source's split state nor a watermark generator can hold it, so this operator snapshots the
 * watermark it has passed on and, restored at the same parallelism, sends it again first. That is
 * the watermark the subtask had announced for exactly the records before the checkpoint, so nothing
 * that was on time becomes late. At another parallelism the splits move between subtasks, and every
 * subtask restores the lowest of all.
 */
final class RestoredWatermark<T> extends AbstractStreamOperator<T>
    implements OneInputStreamOperator<T, T> {
  private transient ListState<Tuple3<Integer, Integer, Long>> saved;
  private transient long restored;
  private transient long emitted;

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    // Union state: after a rescale, every subtask must see every saved watermark to take the least.
    saved =
        context
            .getOperatorStateStore()
            .getUnionListState(
                new ListStateDescriptor<>(
                    "watermark-before-restore", Types.TUPLE(Types.INT, Types.INT, Types.LONG)));
    restored = Long.MIN_VALUE;
    emitted = Long.MIN_VALUE;
    if (context.isRestored()) {
      restored =
          restore(
              saved.get(),
              getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
              getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks());
    }
  }

  /**
   * The watermark subtask {@code index} of {@code parallelism} starts from, given the (subtask,
   * parallelism, watermark) entries of the checkpoint: its own at the same parallelism, else the
   * least of all (none: no watermark).
   */
  private static long restore(
      Iterable<Tuple3<Integer, Integer, Long>> entries, int index, int parallelism) {
    // No entry is ever the end of time (snapshotState keeps it out), so MAX_VALUE means none.
    long least = Long.MAX_VALUE;
    Long own = null;
    boolean sameParallelism = true;
    for (Tuple3<Integer, Integer, Long> e : entries) {
      least = Math.min(least, e.f2);
      sameParallelism &= e.f1 == parallelism;
      if (e.f0 == index) {
        own = e.f2;
      }
    }
    if (least == Long.MAX_VALUE) {
      return Long.MIN_VALUE;
    }
    return sameParallelism && own != null ? own : least;
  }

  @Override
  public void open() throws Exception {
    super.open();
    if (restored > Long.MIN_VALUE) {
      // Not from open(): output may be written only once the task runs (after any in-flight data
      // of an unaligned checkpoint is back in place).
      getProcessingTimeService()
          .registerTimer(
              getProcessingTimeService().getCurrentProcessingTime(), time -> advance(restored));
    }
  }

  @Override
  public void processElement(StreamRecord<T> element) {
    output.collect(element);
  }

  @Override
  public void processWatermark(Watermark mark) {
    advance(Math.max(mark.getTimestamp(), restored));
  }

  private void advance(long watermark) {
    if (watermark > emitted) {
      emitted = watermark;
      output.emitWatermark(new Watermark(watermark));
    }
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    // Never the end of time of a drained or finished input: a job restored from there goes on
    // reading, and its records would all be late.
    long keep = emitted == Long.MAX_VALUE ? Long.MIN_VALUE : emitted;
    saved.update(
        List.of(
            Tuple3.of(
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(),
                keep)));
  }
}
