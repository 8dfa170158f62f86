package io.riskstream.bench;

import io.riskstream.avro.Alert;
import io.riskstream.detect.DetectionWorkflow.Detectors;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The engine's ceiling for riskstream's graph: the detect job with the same sources, filters,
 * key-bys, union and exactly-once sink, but detectors that touch no state, set no timer and emit
 * nothing. What riskstream runs slower than this is the detectors' own cost.
 */
final class Skeleton {
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
}
