package io.riskstream.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;

/**
 * The heap of the soak's and the hot-key benchmark's JVMs, which run their work themselves: fixed
 * and touched, as a TaskManager's at steady state. (The bench's phases run in JVMs the harness
 * starts with its own flags, {@link PhaseJvm}.)
 */
final class FixedHeap {
  /** How those JVMs are started. */
  static final String FLAGS = "-Xms8g -Xmx8g -XX:+AlwaysPreTouch";

  private FixedHeap() {}

  /**
   * Whether this JVM's heap is fixed and touched. If not, a full GC shrinks it and what runs next
   * pays the kernel's page faults to grow it again: seconds of system time, different every time
   * (bench/README.md, "Decisions").
   */
  static boolean holds() {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return heap.getInit() == heap.getMax()
        && ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+AlwaysPreTouch");
  }

  /** Says so when the heap is not fixed: the figures that follow then carry page faults. */
  static void warnUnlessHeld(PrintStream out) {
    if (!holds()) {
      out.printf(
          "warning: the heap is not fixed and touched (java %s ...): the figures will include the"
              + " kernel's page faults of growing it again after each full GC%n",
          FLAGS);
    }
  }
}
