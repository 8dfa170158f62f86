package io.riskstream.demo;

import io.riskstream.cli.Logs;
import io.riskstream.cli.UserException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
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
      converter = DurationConverter.class,
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

  /**
   * Counted down once the demo has closed everything it started, for the Ctrl-C hook to wait on.
   */
  private final CountDownLatch closed = new CountDownLatch(1);

  @Option(
      names = "--keep-running",
      description =
          "After the summary, keep Kafka and PostgreSQL up (for the notebooks) until Ctrl-C.")
  boolean keepRunning;

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
    System.out.println("Work directory (logs, checkpoints): " + work);
    int pgPort = Demo.freePort(postgresPort);
    new Demo(
            new Demo.Options(duration, rate, seed, fraudRate, Demo.freePort(uiPort), pgPort, work),
            System.out)
        .run(
            result -> {
              DemoReport.print(result, System.out);
              if (keepRunning) {
                waitForCtrlC(result);
              }
            });
    closed.countDown();
    return 0;
  }

  /** Keeps Kafka and PostgreSQL up until Ctrl-C; the JVM exits once the demo has closed them. */
  private void waitForCtrlC(Demo.Result result) {
    System.out.println();
    System.out.println("Ready for analysts. Open the notebooks with:");
    System.out.println("  DATABASE_URL=" + result.postgresUrl() + " jupyter notebook notebooks/");
    System.out.println("Press Ctrl-C to stop.");
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop.countDown();
                  try {
                    closed.await(1, TimeUnit.MINUTES);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }));
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return TimeUtils.parseDuration(value);
    }
  }
}
