package io.riskstream.cli;

import java.io.PrintStream;

/**
 * One line of progress on the terminal, redrawn at most twice a second: "produced 12,000 / 50,000
 * (8,100/s)".
 */
final class Progress {
  private final String what;
  private final long total;
  private final PrintStream out = System.err;
  private final long began = System.nanoTime();
  private long count;
  private long lastDraw;

  Progress(String what, long total) {
    this.what = what;
    this.total = total;
  }

  void step() {
    count++;
    long now = System.nanoTime();
    if (now - lastDraw > 500_000_000L) {
      lastDraw = now;
      draw();
    }
  }

  void done() {
    draw();
    out.println();
  }

  private void draw() {
    double seconds = Math.max(1e-3, (System.nanoTime() - began) / 1e9);
    out.printf("\r%s %,d / %,d events (%,.0f/s)   ", what, count, total, count / seconds);
    out.flush();
  }
}
