package io.riskstream.detect;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.streaming.api.TimerService;

/** Small moves every detector makes with its keyed state and timers. */
final class KeyedState {
  private KeyedState() {}

  /** A map state's values as a list, for the plain-Java rules. */
  static <V> List<V> values(MapState<?, V> state) throws Exception {
    List<V> values = new ArrayList<>();
    state.values().forEach(values::add);
    return values;
  }

  /**
   * Evaluates when the watermark reaches the event, and again when it reaches the event + W
   * (absence rules).
   */
  static void watch(TimerService timers, long eventTime, long window) {
    timers.registerEventTimeTimer(eventTime);
    timers.registerEventTimeTimer(eventTime + window);
  }
}
