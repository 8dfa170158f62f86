package io.riskstream.faults;

/**
 * A scenario failed after a process of the cluster died of a fatal error inside the JVM itself: a
 * segmentation fault in VM code or compiled Java, with no native library of the job's on the stack.
 * This stop's fault runs and idle clusters on the same machine, with no job at all, saw such deaths
 * in JobManagers and TaskManagers alike, two processes in the same second, with text where pointers
 * belong: memory corrupted under the processes, not a fault riskstream can cause or handle. A
 * timeout or a restart after such a death says nothing about the job, and the tests run such a
 * scenario once more (and fail if it happens again). An alert lost, repeated or invented after it
 * is not run again: the job must survive a TaskManager's death, whatever killed it. A crash in a
 * native library such as RocksDB's stays an ordinary failure. A process the C library aborts on a
 * corrupt heap as the JVM starts ("malloc(): unaligned tcache chunk detected") counts too, and so
 * does {@code cluster.sh} itself killed by a segmentation fault (bash, once).
 */
final class JvmCrashed extends AssertionError {
  private static final long serialVersionUID = 1L;

  JvmCrashed(String message, Throwable cause) {
    super(message, cause);
  }
}
