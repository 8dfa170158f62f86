package io.riskstream.cli;

import java.time.Duration;

/**
 * Progress of a long command: "produced 12,000 / 50,000 events (8,100/s)", on a {@link LiveLine}.
 */
final class Progress {
  private final String what;
  private final long total;
  private final LiveLine line =
      new LiveLine(System.err, Duration.ofMillis(500), Duration.ofSeconds(5));
  private final long began = System.nanoTime();
  private long count;

  Progress(String what, long total) {
    this.what = what;
    this.total = total;
    line.due();
  }

  void step() {
    count++;
    if (line.due()) {
      draw();
    }
  }

  void done() {
    draw();
    line.end();
  }

  private void draw() {
    double seconds = Math.max(1e-3, (System.nanoTime() - began) / 1e9);
    line.show(String.format("%s %,d / %,d events (%,.0f/s)", what, count, total, count / seconds));
  }
}
