package io.riskstream.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which deaths {@link JvmCrashed} covers. The frames are the ones this machine's TaskManagers and
 * JobManagers died in, and the form HotSpot gives a native library's.
 */
class CrashReportsTest {
  @TempDir Path logs;

  @Test
  void aDeathInsideTheJvmIsTheJvmsAndOneInANativeLibraryIsNot() throws Exception {
    report("taskmanager-2-hs_err-25968.log", "v  ~BufferBlob::vtable chunks");
    report(
        "jobmanager-hs_err-1540.log",
        "V  [libjvm.so+0xe551c3]  SystemDictionary::resolve_instance_class_or_null(Symbol*, Handle,"
            + " Handle, JavaThread*)+0xd3");
    report(
        "taskmanager-1-hs_err-4317.log",
        "J 3578 c2 java.util.concurrent.ForkJoinPool.scan(Ljava/util/concurrent/ForkJoinPool$WorkQueue;II)I");
    report(
        "taskmanager-3-hs_err-777.log",
        "C  [librocksdbjni-linux64.so+0x2df2c9]  rocksdb::DBImpl::Get(rocksdb::ReadOptions const&)");
    Files.writeString(logs.resolve("taskmanager-2.log"), "# Problematic frame:\n# C  [x.so]\n");
    Files.writeString(logs.resolve("taskmanager-4-hs_err-778.log"), "#\n# A fatal error has been");

    assertThat(LocalCluster.crashesIn(logs))
        .extracting(LocalCluster.Crash::process, LocalCluster.Crash::inTheJvm)
        .containsExactly(
            tuple("jobmanager", true),
            tuple("taskmanager-1", true),
            tuple("taskmanager-2", true),
            tuple("taskmanager-3", false),
            tuple("taskmanager-4", false));
    assertThat(LocalCluster.crashesIn(logs).get(2))
        .hasToString(
            "taskmanager-2 died in v  ~BufferBlob::vtable chunks ("
                + logs.resolve("taskmanager-2-hs_err-25968.log")
                + ")");
  }

  @Test
  void aProcessAbortedByTheCLibrarysHeapChecksIsTheMachinesAndAFailedStartIsNot() {
    assertThat(
            LocalCluster.abortedOnACorruptHeap(
                "cluster.sh: line 86: 13728 Aborted                 nohup \"$JAVA\" $jvm\n"
                    + "malloc(): unaligned tcache chunk detected\n"))
        .isTrue();
    assertThat(LocalCluster.abortedOnACorruptHeap("double free or corruption (out)")).isTrue();
    assertThat(
            LocalCluster.abortedOnACorruptHeap(
                "JobManager: no REST API at http://localhost:8081 after 60 s\n"
                    + "Error: Could not find or load main class malloc()"))
        .isFalse();
  }

  @Test
  void aScriptKilledBySegfaultOrAbortIsTheMachinesAndOneThatGaveUpIsNot() {
    assertThat(LocalCluster.brokenByTheMachine(139, "")).as("SIGSEGV, nothing written").isTrue();
    assertThat(LocalCluster.brokenByTheMachine(134, "")).as("SIGABRT").isTrue();
    assertThat(LocalCluster.brokenByTheMachine(1, "malloc(): corrupted top size")).isTrue();
    assertThat(
            LocalCluster.brokenByTheMachine(
                1, "cluster.sh: 2 TaskManagers registered not after 60 s; see /tmp/log/"))
        .isFalse();
    assertThat(LocalCluster.brokenByTheMachine(2, "")).isFalse();
  }

  @Test
  void aProcessThatIsNotRunningIsNamedWithItsLog(@TempDir Path home) throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Files.createDirectories(home.resolve("pid"));
    Files.writeString(home.resolve("pid/taskmanager-1.pid"), ProcessHandle.current().pid() + "\n");
    Files.writeString(home.resolve("pid/taskmanager-2.pid"), gone.pid() + "\n");

    assertThat(LocalCluster.exitedIn(home))
        .containsExactly(
            "taskmanager-2 (pid "
                + gone.pid()
                + ") is not running: "
                + home.resolve("log/taskmanager-2.log"));
  }

  private void report(String name, String frame) throws Exception {
    Files.writeString(
        logs.resolve(name),
        "#\n# A fatal error has been detected by the Java Runtime Environment:\n#\n"
            + "#  SIGSEGV (0xb) at pc=0x00007f76eca3c7a0, pid=1, tid=2\n#\n# Problematic frame:\n# "
            + frame
            + "\n#\n");
  }
}
