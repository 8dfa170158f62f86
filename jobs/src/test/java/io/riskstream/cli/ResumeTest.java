package io.riskstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.config.RiskstreamConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.DefaultExecutorServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded run is not resumed from a checkpoint: the Kafka connector's restored bounded source
 * reads to its stopping offsets and then never finishes (FLINK-31006). It says so instead of
 * stalling; an unbounded run resumes as before.
 */
class ResumeTest {
  @TempDir Path checkpoints;

  private RiskstreamConfig config(boolean bounded) {
    return RiskstreamConfig.load(
        null,
        Map.of(),
        List.of(
            "kafka.bootstrap-servers=b:9092",
            "checkpoints.dir=" + checkpoints.toUri(),
            "kafka.bounded=" + bounded));
  }

  @Test
  void aBoundedRunWithACheckpointToResumeFromIsRefusedInOneLine() throws Exception {
    Path checkpoint = Files.createDirectories(checkpoints.resolve("riskstream-detect/6f1c/chk-3"));
    Files.writeString(checkpoint.resolve("_metadata"), "");
    String resumable = "file:" + checkpoint;
    ByteArrayOutputStream said = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(said, true, StandardCharsets.UTF_8);
    Resume fresh = new Resume();
    fresh.fresh = true;

    assertThatThrownBy(() -> new Resume().settings(config(true), "riskstream-detect", out))
        .isInstanceOf(UserException.class)
        .hasMessage(
            "kafka.bounded=true cannot resume from "
                + resumable
                + ": a restored bounded Kafka source never finishes (Kafka connector bug"
                + " FLINK-31006, https://issues.apache.org/jira/browse/FLINK-31006); add --fresh to"
                + " read from kafka.starting-offsets with empty state, or drop kafka.bounded to"
                + " resume");
    assertThat(new Resume().settings(config(false), "riskstream-detect", out))
        .contains("flink.execution.state-recovery.path=" + resumable);
    assertThat(fresh.settings(config(true), "riskstream-detect", out))
        .noneMatch(s -> s.startsWith("flink.execution.state-recovery.path"));
  }

  /**
   * Under the Kubernetes operator (application mode) the job's main runs inside Flink's context:
   * the operator passes the savepoint of an upgrade, and the newest retained checkpoint must not
   * replace it.
   */
  @Test
  void insideAnApplicationClusterTheClusterDecidesWhereToRestoreFrom() throws Exception {
    Path checkpoint = Files.createDirectories(checkpoints.resolve("riskstream-detect/6f1c/chk-3"));
    Files.writeString(checkpoint.resolve("_metadata"), "");
    ByteArrayOutputStream said = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(said, true, StandardCharsets.UTF_8);
    Resume fresh = new Resume();
    fresh.fresh = true;
    StreamContextEnvironment.setAsContext(
        new DefaultExecutorServiceLoader(),
        new Configuration(),
        getClass().getClassLoader(),
        false,
        false);
    try {
      assertThat(new Resume().settings(config(false), "riskstream-detect", out))
          .containsExactly(
              "flink.execution.checkpointing.dir=file:" + checkpoints.resolve("riskstream-detect"));
      assertThatThrownBy(() -> fresh.settings(config(false), "riskstream-detect", out))
          .isInstanceOf(UserException.class)
          .hasMessage(
              "--fresh and --from-savepoint do not apply inside flink run or an application"
                  + " cluster: give the savepoint to flink run -s PATH, or to the FlinkDeployment's"
                  + " job.initialSavepointPath");
    } finally {
      StreamContextEnvironment.unsetAsContext();
    }
    assertThat(said.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "riskstream-detect: restoring as the cluster says (flink run -s, the operator's"
                + " upgrade, HA recovery)\n");
  }
}
