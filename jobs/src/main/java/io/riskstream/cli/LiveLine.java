package io.riskstream.cli;

import java.io.PrintStream;
import java.time.Duration;

/**
 * A status line that updates: on a terminal redrawn in place, otherwise (a pipe, a log, CI) each
 * update a line of its own, and less often, so that logs hold neither one endless line of carriage
 * returns nor a line a second.
 */
public final class LiveLine {
  private final PrintStream out;
  private final boolean terminal = System.console() != null;
  private final long everyNanos;
  private long next = System.nanoTime();
  private int lastLength;
  private boolean shown;

  /** Updates due every {@code onTerminal} on a terminal, every {@code otherwise} elsewhere. */
  public LiveLine(PrintStream out, Duration onTerminal, Duration otherwise) {
    this.out = out;
    this.everyNanos = (terminal ? onTerminal : otherwise).toNanos();
  }

  public boolean terminal() {
    return terminal;
  }

  /** True when an update is due (the first one is), and then not again for the interval. */
  public boolean due() {
    long now = System.nanoTime();
    if (now - next < 0) {
      return false;
    }
    next = now + everyNanos;
    return true;
  }

  public void show(String line) {
    if (terminal) {
      out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
    } else {
      out.println(line);
    }
    out.flush();
    lastLength = line.length();
    shown = true;
  }

  /** Ends the line on a terminal, so that what follows starts on a line of its own. */
  public void end() {
    if (terminal && shown) {
      out.println();
    }
    shown = false;
    lastLength = 0;
  }
}
