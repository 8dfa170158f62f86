package io.riskstream.detect;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.TimerService;

/**
 * The event-time timer that clears a key's state once it has been quiet for the retention. Event
 * time rather than a processing-time TTL, so that replays and backtests of history keep and drop
 * exactly what a live run would.
 *
 * <p>One timer per key, moved lazily: an event only pushes the deadline (state), and when the timer
 * fires before the deadline it is set again at the deadline. A timer deleted and registered again
 * on every event, as before, cost two timer-queue operations per event and, with RocksDB timers, a
 * tombstone each; now a busy key moves its timer once per retention period.
 */
final class CleanupTimer {
  /** [deadline, time of the registered timer]. */
  private final ValueState<long[]> cleanup;

  private final long retentionMillis;

  CleanupTimer(RuntimeContext runtime, OpenContext context, java.time.Duration retention) {
    this.cleanup =
        KeyedStateCache.value(
            runtime,
            context,
            new ValueStateDescriptor<>(
                "cleanup", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    this.retentionMillis = retention.toMillis();
  }

  /** Keeps the key's state until at least {@code eventTime} + retention. */
  void extend(TimerService timers, long eventTime) throws Exception {
    long wanted = eventTime + retentionMillis;
    long[] current = cleanup.value();
    if (current == null) {
      timers.registerEventTimeTimer(wanted);
      cleanup.update(new long[] {wanted, wanted});
    } else if (current[0] < wanted) {
      cleanup.update(new long[] {wanted, current[1]});
    }
  }

  /**
   * Whether the timer firing at {@code timestamp} clears the key: it is the cleanup timer and the
   * deadline has not moved since it was set (if it has, the timer is set again at the deadline).
   */
  boolean isDue(TimerService timers, long timestamp) throws Exception {
    long[] current = cleanup.value();
    if (current == null || timestamp != current[1]) {
      return false;
    }
    if (current[0] > timestamp) {
      timers.registerEventTimeTimer(current[0]);
      cleanup.update(new long[] {current[0], current[0]});
      return false;
    }
    return true;
  }

  void clear() {
    cleanup.clear();
  }
}
