package io.riskstream.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One phase of the benchmark in a JVM of its own ({@link PhaseWorker}), started once and kept for
 * every run, so that its JIT compiles only that phase's code and keeps it compiled, as a
 * TaskManager's does for its one job. In one JVM the phases' code queued behind each other for the
 * one C2 thread a two-core machine gets, and each phase deoptimised what the others had compiled
 * with other types (bench/README.md, "Each phase in a JVM of its own"): JMH forks for the same
 * reason.
 */
final class PhaseJvm implements AutoCloseable {
  /** Linux's clock ticks per second in /proc's CPU times (USER_HZ, 100 on every common kernel). */
  private static final long TICKS_PER_SECOND = 100;

  private final String phase;
  private final Process process;
  private final PrintStream requests;
  private final BufferedReader answers;
  private final Path log;

  private PhaseJvm(String phase, Process process, Path log) {
    this.phase = phase;
    this.process = process;
    this.log = log;
    this.requests = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
    this.answers =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /**
   * Starts {@code phase}'s JVM from this one's class path with {@code heap} fixed ({@code -Xms =
   * -Xmx}, as a TaskManager's): a full GC does not shrink it, so the pages the warm-up touched stay
   * and no run pays the faults of growing it again. Not pre-touched: six phases' heaps would take
   * three quarters of a 24 GB machine before any of them ran. Its log goes to {@code log}; it
   * counts the CPU time of the broker's process {@code brokerPid} in each request's.
   */
  static PhaseJvm start(String phase, String heap, long brokerPid, Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // One compiler thread of each kind that never ends: compilerCpuNanos sums live threads.
    command.addAll(List.of("-Xms" + heap, "-Xmx" + heap, "-XX:-UseDynamicNumberOfCompilerThreads"));
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            PhaseWorker.class.getName(),
            phase,
            String.valueOf(brokerPid)));
    Process process =
        new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return new PhaseJvm(phase, process, log);
  }

  /**
   * The CPU time this JVM's JIT compiler threads have used, from /proc (Linux; 0 elsewhere): no
   * management bean gives it (the compilation bean's time is elapsed, and grows while a compiler
   * thread waits for a core).
   */
  static long compilerCpuNanos() {
    long ticks = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        try {
          String name = Files.readString(task.resolve("comm"));
          if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
            String stat = Files.readString(task.resolve("stat"));
            // After the name's closing parenthesis: state is field 3, utime 14, stime 15.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
          }
        } catch (IOException ended) {
          // A thread that ended while listed: its stat reads as ESRCH, not as a missing file. A
          // compiler thread does not end (-XX:-UseDynamicNumberOfCompilerThreads).
        }
      }
    } catch (IOException notLinux) {
      return 0;
    }
    return ticks * (1_000_000_000L / TICKS_PER_SECOND);
  }

  /** Sends one request (fields, none holding a tab or a line break) and waits for its answer. */
  Meter.Span ask(List<String> fields) throws IOException {
    requests.println(String.join("\t", fields));
    String line = answers.readLine();
    if (line == null) {
      throw new IllegalStateException(
          "the " + phase + " phase's JVM ended (exit " + exitCode() + "); see " + log);
    }
    String[] answer = line.split(" ", 2);
    if (!answer[0].equals("ok")) {
      throw new IllegalStateException(
          "the "
              + phase
              + " phase failed: "
              + line.substring(answer[0].length()).trim()
              + "; see "
              + log);
    }
    return Meter.Span.decode(answer[1].split(" "));
  }

  private String exitCode() {
    try {
      return process.waitFor(10, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  @Override
  public void close() throws InterruptedException {
    requests.close(); // the worker ends at the end of its input
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
