package io.riskstream.cli;

import java.io.PrintStream;

/**
 * Progress of a long command: "produced 12,000 / 50,000 events (8,100/s)". On a terminal one line
 * redrawn at most twice a second; otherwise (a pipe, a CI log) a line of its own every 5 seconds,
 * so that logs do not hold one endless line of carriage returns.
 */
final class Progress {
  private final String what;
  private final long total;
  private final PrintStream out = System.err;
  private final boolean terminal = System.console() != null;
  private final long every = terminal ? 500_000_000L : 5_000_000_000L;
  private final long began = System.nanoTime();
  private long count;
  private long lastDraw = began;

  Progress(String what, long total) {
    this.what = what;
    this.total = total;
  }

  void step() {
    count++;
    long now = System.nanoTime();
    if (now - lastDraw > every) {
      lastDraw = now;
      draw();
    }
  }

  void done() {
    draw();
    if (terminal) {
      out.println();
    }
  }

  private void draw() {
    double seconds = Math.max(1e-3, (System.nanoTime() - began) / 1e9);
    String line =
        String.format("%s %,d / %,d events (%,.0f/s)", what, count, total, count / seconds);
    if (terminal) {
      out.print("\r" + line + "   ");
    } else {
      out.println(line);
    }
    out.flush();
  }
}
