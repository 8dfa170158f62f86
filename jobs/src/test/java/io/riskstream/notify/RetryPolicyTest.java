package io.riskstream.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.notify.RetryPolicy.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  // The defaults of docs/notify.md: 6 attempts, backoff from 1 s doubling up to 1 min.
  private final RetryPolicy policy =
      new RetryPolicy(6, Duration.ofSeconds(1), Duration.ofMinutes(1));

  @Test
  void answersThatCanChangeAreRetriedOthersAreNot() {
    assertThat(policy.outcome(200)).isEqualTo(Outcome.DELIVERED);
    assertThat(policy.outcome(204)).isEqualTo(Outcome.DELIVERED);
    assertThat(policy.outcome(RetryPolicy.NO_ANSWER)).isEqualTo(Outcome.RETRY);
    assertThat(policy.outcome(429)).isEqualTo(Outcome.RETRY);
    assertThat(policy.outcome(500)).isEqualTo(Outcome.RETRY);
    assertThat(policy.outcome(503)).isEqualTo(Outcome.RETRY);
    assertThat(policy.outcome(400)).isEqualTo(Outcome.GIVE_UP);
    assertThat(policy.outcome(401)).isEqualTo(Outcome.GIVE_UP);
    assertThat(policy.outcome(404)).isEqualTo(Outcome.GIVE_UP);
  }

  @Test
  void theSixthAttemptIsTheLast() {
    assertThat(policy.exhausted(5)).isFalse();
    assertThat(policy.exhausted(6)).isTrue();
  }

  @Test
  void backoffDoublesWithEqualJitterUpToTheCap() {
    // After attempt n the backoff is 1 s * 2^(n-1); the wait is half of it plus up to half again.
    assertThat(policy.delayMillis(1, 0, 0.0)).isEqualTo(500);
    assertThat(policy.delayMillis(1, 0, 0.999)).isEqualTo(1_000);
    assertThat(policy.delayMillis(3, 0, 0.0)).isEqualTo(2_000);
    assertThat(policy.delayMillis(3, 0, 0.5)).isEqualTo(3_000);
    assertThat(policy.delayMillis(7, 0, 0.0)).as("64 s capped at 1 min").isEqualTo(30_000);
    assertThat(policy.delayMillis(40, 0, 0.0)).as("no overflow").isEqualTo(30_000);
  }

  @Test
  void aServersRetryAfterIsNeverCutShort() {
    assertThat(policy.delayMillis(1, 7_000, 0.999)).isEqualTo(7_000);
    assertThat(policy.delayMillis(5, 7_000, 0.0)).as("backoff already longer").isEqualTo(8_000);
  }
}
