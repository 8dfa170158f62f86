package io.riskstream.detect;

import java.util.Arrays;
import org.apache.flink.streaming.api.TimerService;

/**
 * When a key must next be evaluated: the event times it waits for and the deadline after which it
 * is forgotten, kept in a {@code long[]} inside the key's state value. Only the earliest is
 * registered with Flink (a time added before it is registered too; the later timer stays and finds
 * nothing when it fires); when a timer fires, every waiting time the watermark has passed is taken
 * at once and the next one registered. With timers in RocksDB a timer is a write when registered
 * and a delete and a seek when it fires; a timer per waiting time (and one more to clean up) was a
 * third of OrderMatcher's time in the bench profile.
 *
 * <p>A key waiting for more than {@link #MAX_WAITING} times gets plain timers for the rest, which
 * may fire after later waiting times were taken. That keeps the array, read and written with every
 * event, small even on a hot key, and suits detectors whose decisions do not depend on the order in
 * which a key takes its due times (OrderMatcher evaluates everything final at the watermark;
 * UtrMatcher's decisions each read state only events change), or that take everything the watermark
 * passed at once, in their own order (IpBurstDetector).
 */
final class Wakeups {
  /**
   * Slots: the earliest timer registered and not yet fired, the deadline, the latest time given a
   * timer of its own (beyond {@link #MAX_WAITING}), then the waiting times.
   */
  private static final int REGISTERED = 0;

  private static final int DEADLINE = 1;
  private static final int OWN_TIMERS = 2;
  private static final int FIRST = 3;

  static final int MAX_WAITING = 16;

  private Wakeups() {}

  /**
   * What a firing found: the waiting times the watermark passed, whether the deadline had, and
   * whether that is all ({@code onlyExpired}: no waiting time passed and no timer of its own is at
   * this one's time). A key that only expired has nothing left to decide: every time it had to
   * decide at was a waiting time, taken when the watermark passed it.
   */
  record Fired(long[] wakeups, long[] passed, boolean expired, boolean onlyExpired) {}

  /** A new key's wakeups: nothing registered, no deadline. */
  static long[] none() {
    return new long[] {Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE};
  }

  /** Wakes the key when the watermark reaches {@code time}. */
  static long[] at(long[] wakeups, long time, TimerService timers) {
    int i = Arrays.binarySearch(wakeups, FIRST, wakeups.length, time);
    if (i >= 0) {
      return wakeups;
    }
    if (wakeups.length - FIRST >= MAX_WAITING) {
      timers.registerEventTimeTimer(time);
      wakeups[OWN_TIMERS] = Math.max(wakeups[OWN_TIMERS], time);
      return wakeups;
    }
    return registerNext(insert(wakeups, -(i + 1), time), timers);
  }

  /**
   * Stops waiting for {@code time}, when nothing is left to decide then. If it is the registered
   * timer, the timer is deleted (one RocksDB delete, against a firing's poll, state read and write)
   * and none is registered until {@link #rearm}: the event may yet schedule an earlier time, and a
   * later timer registered now would fire for nothing. A timer registered for it before an earlier
   * one was stays, and finds nothing due.
   */
  static long[] cancel(long[] wakeups, long time, TimerService timers) {
    int i = Arrays.binarySearch(wakeups, FIRST, wakeups.length, time);
    if (i < 0) {
      return wakeups;
    }
    long[] fewer = new long[wakeups.length - 1];
    System.arraycopy(wakeups, 0, fewer, 0, i);
    System.arraycopy(wakeups, i + 1, fewer, i, wakeups.length - i - 1);
    if (fewer[REGISTERED] == time) {
      timers.deleteEventTimeTimer(time);
      fewer[REGISTERED] = Long.MAX_VALUE;
    }
    return fewer;
  }

  /**
   * Keeps the key until at least {@code deadline} and registers the next wakeup if none is: the end
   * of an event that may have {@link #cancel}led one, once it has scheduled all it will. Not from a
   * timer: there, a passed deadline would fire again at once ({@link #keepUntil} is for timers).
   */
  static long[] rearm(long[] wakeups, long deadline, TimerService timers) {
    wakeups[DEADLINE] = Math.max(wakeups[DEADLINE], deadline);
    return registerNext(wakeups, timers);
  }

  /** {@code array} with {@code value} inserted at index {@code at}: a new array one longer. */
  static long[] insert(long[] array, int at, long value) {
    long[] more = new long[array.length + 1];
    System.arraycopy(array, 0, more, 0, at);
    more[at] = value;
    System.arraycopy(array, at, more, at + 1, array.length - at);
    return more;
  }

  /**
   * Whether the key may wake at {@code time} already: it waits for it, or a timer of its own (past
   * {@link #MAX_WAITING}) may be at it.
   */
  static boolean mayWakeAt(long[] wakeups, long time) {
    return time <= wakeups[OWN_TIMERS]
        || Arrays.binarySearch(wakeups, FIRST, wakeups.length, time) >= 0;
  }

  /** Keeps the key until at least {@code deadline}. */
  static long[] keepUntil(long[] wakeups, long deadline, TimerService timers) {
    if (deadline <= wakeups[DEADLINE]) {
      return wakeups;
    }
    wakeups[DEADLINE] = deadline;
    return registerNext(wakeups, timers);
  }

  /**
   * The timer of {@code timestamp} fired with the watermark at {@code watermark}: takes every
   * waiting time it passed. The key expires once the deadline has passed and nothing waits, neither
   * here nor in a timer of its own still to fire (timers fire in time order, so those after this
   * one): a watermark that jumps past the deadline (the end of a bounded input) fires them all.
   */
  static Fired fire(long[] wakeups, long timestamp, long watermark, TimerService timers) {
    int passed = FIRST;
    while (passed < wakeups.length && wakeups[passed] <= watermark) {
      passed++;
    }
    boolean expired =
        passed == wakeups.length
            && wakeups[DEADLINE] <= watermark
            && wakeups[OWN_TIMERS] <= timestamp;
    long[] left = new long[wakeups.length - (passed - FIRST)];
    left[DEADLINE] = wakeups[DEADLINE];
    left[OWN_TIMERS] = wakeups[OWN_TIMERS];
    System.arraycopy(wakeups, passed, left, FIRST, wakeups.length - passed);
    left[REGISTERED] =
        wakeups[REGISTERED] <= watermark ? Long.MAX_VALUE : wakeups[REGISTERED]; // it fired
    // Past the deadline with nothing waiting, yet a timer of its own still to fire: that timer
    // wakes the key. Registering the passed deadline would fire it again at once, and again.
    boolean ownTimerLeft = !expired && left.length == FIRST && left[DEADLINE] <= watermark;
    return new Fired(
        expired || ownTimerLeft ? left : registerNext(left, timers),
        Arrays.copyOfRange(wakeups, FIRST, passed),
        expired,
        expired && passed == FIRST && wakeups[OWN_TIMERS] < timestamp);
  }

  /** Registers the earliest of the waiting times and the deadline, unless registered already. */
  private static long[] registerNext(long[] wakeups, TimerService timers) {
    long next = wakeups.length > FIRST ? wakeups[FIRST] : wakeups[DEADLINE];
    if (next != Long.MIN_VALUE && next < wakeups[REGISTERED]) {
      timers.registerEventTimeTimer(next);
      wakeups[REGISTERED] = next;
    }
    return wakeups;
  }
}
