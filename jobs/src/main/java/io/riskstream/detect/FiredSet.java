package io.riskstream.detect;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The findings a key has raised, for a detector that may take a finding's decision again
 * (UtrMatcher; OrderMatcher keeps its few in its order's value): a timer that runs again or a
 * replayed event raises nothing twice. One map entry per finding, cleared with the key.
 */
final class FiredSet {
  private final MapState<String, Boolean> fired;

  FiredSet(RuntimeContext context) {
    this.fired =
        context.getMapState(new MapStateDescriptor<>("fired", Types.STRING, Types.BOOLEAN));
  }

  /** Records the finding named {@code key}; false when it had fired already. */
  boolean firstTime(String key) throws Exception {
    if (fired.contains(key)) {
      return false;
    }
    fired.put(key, true);
    return true;
  }

  /**
   * Whether the finding {@code key} fired and was not answered yet ({@link AlertUpdates}); records
   * it answered, so redelivered evidence answers nothing twice.
   */
  boolean answerOnce(String key) throws Exception {
    return fired.contains(key) && firstTime(AlertUpdates.answered(key));
  }

  void clear() {
    fired.clear();
  }
}
