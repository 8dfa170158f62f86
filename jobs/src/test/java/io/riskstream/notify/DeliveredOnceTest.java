package io.riskstream.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** At most one message per id, also across a restore from a checkpoint (RocksDB). */
class DeliveredOnceTest {
  private static KeyedOneInputStreamOperatorTestHarness<String, Message, Message> harness(
      OperatorSubtaskState restored) throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new DeliveredOnce(Duration.ofDays(7))),
            (Message m) -> m.id,
            Types.STRING);
    h.setStateBackend(new EmbeddedRocksDBStateBackend());
    if (restored != null) {
      h.initializeState(restored);
    }
    h.open();
    return h;
  }

  private static StreamRecord<Message> message(String id) {
    return new StreamRecord<>(new Message(id, "telegram:-100", "oncall", "text " + id, null, id));
  }

  @Test
  void aMessagePassedBeforeACheckpointIsNotPassedAgainAfterTheRestore() throws Exception {
    OperatorSubtaskState snapshot;
    try (var before = harness(null)) {
      before.processElement(message("m1"));
      before.processElement(message("m1"));
      assertThat(before.extractOutputValues()).extracting(m -> m.id).containsExactly("m1");
      snapshot = before.snapshot(1, 1);
    }
    try (var after = harness(snapshot)) {
      after.processElement(message("m1"));
      after.processElement(message("m2"));

      assertThat(after.extractOutputValues()).extracting(m -> m.id).containsExactly("m2");
    }
  }
}
