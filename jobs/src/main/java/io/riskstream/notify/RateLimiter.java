package io.riskstream.notify;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sliding-window limits (at most N sends in any period), several of which may apply to one send
 * (per chat, per group, per bot): {@link #reserve} returns the earliest moment at which a send
 * satisfies all of them, and books it. Plain Java; the delivery operator runs at parallelism 1, so
 * one instance sees every send of the bot.
 */
public final class RateLimiter {
  /** A limit and the key it counts under. */
  public record Bucket(String key, int messages, Duration per) {}

  /**
   * Added to every period. Sends leave at their booked times but reach the server unevenly: a burst
   * opens its connections at once and lands over about 150 ms, so without a margin the server could
   * count the tail of one burst and the head of the next in one period.
   */
  static final long JITTER_MARGIN_MILLIS = 250;

  private final Map<String, Deque<Long>> sends = new HashMap<>();

  /**
   * The earliest time at or after {@code now} at which a send fits every bucket; that time is
   * booked.
   */
  public synchronized long reserve(long now, List<Bucket> buckets) {
    long at = now;
    boolean moved = true;
    while (moved) {
      moved = false;
      for (Bucket bucket : buckets) {
        long fits =
            earliestFit(sends.computeIfAbsent(bucket.key(), k -> new ArrayDeque<>()), bucket, at);
        if (fits > at) {
          at = fits;
          moved = true;
        }
      }
    }
    for (Bucket bucket : buckets) {
      Deque<Long> times = sends.get(bucket.key());
      times.addLast(at);
      long oldestUseful = now - window(bucket);
      while (times.size() > bucket.messages() && times.peekFirst() <= oldestUseful) {
        times.removeFirst();
      }
    }
    return at;
  }

  /**
   * The earliest time at or after {@code at} with fewer than N booked sends in the window ending
   * there.
   */
  private static long earliestFit(Deque<Long> times, Bucket bucket, long at) {
    long period = window(bucket);
    List<Long> inWindow = new ArrayList<>();
    for (long t : times) {
      if (t > at - period) {
        inWindow.add(t);
      }
    }
    if (inWindow.size() < bucket.messages()) {
      return at;
    }
    inWindow.sort(null);
    // Enough sends must leave the window for one more to fit: the (size - N + 1)-th oldest.
    return inWindow.get(inWindow.size() - bucket.messages()) + period;
  }

  private static long window(Bucket bucket) {
    return bucket.per().toMillis() + JITTER_MARGIN_MILLIS;
  }
}
