package io.riskstream.cli;

import java.io.PrintStream;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs a built job where its configuration says: on a session cluster's REST address ({@code
 * flink.execution.target=remote}, as {@code deploy/local/cluster.sh submit} does) it is submitted,
 * its job id printed, and the command returns while the cluster runs it; anywhere else (a local
 * MiniCluster, or inside {@code flink run}) the command runs until the job ends.
 */
final class Launch {
  private Launch() {}

  static void run(StreamExecutionEnvironment env, String jobName, PrintStream out)
      throws Exception {
    var flink = env.getConfiguration();
    if (!"remote".equals(flink.get(DeploymentOptions.TARGET))) {
      env.execute(jobName);
      return;
    }
    JobClient job = env.executeAsync(jobName);
    out.println(
        jobName
            + ": submitted as job "
            + job.getJobID()
            + " to http://"
            + flink.get(RestOptions.ADDRESS)
            + ":"
            + flink.get(RestOptions.PORT));
  }
}
