package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.RuleUpdate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerServiceImpl;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flink's keyed broadcast operator with the detector's values in a {@link KeyedStateCache}: it
 * hands the cache to the detector when it opens, and writes the cache to the state backend before
 * every checkpoint and savepoint takes its snapshot (the operator's {@code snapshotState} runs in
 * the synchronous part, before the keyed state backend's snapshot). A detector that can forget a
 * key unread ({@link Expiry.Expiring}) gets the operator's second timer service for it.
 */
public final class DetectorOperator<IN>
    extends CoBroadcastWithKeyedOperator<String, IN, RuleUpdate, Alert> implements KeyContext {
  private static final Logger LOG = LoggerFactory.getLogger(DetectorOperator.class);

  /** Changed values written in one go ahead of a checkpoint, between records. */
  static final int WRITE_AHEAD_CHUNK = 1_000;

  /** While writing ahead, how often what changed since is written. */
  static final long WRITE_AHEAD_EVERY_MS = 100;

  private final int cacheCapacity;
  private final long checkpointIntervalMs;
  private transient KeyedStateCache cache;
  private transient ScheduledFuture<?> writeAhead;
  private transient Expiry expiry;

  /**
   * @param cacheCapacity keys held per keyed value, at most ({@link KeyedStateCache#affordable}); 0
   *     for no cache
   * @param checkpointInterval the job's; the cache starts writing its changed values a fifth of it
   *     before the next checkpoint is due (null: no checkpoints, nothing written ahead)
   */
  public DetectorOperator(
      WithRuleUpdates<IN> detector, int cacheCapacity, Duration checkpointInterval) {
    super(detector, List.of(WithRuleUpdates.VERSIONS));
    this.cacheCapacity = cacheCapacity;
    this.checkpointIntervalMs = checkpointInterval == null ? 0 : checkpointInterval.toMillis();
  }

  @Override
  public void open() throws Exception {
    // The heap backend holds decoded values already: a cache would only copy them.
    int slots =
        getContainingTask()
            .getEnvironment()
            .getTaskManagerInfo()
            .getConfiguration()
            .get(TaskManagerOptions.NUM_TASK_SLOTS);
    int capacity =
        KeyedStateCache.affordable(cacheCapacity, Runtime.getRuntime().maxMemory(), slots);
    WithRuleUpdates<IN> detector = (WithRuleUpdates<IN>) userFunction;
    if (detector.expires()) {
      expiry =
          new Expiry(
              getInternalTimerService(
                  Expiry.SERVICE,
                  VoidNamespaceSerializer.INSTANCE,
                  new Triggerable<String, VoidNamespace>() {
                    @Override
                    public void onEventTime(InternalTimer<String, VoidNamespace> timer)
                        throws Exception {
                      detector.expire(); // the timer service has made its key the current one
                    }

                    @Override
                    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {}
                  }));
      detector.expireWith(expiry);
    }
    if (capacity > 0 && !(getKeyedStateBackend() instanceof HeapKeyedStateBackend)) {
      cache = new KeyedStateCache(this, capacity, getMetricGroup().addGroup("riskstream"));
      detector.cacheStatesIn(cache);
      LOG.info(
          "{}: keyed values cached in front of RocksDB, {} keys per value ({} asked, the heap"
              + " affords {})",
          getRuntimeContext().getTaskInfo().getTaskNameWithSubtasks(),
          capacity,
          cacheCapacity,
          KeyedStateCache.affordable(Integer.MAX_VALUE, Runtime.getRuntime().maxMemory(), slots));
      writeAheadOfNextCheckpoint();
    }
    super.open();
  }

  /** The event-time timers of the expiry service (tests: which keys end unread). */
  int expiryTimers() {
    return expiry == null
        ? 0
        : ((InternalTimerServiceImpl<?, ?>) expiry.timers()).numEventTimeTimers();
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    if (cache != null) {
      if (writeAhead != null) {
        writeAhead.cancel(false);
      }
      cache.flush();
      writeAheadOfNextCheckpoint();
    }
    super.snapshotState(context);
  }

  /**
   * From four fifths of the interval after this checkpoint on, writes the changed values between
   * records, in chunks, so that the next checkpoint's synchronous part writes only what changed in
   * its last moments. Keys forgotten before then are never written, which is most of what the cache
   * saves.
   */
  private void writeAheadOfNextCheckpoint() {
    if (checkpointIntervalMs > 0) {
      long now = getProcessingTimeService().getCurrentProcessingTime();
      writeAhead =
          getProcessingTimeService()
              .registerTimer(now + checkpointIntervalMs * 4 / 5, this::writeAhead);
    }
  }

  private void writeAhead(long time) throws Exception {
    boolean all = cache.writeBack(WRITE_AHEAD_CHUNK);
    writeAhead =
        getProcessingTimeService()
            .registerTimer(
                getProcessingTimeService().getCurrentProcessingTime()
                    + (all ? WRITE_AHEAD_EVERY_MS : 0),
                this::writeAhead);
  }
}
