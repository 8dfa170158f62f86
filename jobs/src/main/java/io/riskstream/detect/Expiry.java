package io.riskstream.detect;

import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.InternalTimerService;

/**
 * The event-time timers that forget a detector's key without reading it: a second timer service of
 * its operator ({@link DetectorOperator}), whose firing calls {@link Expiring#expire}. A keyed
 * function sees only its operator's one timer service, and a timer there carries nothing but its
 * time, so its firing must read the key's value to learn whether the key ends; a timer in this
 * service says so by being here. {@link Wakeups} keeps at most one per key, at its deadline.
 */
record Expiry(InternalTimerService<VoidNamespace> timers) {
  /** The name of the timer service: in savepoints, beside Flink's {@code user-timers}. */
  static final String SERVICE = "riskstream-expiry";

  void at(long time) {
    timers.registerEventTimeTimer(VoidNamespace.INSTANCE, time);
  }

  void cancel(long time) {
    timers.deleteEventTimeTimer(VoidNamespace.INSTANCE, time);
  }

  /** A detector whose keys may end through an {@link Expiry}. */
  interface Expiring {
    /** Before the detector opens: its expiry timers go to {@code expiry}. */
    void expireWith(Expiry expiry);

    /** The current key's expiry timer fired: forget the key, without reading it. */
    void expire() throws Exception;
  }
}
