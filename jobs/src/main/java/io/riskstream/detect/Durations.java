package io.riskstream.detect;

import java.time.Duration;

/** Windows in summaries as people write them: 30m, 10m, 1h, 7d. */
final class Durations {
  private Durations() {}

  static String format(Duration d) {
    long seconds = d.toSeconds();
    if (seconds % 86_400 == 0) {
      return seconds / 86_400 + "d";
    }
    if (seconds % 3_600 == 0) {
      return seconds / 3_600 + "h";
    }
    if (seconds % 60 == 0) {
      return seconds / 60 + "m";
    }
    return seconds + "s";
  }
}
