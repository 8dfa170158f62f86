package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.RuleUpdate;
import java.util.List;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flink's keyed broadcast operator with the detector's values in a {@link KeyedStateCache}: it
 * hands the cache to the detector when it opens, and writes the cache to the state backend before
 * every checkpoint and savepoint takes its snapshot (the operator's {@code snapshotState} runs in
 * the synchronous part, before the keyed state backend's snapshot).
 */
final class DetectorOperator<IN> extends CoBroadcastWithKeyedOperator<String, IN, RuleUpdate, Alert>
    implements KeyContext {
  private static final Logger LOG = LoggerFactory.getLogger(DetectorOperator.class);

  private final int cacheCapacity;
  private transient KeyedStateCache cache;

  /** {@code cacheCapacity}: keys held per keyed value; 0 for no cache. */
  DetectorOperator(WithRuleUpdates<IN> detector, int cacheCapacity) {
    super(detector, List.of(WithRuleUpdates.VERSIONS));
    this.cacheCapacity = cacheCapacity;
  }

  @Override
  public void open() throws Exception {
    // The heap backend holds decoded values already: a cache would only copy them.
    if (cacheCapacity > 0 && !(getKeyedStateBackend() instanceof HeapKeyedStateBackend)) {
      cache = new KeyedStateCache(this, cacheCapacity, getMetricGroup().addGroup("riskstream"));
      ((WithRuleUpdates<IN>) userFunction).cacheStatesIn(cache);
      LOG.info(
          "{}: keyed values cached in front of RocksDB, {} keys per value",
          getRuntimeContext().getTaskInfo().getTaskNameWithSubtasks(),
          cacheCapacity);
    }
    super.open();
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    if (cache != null) {
      cache.flush();
    }
    super.snapshotState(context);
  }
}
