package io.riskstream.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.shaded.guava33.com.google.common.hash.Hashing;

/** State bytes per operator, read from a savepoint's metadata and looked up by operator uid. */
final class StateSizes implements java.io.Serializable {
  private final Map<OperatorID, Long> bytes;

  private StateSizes(Map<OperatorID, Long> bytes) {
    this.bytes = bytes;
  }

  /** Reads {@code <savepoint>/_metadata}. */
  static StateSizes read(String savepoint) throws IOException {
    Path dir = savepoint.startsWith("file:") ? Path.of(URI.create(savepoint)) : Path.of(savepoint);
    try (InputStream in = Files.newInputStream(dir.resolve("_metadata"))) {
      CheckpointMetadata metadata =
          Checkpoints.loadCheckpointMetadata(
              new DataInputStream(in), StateSizes.class.getClassLoader(), savepoint);
      return new StateSizes(
          metadata.getOperatorStates().stream()
              .collect(
                  Collectors.toMap(OperatorState::getOperatorID, OperatorState::getStateSize)));
    }
  }

  /** The bytes of the operator with this uid, across its parallel instances. */
  long of(String uid) {
    Long size = bytes.get(operatorId(uid));
    if (size == null) {
      throw new IllegalStateException("no operator with uid " + uid + " in the savepoint");
    }
    return size;
  }

  /**
   * Flink derives an operator's id from its uid as StreamGraphHasherV2 does: murmur3-128 (seed 0)
   * of the uid's UTF-8 bytes. No public API exposes this mapping outside the state processor.
   */
  static OperatorID operatorId(String uid) {
    return new OperatorID(
        Hashing.murmur3_128(0).newHasher().putString(uid, StandardCharsets.UTF_8).hash().asBytes());
  }
}
