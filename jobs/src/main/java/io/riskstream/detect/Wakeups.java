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
 *
 * <p>With an {@link Expiry} (a detector run by {@link DetectorOperator}) the deadline of a key with
 * nothing waiting is a timer of the expiry service, which forgets the key without reading it: most
 * keys' last timer is their retention, a week or a month after the cache let go of them, and its
 * read was a RocksDB lookup for a value that only said "forget me" (bench/README.md, "A key that
 * expires unread"). The price is that a key's expiry timer must always be the current deadline with
 * nothing waiting: it is moved when the deadline moves (a delete and a write, where the lazy timer
 * cost nothing until it fired) and deleted when something is to wait. Without an Expiry (a test
 * harness of the function alone, state restored from before the expiry service), or for a key
 * marked {@link #readAtEnd}, the deadline is an ordinary timer as before, and {@link
 * Fired#onlyExpired} says the key ends. Either way {@link #REGISTERED} is the deadline's timer once
 * nothing waits: the two services never hold a key's timers at once, except a stale one that finds
 * the key gone or nothing due, which is why the order in which Flink fires the two services' timers
 * does not matter.
 */
final class Wakeups {
  /**
   * Slots: the earliest timer registered and not yet fired, the deadline, the latest time given a
   * timer of its own (beyond {@link #MAX_WAITING}; {@link #READ_AT_END} for a key that has had none
   * but must be read when it ends), then the waiting times.
   */
  private static final int REGISTERED = 0;

  private static final int DEADLINE = 1;
  private static final int OWN_TIMERS = 2;
  private static final int FIRST = 3;

  /** No timer of its own yet: the key may expire unread. */
  private static final long NO_OWN_TIMERS = Long.MIN_VALUE;

  /**
   * No timer of its own, and the key is read when it ends. Below every event time, so {@link #fire}
   * and {@link #mayWakeAt} take it as "none".
   */
  private static final long READ_AT_END = Long.MIN_VALUE + 1;

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
    return new long[] {Long.MAX_VALUE, Long.MIN_VALUE, NO_OWN_TIMERS};
  }

  /** Wakes the key when the watermark reaches {@code time}. */
  static long[] at(long[] wakeups, long time, TimerService timers, Expiry expiry) {
    int i = Arrays.binarySearch(wakeups, FIRST, wakeups.length, time);
    if (i >= 0) {
      return wakeups;
    }
    if (wakeups.length - FIRST >= MAX_WAITING) {
      timers.registerEventTimeTimer(time);
      wakeups[OWN_TIMERS] = Math.max(wakeups[OWN_TIMERS], time);
      return wakeups;
    }
    dropExpiry(wakeups, expiry); // it would forget the key before this time
    return registerNext(insert(wakeups, -(i + 1), time), timers, expiry);
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
  static long[] rearm(long[] wakeups, long deadline, TimerService timers, Expiry expiry) {
    wakeups[DEADLINE] = Math.max(wakeups[DEADLINE], deadline);
    return registerNext(wakeups, timers, expiry);
  }

  /**
   * Marks the key to be read when it ends, its deadline an ordinary timer from now on: for a key
   * whose end is more than clearing its value (UtrMatcher's UTR with entries in its map states).
   */
  static long[] readAtEnd(long[] wakeups, TimerService timers, Expiry expiry) {
    if (wakeups[OWN_TIMERS] != NO_OWN_TIMERS) {
      return wakeups; // marked already, or has timers of its own: never expired unread
    }
    dropExpiry(wakeups, expiry);
    wakeups[OWN_TIMERS] = READ_AT_END;
    return registerNext(wakeups, timers, expiry);
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
  static long[] keepUntil(long[] wakeups, long deadline, TimerService timers, Expiry expiry) {
    if (deadline <= wakeups[DEADLINE]) {
      return wakeups;
    }
    wakeups[DEADLINE] = deadline;
    return registerNext(wakeups, timers, expiry);
  }

  /**
   * The timer of {@code timestamp} fired with the watermark at {@code watermark}: takes every
   * waiting time it passed. The key expires once the deadline has passed and nothing waits, neither
   * here nor in a timer of its own still to fire (timers fire in time order, so those after this
   * one): a watermark that jumps past the deadline (the end of a bounded input) fires them all.
   */
  static Fired fire(
      long[] wakeups, long timestamp, long watermark, TimerService timers, Expiry expiry) {
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
        expired || ownTimerLeft ? left : registerNext(left, timers, expiry),
        Arrays.copyOfRange(wakeups, FIRST, passed),
        expired,
        expired && passed == FIRST && wakeups[OWN_TIMERS] < timestamp);
  }

  /**
   * Registers the earliest of the waiting times and the deadline, unless registered already. The
   * deadline of a key that may expire unread goes to {@code expiry}, and moves with the deadline.
   */
  private static long[] registerNext(long[] wakeups, TimerService timers, Expiry expiry) {
    boolean waiting = wakeups.length > FIRST;
    long next = waiting ? wakeups[FIRST] : wakeups[DEADLINE];
    if (next == Long.MIN_VALUE) {
      return wakeups;
    }
    if (!waiting && expiresUnread(wakeups, expiry)) {
      if (wakeups[REGISTERED] != next) {
        dropExpiry(wakeups, expiry); // the deadline before this one
        expiry.at(next);
        wakeups[REGISTERED] = next;
      }
    } else if (next < wakeups[REGISTERED]) {
      timers.registerEventTimeTimer(next);
      wakeups[REGISTERED] = next;
    }
    return wakeups;
  }

  private static boolean expiresUnread(long[] wakeups, Expiry expiry) {
    return expiry != null && wakeups[OWN_TIMERS] == NO_OWN_TIMERS;
  }

  /**
   * Deletes the key's expiry timer, if it has one: with nothing waiting, the registered time is its
   * deadline's timer. (Restored from before the expiry service it may be an ordinary timer instead;
   * the delete then finds nothing, and that timer, stale, finds the key gone or not yet due.)
   */
  private static void dropExpiry(long[] wakeups, Expiry expiry) {
    if (wakeups.length == FIRST
        && expiresUnread(wakeups, expiry)
        && wakeups[REGISTERED] != Long.MAX_VALUE) {
      expiry.cancel(wakeups[REGISTERED]);
      wakeups[REGISTERED] = Long.MAX_VALUE;
    }
  }
}
