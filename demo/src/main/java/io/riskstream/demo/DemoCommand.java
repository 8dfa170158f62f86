package io.riskstream.demo;

import io.riskstream.cli.DurationFlag;
import io.riskstream.cli.Logs;
import io.riskstream.cli.UserException;
import io.riskstream.testkit.Directories;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run everything embedded on generated traffic and show what was found.",
      "Starts an embedded Kafka broker (KRaft), a schema registry, PostgreSQL and a Flink mini cluster (RocksDB, web UI), feeds them generated traffic with injected fraud, runs detection, the sink and notifications, and ends with alerts per type and reason against the injected ground truth. Logs go to demo.log in the printed work directory."
    })
final class DemoCommand implements Callable<Integer> {
  @Option(
      names = "--duration",
      defaultValue = "60s",
      converter = DurationFlag.class,
      description = "How long to feed traffic, e.g. 60s or 2min (default ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--rate",
      defaultValue = "500",
      description = "Events per second (default ${DEFAULT-VALUE}).")
  int rate;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed of the traffic (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--fraud-rate",
      defaultValue = "0.05",
      description = "Share of scenarios with injected fraud (default ${DEFAULT-VALUE}).")
  double fraudRate;

  @Option(
      names = "--ui-port",
      defaultValue = "8081",
      description =
          "Port of the Flink web UI; another free port if taken (default ${DEFAULT-VALUE}).")
  int uiPort;

  @Option(
      names = "--pg-port",
      defaultValue = "54329",
      description =
          "Port of the embedded PostgreSQL; another free port if taken (default ${DEFAULT-VALUE}).")
  int postgresPort;

  @Option(
      names = "--keep-running",
      description =
          "After the summary, keep the job (and its web UI), Kafka and PostgreSQL up until Ctrl-C.")
  boolean keepRunning;

  @Option(
      names = "--keep-work-dir",
      description = "Keep the work directory (log, checkpoints, savepoint); removed otherwise.")
  boolean keepWorkDir;

  /** Counted down once the demo has closed what it started, for the Ctrl-C hook to wait on. */
  private final CountDownLatch closed = new CountDownLatch(1);

  /** Counted down by Ctrl-C while the demo waits in --keep-running. */
  private final CountDownLatch stop = new CountDownLatch(1);

  private volatile boolean waiting;
  private volatile boolean finished;

  @Override
  public Integer call() throws Exception {
    if (duration.isNegative() || duration.toSeconds() < 5) {
      throw new UserException("--duration must be at least 5s");
    }
    if (rate < 1) {
      throw new UserException("--rate must be at least 1");
    }
    Path work = Demo.workDir();
    // The demo's terminal is for progress and its summary; the logs go to its work directory.
    Logs.toFile(work.resolve("demo.log"));
    System.out.println("Work directory (log, checkpoints): " + work);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> onStop(work)));
    int pgPort = Demo.freePort(postgresPort);
    boolean completed = false;
    try {
      new Demo(
              new Demo.Options(
                  duration,
                  rate,
                  seed,
                  fraudRate,
                  Demo.freePort(uiPort),
                  pgPort,
                  work,
                  keepRunning),
              System.out)
          .run(
              result -> {
                DemoReport.print(result, System.out);
                if (keepRunning) {
                  waitForCtrlC(result);
                }
              });
      completed = true;
    } finally {
      if (completed && !keepWorkDir) {
        Directories.deleteRecursively(work);
        System.out.println("Work directory " + work + " removed (--keep-work-dir keeps it).");
      } else {
        System.out.println("Work directory kept: " + work + " (the log is demo.log).");
      }
      if (keepRunning) {
        System.out.println("riskstream demo: stopped.");
      }
      finished = true;
      closed.countDown();
    }
    return 0;
  }

  /**
   * Ctrl-C: in --keep-running, lets the demo stop its job and services and waits for it; before the
   * summary, says that the demo stopped and where its log is.
   */
  private void onStop(Path work) {
    if (finished) {
      return;
    }
    if (waiting) {
      stop.countDown();
      try {
        closed.await(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    System.out.println();
    System.out.println(
        "riskstream demo: stopped before the summary; the log is " + work.resolve("demo.log"));
  }

  /** Keeps the job, Kafka and PostgreSQL up until Ctrl-C. */
  private void waitForCtrlC(Demo.Result result) {
    System.out.println();
    System.out.println(
        "Ready for analysts. The job runs on (its web UI stays up); open the notebooks with:");
    System.out.println("  DATABASE_URL=" + result.postgresUrl() + " jupyter notebook notebooks/");
    System.out.println(
        "Prometheus metrics at "
            + result.metricsUrl()
            + " (the Grafana dashboard deploy/grafana/riskstream.json reads them).");
    System.out.println("Press Ctrl-C to stop.");
    waiting = true;
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    System.out.println("Stopping...");
  }
}
