package io.riskstream.detect;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;

/**
 * The event-time timer that clears a key's state once it has been quiet for the retention: at most
 * one per key, moved forward as events arrive. Event time rather than a processing-time TTL, so
 * that replays and backtests of history keep and drop exactly what a live run would.
 */
final class CleanupTimer {
  private final ValueState<Long> cleanupAt;
  private final long retentionMillis;

  CleanupTimer(RuntimeContext context, java.time.Duration retention) {
    this.cleanupAt = context.getState(new ValueStateDescriptor<>("cleanup-at", Types.LONG));
    this.retentionMillis = retention.toMillis();
  }

  /** Keeps the key's state until at least {@code eventTime} + retention. */
  void extend(TimerService timers, long eventTime) throws Exception {
    Long current = cleanupAt.value();
    long wanted = eventTime + retentionMillis;
    if (current == null || current < wanted) {
      if (current != null) {
        timers.deleteEventTimeTimer(current);
      }
      timers.registerEventTimeTimer(wanted);
      cleanupAt.update(wanted);
    }
  }

  /** Whether the timer firing at {@code timestamp} is the cleanup one. */
  boolean isDue(long timestamp) throws Exception {
    Long current = cleanupAt.value();
    return current != null && timestamp >= current;
  }

  void clear() {
    cleanupAt.clear();
  }
}
