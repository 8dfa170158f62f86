package io.riskstream.cli;

import io.riskstream.config.RiskstreamConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Option;

/**
 * A job started again the way a user would ({@code riskstream detect} after a kill, a reboot or a
 * deploy) resumes from where it left off: from the latest complete checkpoint of that job in {@code
 * checkpoints.dir}, or a savepoint given with {@code --from-savepoint}, and starts fresh only when
 * there is none or {@code --fresh} is given. Started fresh over committed offsets, the job would
 * read on with empty state: alerts lost, duplicated and invented.
 *
 * <p>Each job keeps its checkpoints in a directory of its own name ({@code <checkpoints.dir>/<job
 * name>/<job id>/chk-<n>}), so that jobs sharing {@code checkpoints.dir} never resume from each
 * other's, and the newest complete one is found whatever job id Flink gave each run (a fixed job id
 * would be refused by a session cluster that ran it before). Checkpoints are retained when a job is
 * cancelled.
 *
 * <p>Inside {@code flink run} or an application cluster (Kubernetes), the cluster decides instead.
 */
public final class Resume {
  @Option(
      names = "--fresh",
      description = "Start with empty state even if a checkpoint of this job exists.")
  boolean fresh;

  @Option(
      names = "--from-savepoint",
      paramLabel = "PATH",
      description = "Start from this savepoint (or retained checkpoint) instead of the latest one.")
  String savepoint;

  /** Where the checkpoints of the job named {@code jobName} go. */
  public static String checkpointsOf(String checkpointsDir, String jobName) {
    return new Path(checkpointsDir, jobName.replaceAll("[^A-Za-z0-9._-]", "_")).toString();
  }

  /**
   * The settings that make the job named {@code jobName} resume as above, and one line on {@code
   * out} saying from where.
   */
  public List<String> settings(RiskstreamConfig config, String jobName, PrintStream out) {
    List<String> sets = new ArrayList<>();
    Optional<String> dir = config.checkpointDir().map(d -> checkpointsOf(d, jobName));
    dir.ifPresent(d -> sets.add("flink.execution.checkpointing.dir=" + d));
    if (StreamExecutionEnvironment.getExecutionEnvironment() instanceof StreamContextEnvironment) {
      // Inside flink run or an application cluster (the Kubernetes operator's FlinkDeployment),
      // where the job restores from is the cluster's to say: flink run -s, the operator's
      // savepoint upgrade, HA recovery. A checkpoint chosen here would replace the operator's
      // savepoint with an older checkpoint, and the alerts since would be written again.
      if (fresh || savepoint != null) {
        throw new UserException(
            "--fresh and --from-savepoint do not apply inside flink run or an application"
                + " cluster: give the savepoint to flink run -s PATH, or to the FlinkDeployment's"
                + " job.initialSavepointPath");
      }
      out.println(
          jobName
              + ": restoring as the cluster says (flink run -s, the operator's upgrade, HA"
              + " recovery)");
      return sets;
    }
    Optional<String> from =
        savepoint != null
            ? Optional.of(savepoint)
            : fresh || dir.isEmpty() ? Optional.empty() : latestCheckpointIn(dir.get());
    if (from.isPresent() && config.bounded()) {
      // Refused rather than started: the job would read to the end and then wait forever.
      throw new UserException(
          "kafka.bounded=true cannot resume from "
              + from.get()
              + ": a restored bounded Kafka source never finishes (Kafka connector bug"
              + " FLINK-31006, https://issues.apache.org/jira/browse/FLINK-31006); add --fresh to"
              + " read from kafka.starting-offsets with empty state, or drop kafka.bounded to resume");
    }
    if (from.isPresent()) {
      sets.add("flink.execution.state-recovery.path=" + from.get());
      out.println(
          jobName + ": resuming from " + (savepoint != null ? "savepoint " : "") + from.get());
    } else {
      out.println(
          jobName
              + ": starting with empty state ("
              + (fresh
                  ? "--fresh"
                  : dir.isEmpty()
                      ? "no checkpoints.dir set"
                      : "no complete checkpoint in " + dir.get())
              + ")");
    }
    return sets;
  }

  /** {@link #latestCheckpoint}, a directory Flink cannot read being the user's to fix. */
  private static Optional<String> latestCheckpointIn(String dir) {
    try {
      return latestCheckpoint(dir);
    } catch (IOException e) {
      throw new UserException(
          "cannot look for checkpoints in "
              + dir
              + ": "
              + e.getMessage()
              + "; set checkpoints.dir to a URI Flink can read (file:///path, s3://bucket/path)");
    }
  }

  /**
   * The newest complete checkpoint ({@code <job id>/chk-<n>} holding a {@code _metadata} file)
   * under {@code dir}, by the time its metadata was written, on any file system Flink can read.
   */
  public static Optional<String> latestCheckpoint(String dir) throws IOException {
    Path root = new Path(dir);
    FileSystem fs = root.getFileSystem();
    if (!fs.exists(root)) {
      return Optional.empty();
    }
    Path best = null;
    long newest = Long.MIN_VALUE;
    for (FileStatus job : fs.listStatus(root)) {
      if (!job.isDir()) {
        continue;
      }
      for (FileStatus checkpoint : fs.listStatus(job.getPath())) {
        Path metadata = new Path(checkpoint.getPath(), "_metadata");
        if (checkpoint.isDir()
            && checkpoint.getPath().getName().startsWith("chk-")
            && fs.exists(metadata)) {
          long written = fs.getFileStatus(metadata).getModificationTime();
          if (written > newest) {
            best = checkpoint.getPath();
            newest = written;
          }
        }
      }
    }
    return Optional.ofNullable(best).map(Path::toString);
  }
}
