package io.riskstream.cli;

import io.riskstream.config.ConfigException;
import io.riskstream.config.RiskstreamConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Option;

/**
 * Runs a built job where its configuration says. On a session cluster's REST address ({@code
 * flink.execution.target=remote}, as {@code deploy/local/cluster.sh submit} does) it is submitted,
 * its job id printed, and the command returns while the cluster runs it. Inside {@code flink run}
 * it runs as Flink says. Anywhere else it runs on a local cluster until it ends, and the terminal
 * shows the job id, the web UI, where the log is and a status line ({@link JobConsole}); Flink's
 * and Kafka's own logging goes to the log file.
 */
final class Launch {
  private static final String PROMETHEUS_PORT = "metrics.reporter.prom.port";

  @Option(
      names = "--log-file",
      paramLabel = "FILE",
      description = "Where a local run logs (default: logs/<job name>.log).")
  Path logFile;

  @Option(
      names = "--status-every",
      paramLabel = "DURATION",
      converter = DurationFlag.class,
      description =
          "How often a local run prints its status (default: 2s on a terminal, else 30s).")
  Duration statusEvery;

  /**
   * Settings a local run needs before its environment is made: its servers on the loopback
   * interface, a free port for the web UI unless {@code flink.rest.port} is set (Flink's local
   * cluster would otherwise pick one and not say), metrics refreshed every second for the status
   * line (the REST API's default is 10 s), and Prometheus metrics on {@code metrics.port} unless
   * the configuration names reporters of its own.
   */
  List<String> settings(RiskstreamConfig config) {
    var flink = config.flinkConfiguration();
    if (!isLocal(config)) {
      return List.of();
    }
    List<String> settings = new ArrayList<>();
    if (!flink.contains(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL)) {
      settings.add("flink." + MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL.key() + "=1 s");
    }
    // The local cluster's REST API cancels jobs for anyone who can reach it, without
    // authentication; it and the blob server listen on the loopback interface unless the
    // configuration says otherwise (docs/operations.md, "What a job prints").
    for (String key :
        List.of(
            RestOptions.BIND_ADDRESS.key(),
            RestOptions.ADDRESS.key(),
            JobManagerOptions.BIND_HOST.key(),
            TaskManagerOptions.BIND_HOST.key())) {
      if (!flink.containsKey(key)) {
        settings.add("flink." + key + "=127.0.0.1");
      }
    }
    if (!flink.contains(RestOptions.PORT)) {
      int port = freePort();
      if (port > 0) {
        settings.add("flink.rest.port=" + port);
      }
      // else Flink picks a port; the status line is then not shown.
    }
    int metrics = config.metricsPort();
    boolean ownReporters = flink.keySet().stream().anyMatch(k -> k.startsWith("metrics.reporter"));
    if (metrics >= 0 && !ownReporters) {
      int port = metrics > 0 ? metrics : freePort();
      if (metrics > 0 && !isFree(port)) {
        throw new ConfigException(
            "'metrics.port' "
                + port
                + " is in use (another riskstream job on this machine?): set metrics.port to"
                + " another port, 0 for any free one, or -1 for none");
      }
      if (port > 0) {
        settings.addAll(RiskstreamConfig.prometheusSettings(port));
      }
    }
    return settings;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      return -1;
    }
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Runs the job; {@code output} names the vertices whose input is the job's output (alerts, rows,
   * messages), counted as {@code outputLabel} in the status line.
   */
  void run(
      StreamExecutionEnvironment env,
      String jobName,
      String outputLabel,
      Predicate<String> output,
      PrintStream out)
      throws Exception {
    var flink = env.getConfiguration();
    if ("remote".equals(flink.get(DeploymentOptions.TARGET))) {
      JobClient job = env.executeAsync(jobName);
      out.println(
          jobName
              + ": submitted as job "
              + job.getJobID()
              + " to http://"
              + flink.get(RestOptions.ADDRESS)
              + ":"
              + flink.get(RestOptions.PORT));
      return;
    }
    if (!(env instanceof LocalStreamEnvironment)) {
      env.execute(jobName);
      return;
    }
    Path log = (logFile != null ? logFile : Path.of("logs", jobName + ".log")).toAbsolutePath();
    LiveLine line =
        statusEvery == null
            ? new LiveLine(out, Duration.ofSeconds(2), Duration.ofSeconds(30))
            : new LiveLine(out, statusEvery, statusEvery);
    try (Logs.ToFile ignored = Logs.toFile(log)) {
      JobClient job = env.executeAsync(jobName);
      String web = "http://127.0.0.1:" + flink.get(RestOptions.PORT);
      String metrics = flink.toMap().get(PROMETHEUS_PORT);
      out.println(
          jobName
              + ": job "
              + job.getJobID()
              + ", web UI "
              + web
              + (metrics == null ? "" : ", metrics http://127.0.0.1:" + metrics + "/metrics")
              + ", log "
              + log);
      new JobConsole(web, job, outputLabel, output, line, out)
          .watch(statusEvery == null ? Duration.ofSeconds(2) : statusEvery);
    }
  }

  private static boolean isLocal(RiskstreamConfig config) {
    return !"remote".equals(config.flinkConfiguration().get(DeploymentOptions.TARGET))
        && !(StreamExecutionEnvironment.getExecutionEnvironment()
            instanceof StreamContextEnvironment);
  }
}
