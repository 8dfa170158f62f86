package io.riskstream.bench;

import io.riskstream.avro.Alert;
import io.riskstream.detect.DetectionWorkflow.Detectors;
import io.riskstream.detect.KeyedStateCache;
import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Detectors that decide nothing, for two measures of riskstream's graph: the skeleton's touch no
 * state, set no timer and emit nothing, which is the engine's ceiling for the graph (what
 * riskstream runs slower than it is the detectors' own cost); the state floor's each keep one small
 * value per key, read and written with every event, and one timer per key to forget it: the least a
 * detector that joins events by key and forgets them must do, and so the most any detectors of this
 * graph can reach on the same state backend (with riskstream's cache in front of RocksDB, as the
 * detectors have it).
 */
final class Skeleton {
  /** When the floor forgets a key after its first event: a timer per key that fires in the run. */
  static final Duration FLOOR_RETENTION = Duration.ofHours(1);

  private Skeleton() {}

  static Detectors detectors() {
    return new Detectors(
        new NoOpCoProcess<>(),
        new NoOpCoProcess<>(),
        new NoOpProcess<>(),
        new NoOpProcess<>(),
        new NoOpProcess<>(),
        new NoOpProcess<>());
  }

  static Detectors stateFloor() {
    return new Detectors(
        new OneValueCoProcess<>(),
        new OneValueCoProcess<>(),
        new OneValueProcess<>(),
        new OneValueProcess<>(),
        new OneValueProcess<>(),
        new OneValueProcess<>());
  }

  /** Named "NoOp…" so the skeleton's operators say what they are in the web UI and the logs. */
  static final class NoOpCoProcess<A, B> extends KeyedCoProcessFunction<String, A, B, Alert> {
    @Override
    public void processElement1(A value, Context ctx, Collector<Alert> out) {}

    @Override
    public void processElement2(B value, Context ctx, Collector<Alert> out) {}
  }

  static final class NoOpProcess<A> extends KeyedProcessFunction<String, A, Alert> {
    @Override
    public void processElement(A value, Context ctx, Collector<Alert> out) {}
  }

  /**
   * The floor's state for one key: how many events it has seen, and a timer at its first event's
   * time plus {@link #FLOOR_RETENTION} that clears it.
   */
  static final class OneValue implements Serializable {
    private transient ValueState<Long> seen;

    /** Through the detectors' own cache in front of RocksDB, when the job gives them one. */
    void open(RuntimeContext runtime, OpenContext context) {
      seen =
          KeyedStateCache.value(runtime, context, new ValueStateDescriptor<>("seen", Types.LONG));
    }

    void onEvent(long eventTime, TimerService timers) throws Exception {
      Long count = seen.value();
      if (count == null) {
        timers.registerEventTimeTimer(eventTime + FLOOR_RETENTION.toMillis());
      }
      seen.update(count == null ? 1 : count + 1);
    }

    void forget() {
      seen.clear();
    }
  }

  static final class OneValueCoProcess<A, B> extends KeyedCoProcessFunction<String, A, B, Alert> {
    private final OneValue key = new OneValue();

    @Override
    public void open(OpenContext openContext) {
      key.open(getRuntimeContext(), openContext);
    }

    @Override
    public void processElement1(A value, Context ctx, Collector<Alert> out) throws Exception {
      key.onEvent(ctx.timestamp(), ctx.timerService());
    }

    @Override
    public void processElement2(B value, Context ctx, Collector<Alert> out) throws Exception {
      key.onEvent(ctx.timestamp(), ctx.timerService());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) {
      key.forget();
    }
  }

  static final class OneValueProcess<A> extends KeyedProcessFunction<String, A, Alert> {
    private final OneValue key = new OneValue();

    @Override
    public void open(OpenContext openContext) {
      key.open(getRuntimeContext(), openContext);
    }

    @Override
    public void processElement(A value, Context ctx, Collector<Alert> out) throws Exception {
      key.onEvent(ctx.timestamp(), ctx.timerService());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) {
      key.forget();
    }
  }
}
