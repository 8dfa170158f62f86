package io.riskstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** The soak phase on a few thousand UTRs; the real figures are in bench/README.md. */
class SoakTest {
  @Test
  void everyLoadedUtrIsOpenWithOneCleanupTimerAndTheCheckpointIsMeasured() throws Exception {
    for (String timers : new String[] {"heap", "rocksdb"}) {
      Soak soak = new Soak(new PrintStream(new ByteArrayOutputStream()));
      soak.utrs = 4_000;
      soak.timers = timers;

      Soak.Figures f = soak.run();

      assertThat(f.utrs()).isEqualTo(4_000);
      assertThat(f.timers()).as(timers).isEqualTo(4_000);
      assertThat(f.freshEventsPerSecond()).isPositive();
      assertThat(f.steadyEventsPerSecond()).isPositive();
      assertThat(f.syncMillis()).isPositive();
      assertThat(f.checkpointBytes()).as(timers).isGreaterThan(4_000L * 100);
    }
  }
}
