package io.riskstream.bench;

import java.time.Duration;
import java.util.Arrays;

/**
 * The clocks a phase is timed on: wall time, this JVM's CPU time and its JIT compilers' part of it,
 * and the broker's CPU time. Read when a phase starts, when its first record moves and when it
 * ends: a deployed job starts once and then runs for weeks, so the rates and CPU per event the
 * targets are about run from the first record on, and the start (a mini cluster, the job's
 * deployment, its sources finding their partitions) is reported beside them.
 */
final class Meter {
  /** The clocks at one moment, or what they advanced between two. */
  record Reading(long wallNanos, long cpuNanos, long jitCpuNanos, long brokerCpuNanos) {
    Reading minus(Reading earlier) {
      return new Reading(
          wallNanos - earlier.wallNanos,
          cpuNanos - earlier.cpuNanos,
          jitCpuNanos - earlier.jitCpuNanos,
          brokerCpuNanos - earlier.brokerCpuNanos);
    }

    double wallSeconds() {
      return wallNanos / 1e9;
    }

    /** This JVM's and the broker's CPU time. */
    long allCpuNanos() {
      return cpuNanos + brokerCpuNanos;
    }

    String encode() {
      return wallNanos + " " + cpuNanos + " " + jitCpuNanos + " " + brokerCpuNanos;
    }

    static Reading decode(String[] fields, int from) {
      long[] f = Arrays.stream(fields, from, from + 4).mapToLong(Long::parseLong).toArray();
      return new Reading(f[0], f[1], f[2], f[3]);
    }
  }

  /**
   * What a phase took: from its start to its end, and from its first record to its end (in {@link
   * PhaseWorker}'s answer, the whole then the part).
   */
  record Span(Reading whole, Reading fromFirstRecord) {
    /** The time from the start to the first record. */
    double startSeconds() {
      return whole.wallSeconds() - fromFirstRecord.wallSeconds();
    }

    String encode() {
      return whole.encode() + " " + fromFirstRecord.encode();
    }

    static Span decode(String[] fields) {
      return new Span(Reading.decode(fields, 0), Reading.decode(fields, 4));
    }
  }

  private final ProcessHandle broker;
  private Reading first;

  Meter(long brokerPid) {
    this.broker =
        ProcessHandle.of(brokerPid)
            .orElseThrow(() -> new IllegalStateException("no broker process " + brokerPid));
  }

  /** The clocks now, as a phase starts; forgets the last phase's first record. */
  synchronized Reading start() {
    first = null;
    return read();
  }

  /** Reads the clocks if this is the phase's first record; cheap after it. */
  synchronized void firstRecord() {
    if (first == null) {
      first = read();
    }
  }

  /** The phase that started at {@code start} ends now. */
  synchronized Span since(Reading start) {
    Reading end = read();
    if (first == null) {
      throw new IllegalStateException("the phase ended without a record moving");
    }
    return new Span(end.minus(start), end.minus(first));
  }

  private Reading read() {
    return new Reading(
        System.nanoTime(),
        ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos(),
        PhaseJvm.compilerCpuNanos(),
        broker.info().totalCpuDuration().orElse(Duration.ZERO).toNanos());
  }
}
