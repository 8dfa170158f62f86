package io.riskstream.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.testkit.Directories;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInfo;
import org.junitpioneer.jupiter.RetryingTest;

/**
 * Faults on a real multi-process cluster ({@code deploy/local}): a JobManager and two TaskManagers
 * as separate JVMs, {@code detect} and {@code sink} submitted as an operator would, processes
 * killed with {@code -9}. Each run ends with exactly the alert set {@code backtest} finds in the
 * same traffic, each alert once on the topic and in PostgreSQL. The untagged tests are the short
 * version every {@code mvn verify} runs; {@code -Pfaults} runs the {@code long} ones too. A
 * scenario that failed because a process died inside the JVM itself runs once more ({@link
 * JvmCrashed}), in a directory of its own, so that both runs' logs stay.
 */
class ClusterFaultsITCase {
  /** Under target/, kept after the run: each process's log is there when a fault test fails. */
  private Path dir;

  @BeforeEach
  void runDirectory(TestInfo test) throws Exception {
    dir =
        Path.of(
                "target",
                "fault-runs",
                test.getTestMethod().orElseThrow().getName()
                    + test.getDisplayName().replaceAll("[^0-9]", ""))
            .toAbsolutePath();
    Directories.deleteRecursively(dir);
    Files.createDirectories(dir);
  }

  @RetryingTest(maxAttempts = 2, onExceptions = JvmCrashed.class)
  void aTaskManagerKilledAfterTwoCheckpointsLosesAndRepeatsNothing() throws Exception {
    try (FaultRun run = new FaultRun(dir, FaultRun.Options.of(12_000, 800))) {
      String detect = run.submitBoth();
      run.startTraffic();
      run.awaitCheckpoints(detect, 2);
      long restartedBefore = run.cluster.lastRestart(detect);

      String victim = run.cluster.taskManagersOf(detect).first();
      long killed = System.nanoTime();
      run.cluster.kill(victim);
      assertThat(run.trafficWritten()).as("the kill landed mid-stream").isFalse();
      run.cluster.startTaskManager(victim);
      run.awaitRestart(detect, restartedBefore);
      double recovery = run.awaitRecovered(detect, killed);

      run.awaitSettled();
      run.assertExact("kill -9 of a TaskManager", recovery);
      run.assertLogsHideSecretsAndUpiIds();
    }
  }

  /**
   * A TaskManager killed once the job has read the last records, before the partitions without the
   * closing order go idle: the restored job has nothing more to read, and must still decide the
   * traffic's last cases from the watermark the closing order had given before the kill. Flink
   * restores no watermark; riskstream's sources keep it ({@code RestoredWatermark}). Without that,
   * those alerts never came.
   */
  @RetryingTest(maxAttempts = 2, onExceptions = JvmCrashed.class)
  @Tag("long")
  void aTaskManagerKilledAfterTheLastRecordsLosesNothing() throws Exception {
    try (FaultRun run = new FaultRun(dir, FaultRun.Options.of(12_000, 800))) {
      String detect = run.submitBoth();
      run.startTraffic();
      run.awaitAllRead();
      assertThat(new TreeSet<>(run.committedAlertIds()))
          .as("the kill landed before the last alerts were committed")
          .hasSizeLessThan(run.expected.size());
      long restartedBefore = run.cluster.lastRestart(detect);

      String victim = run.cluster.taskManagersOf(detect).first();
      long killed = System.nanoTime();
      run.cluster.kill(victim);
      run.cluster.startTaskManager(victim);
      run.awaitRestart(detect, restartedBefore);
      double recovery = run.awaitRecovered(detect, killed);

      run.awaitSettled();
      run.assertExact("kill -9 of a TaskManager after the last records were read", recovery);
    }
  }

  @RetryingTest(maxAttempts = 2, onExceptions = JvmCrashed.class)
  void poisonPillsAtOnePercentAreDeadLetteredOnceWithoutARestart() throws Exception {
    try (FaultRun run = new FaultRun(dir, FaultRun.Options.of(12_000, 1_500).withPillEvery(100))) {
      String detect = run.submitBoth();
      run.startTraffic();
      run.awaitSettled();
      assertThat(run.pillsSent()).isEqualTo(120);
      run.assertNeverRestarted(detect);
      run.assertExact("poison pills at 1 %", 0);
      run.assertLogsHideSecretsAndUpiIds();
    }
  }

  @RetryingTest(maxAttempts = 2, onExceptions = JvmCrashed.class)
  @Tag("long")
  void fiveTaskManagerKillsAtRandomMoments() throws Exception {
    Random random = new Random(11);
    // 280 s of traffic: five rounds of a checkpoint, a kill and a recovery (25-35 s each on two
    // loaded cores) took more than the 175 s that 400 events/s gave, and the last kill came after.
    try (FaultRun run = new FaultRun(dir, FaultRun.Options.of(70_000, 250))) {
      // With the detectors' cache in front of RocksDB, small enough that keys are evicted and
      // written between checkpoints: a kill then drops values only the cache or RocksDB's
      // post-checkpoint writes held, which the restore must not miss.
      String detect = run.submitBoth("--set", "state.cache-keys=100");
      run.startTraffic();
      double slowest = 0;
      for (int kill = 0; kill < 5; kill++) {
        run.awaitCheckpoints(detect, run.cluster.completedCheckpoints(detect) + 1);
        Thread.sleep(random.nextInt(4_000));
        long restartedBefore = run.cluster.lastRestart(detect);
        // One of the TaskManagers running detect's tasks, at random.
        List<String> running = new ArrayList<>(run.cluster.taskManagersOf(detect));
        String victim = running.get(random.nextInt(running.size()));
        long killed = System.nanoTime();
        run.cluster.kill(victim);
        assertThat(run.trafficWritten()).as("kill " + kill + " landed mid-stream").isFalse();
        run.cluster.startTaskManager(victim);
        run.awaitRestart(detect, restartedBefore);
        slowest = Math.max(slowest, run.awaitRecovered(detect, killed));
      }
      run.awaitSettled();
      run.assertExact("five kills -9 of TaskManagers (slowest recovery)", slowest);
    }
  }

  @RetryingTest(maxAttempts = 2, onExceptions = JvmCrashed.class)
  @Tag("long")
  void aJobManagerKilledAndStartedAgainResumesFromTheRetainedCheckpoints() throws Exception {
    resubmittedAfter(
        "kill -9 of the JobManager, started and resubmitted",
        run -> {
          run.cluster.kill("jobmanager");
          run.cluster.startJobManager();
        });
  }

  @RetryingTest(maxAttempts = 2, onExceptions = JvmCrashed.class)
  @Tag("long")
  void theWholeClusterStoppedAndStartedResumes() throws Exception {
    resubmittedAfter(
        "whole cluster stopped and started",
        run -> {
          run.cluster.stop();
          run.cluster.start(2);
        });
  }

  /** What takes the jobs down with it, and brings the cluster back. */
  @FunctionalInterface
  private interface Outage {
    void happen(FaultRun run) throws Exception;
  }

  /**
   * The jobs taken down mid-stream by {@code outage} and submitted again as an operator would:
   * without HA services they died with their JobManager, and each resumes from its newest retained
   * checkpoint (cli/Resume).
   */
  private void resubmittedAfter(String fault, Outage outage) throws Exception {
    // A minute of traffic: stopping every process cleanly and starting them again takes ~30 s.
    try (FaultRun run = new FaultRun(dir, FaultRun.Options.of(30_000, 500))) {
      String detect = run.submitBoth();
      run.startTraffic();
      run.awaitCheckpoints(detect, 2);

      long down = System.nanoTime();
      outage.happen(run);
      assertThat(run.trafficWritten()).as("the outage ended mid-stream").isFalse();
      String again = run.submitBoth();
      double recovery = run.awaitRecovered(again, down);

      run.awaitSettled();
      run.assertExact(fault, recovery);
    }
  }

  @RetryingTest(maxAttempts = 2, onExceptions = JvmCrashed.class)
  @Tag("long")
  void aSavepointTakenAtParallelismTwoRestoresAtOneAndAtFour() throws Exception {
    // 120 s of traffic: two checkpoints, a savepoint, a restore at 1, two checkpoints and a second
    // savepoint outlasted 60 s of it on a loaded machine ("both rescales landed mid-stream").
    try (FaultRun run = new FaultRun(dir, FaultRun.Options.of(30_000, 250))) {
      String detect = run.submitBoth();
      run.startTraffic();
      run.awaitCheckpoints(detect, 2);

      long stopped = System.nanoTime();
      String atTwo = run.cluster.stopWithSavepoint(detect);
      String atOne = run.submit("detect", "--from-savepoint", atTwo, "--set", "job.parallelism=1");
      double toOne = run.awaitRecovered(atOne, stopped);
      run.awaitCheckpoints(atOne, 2);

      stopped = System.nanoTime();
      String fromOne = run.cluster.stopWithSavepoint(atOne);
      assertThat(run.trafficWritten()).as("both rescales landed mid-stream").isFalse();
      String atFour =
          run.submit("detect", "--from-savepoint", fromOne, "--set", "job.parallelism=4");
      double toFour = run.awaitRecovered(atFour, stopped);

      run.awaitSettled();
      run.assertExact("savepoint at 2 → 1 → 4 (slower rescale)", Math.max(toOne, toFour));
    }
  }

  @RetryingTest(maxAttempts = 2, onExceptions = JvmCrashed.class)
  @Tag("long")
  void theBrokerRestartedCleanlyAndThenKilledLosesNothing() throws Exception {
    try (FaultRun run =
        new FaultRun(dir, FaultRun.Options.of(16_000, 500).withBrokerInChildProcess())) {
      String detect = run.submitBoth();
      run.startTraffic();
      run.awaitCheckpoints(detect, 2);

      long down = System.nanoTime();
      run.stopBroker();
      Thread.sleep(3_000);
      run.restartBroker();
      run.awaitCheckpoints(detect, run.cluster.completedCheckpoints(detect) + 2);
      double clean = (System.nanoTime() - down) / 1e9;

      down = System.nanoTime();
      run.killBroker();
      assertThat(run.trafficWritten()).as("the broker faults landed mid-stream").isFalse();
      Thread.sleep(3_000);
      run.restartBroker();
      run.awaitCheckpoints(detect, run.cluster.completedCheckpoints(detect) + 2);
      double killed = (System.nanoTime() - down) / 1e9;

      run.awaitSettled();
      run.assertExact(
          String.format("broker stopped (%.1f s to checkpoint again) and killed -9", clean),
          killed);
    }
  }

  /**
   * PostgreSQL stopped for 15 s under the running sink job and started again on its data: the sink
   * job restarts until it can write again, and the TaskManagers it shares with {@code detect} stay
   * up. (The JDBC writer threw from its close during the failed task's cleanup, which Flink treats
   * as fatal: both TaskManagers exited, and detect with them. {@code QuietlyClosedJdbcSink}.)
   */
  @RetryingTest(maxAttempts = 2, onExceptions = JvmCrashed.class)
  @Tag("long")
  void postgresStoppedUnderTheSinkJobTakesNoTaskManagerDown() throws Exception {
    try (FaultRun run = new FaultRun(dir, FaultRun.Options.of(16_000, 500))) {
      String detect = run.submitBoth();
      String sink = run.sinkJob();
      List<ProcessHandle> taskManagers =
          List.of(run.cluster.running("taskmanager-1"), run.cluster.running("taskmanager-2"));
      run.startTraffic();
      run.awaitCheckpoints(sink, 2);
      long restartedBefore = run.cluster.lastRestart(sink);

      long down = System.nanoTime();
      run.stopPostgres();
      run.awaitRestart(sink, restartedBefore);
      Thread.sleep(Math.max(0, 15_000 - (System.nanoTime() - down) / 1_000_000));
      assertThat(run.trafficWritten()).as("the outage landed mid-stream").isFalse();
      run.startPostgres();
      double recovery = run.awaitRecovered(sink, down);

      run.awaitSettled();
      assertThat(taskManagers).as("the TaskManagers' processes").allMatch(ProcessHandle::isAlive);
      run.assertNeverRestarted(detect);
      run.assertExact("PostgreSQL stopped 15 s under the sink job", recovery);
    }
  }

  /**
   * Every input topic has a partition nothing is written to, and the bills fall far behind (the
   * detect job's bills consumers throttled by a broker quota): the watermark still advances, and
   * holds back for the bills that are late in reading, not in time.
   */
  @RetryingTest(maxAttempts = 2, onExceptions = JvmCrashed.class)
  @Tag("long")
  void anEmptyPartitionAndATopicFarBehindStillGiveTheExactSet() throws Exception {
    try (FaultRun run = new FaultRun(dir, FaultRun.Options.of(12_000, 800).withEmptyPartitions())) {
      run.throttleDetect(run.config.topics().bills(), 4_000);
      String detect = run.submitBoth();
      run.startTraffic();
      run.awaitCheckpoints(detect, 2);
      run.awaitSettled();
      run.assertNeverRestarted(detect);
      run.assertExact("an empty partition per topic, bills throttled to 4 kB/s", 0);
    }
  }

  /**
   * The registry down for 30 s while the job meets a writer schema it has not seen: refusing
   * connections, then answering 503, then 404 from a proxy. Nothing good is dead-lettered and the
   * alert set is exact, in every one of five runs: recovery must be deterministic.
   */
  @RepeatedTest(5)
  @Tag("long")
  void theRegistryDownForThirtySecondsLosesNothing(RepetitionInfo repetition) throws Exception {
    String fault = "registry down 30 s, run " + repetition.getCurrentRepetition() + " of 5";
    try {
      registryDown(dir, fault);
    } catch (JvmCrashed crashed) {
      // What @RetryingTest does for the other scenarios, which a repeated test cannot also be.
      System.out.println("FAULT " + fault + " runs again: " + crashed.getMessage());
      Path again = dir.resolveSibling(dir.getFileName() + "-again");
      Directories.deleteRecursively(again);
      registryDown(Files.createDirectories(again), fault);
    }
  }

  private static void registryDown(Path dir, String fault) throws Exception {
    try (FaultRun run =
        new FaultRun(dir, FaultRun.Options.of(12_000, 800).withNewerWriterFromHalfway())) {
      String detect = run.submit("detect", "--set", "registry.timeout=1 s");
      run.submit("sink", "--set", "registry.timeout=1 s");
      CountDownLatch down = new CountDownLatch(1);
      run.startTraffic(
          () -> {
            run.registry().stopListening();
            down.countDown();
          });
      assertThat(down.await(2, TimeUnit.MINUTES)).isTrue();
      long since = System.nanoTime();
      run.registry().recoverThroughEveryOutage(Duration.ofSeconds(10));
      double recovery = run.awaitRecovered(detect, since);

      run.awaitSettled();
      run.assertExact(fault, recovery);
    }
  }
}
