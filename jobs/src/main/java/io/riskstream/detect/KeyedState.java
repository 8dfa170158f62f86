package io.riskstream.detect;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/** Small moves every detector makes with its keyed state and timers. */
final class KeyedState {
  private KeyedState() {}

  /**
   * A key's few records by id as one value: one point read per access. A map state costs a RocksDB
   * seek and an iterator every time its values are read, and the rules read them all on every
   * timer; a UTR or an order holds one to three records.
   */
  static <V> ValueState<Map<String, V>> smallMap(
      RuntimeContext context, String name, TypeInformation<V> type) {
    return context.getState(new ValueStateDescriptor<>(name, Types.MAP(Types.STRING, type)));
  }

  /** The map held in {@code state}, or a new empty one; write it back with {@code update}. */
  static <V> Map<String, V> read(ValueState<Map<String, V>> state) throws Exception {
    Map<String, V> map = state.value();
    return map == null ? new HashMap<>() : map;
  }
}
