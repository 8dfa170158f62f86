package io.riskstream.notify;

import java.io.Serializable;
import java.time.Duration;

/**
 * When a delivery is done, retried or given up, and how long to wait before the next attempt. Pure
 * (no HTTP, no clock, randomness passed in) so that it is tested on its own: HttpDelivery only
 * carries out what this decides.
 */
final class RetryPolicy implements Serializable {
  /** What an answer means. */
  enum Outcome {
    DELIVERED,
    RETRY,
    GIVE_UP
  }

  /** The status {@link #outcome} takes for "no answer" (a timeout, a refused connection). */
  static final int NO_ANSWER = -1;

  private final int maxAttempts;
  private final long initialMillis;
  private final long maxMillis;

  RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    this.maxAttempts = maxAttempts;
    this.initialMillis = initialBackoff.toMillis();
    this.maxMillis = maxBackoff.toMillis();
  }

  /**
   * 2xx is delivered; no answer, 429 (rate limited) and 5xx are worth another attempt; any other
   * answer (400 a bad chat id, 401/403 a wrong token) will not change by retrying.
   */
  Outcome outcome(int status) {
    if (status / 100 == 2) {
      return Outcome.DELIVERED;
    }
    return status == NO_ANSWER || status == 429 || status >= 500 ? Outcome.RETRY : Outcome.GIVE_UP;
  }

  /** Whether attempt number {@code attempt} (from 1) was the last one allowed. */
  boolean exhausted(int attempt) {
    return attempt >= maxAttempts;
  }

  /**
   * The wait after failed attempt {@code attempt}: exponential backoff capped at the maximum, with
   * "equal jitter" (half fixed, half random; {@code random} in [0, 1)) so that messages failed
   * together do not retry together, and never less than what the server asked for ({@code
   * atLeastMillis}, a 429's retry_after).
   */
  long delayMillis(int attempt, long atLeastMillis, double random) {
    long backoff = Math.min(maxMillis, initialMillis << Math.min(20, attempt - 1));
    long jittered = backoff / 2 + (long) (random * (backoff / 2 + 1));
    return Math.max(jittered, atLeastMillis);
  }
}
