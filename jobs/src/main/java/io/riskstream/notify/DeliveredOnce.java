package io.riskstream.notify;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * At most one message per id (alert and target) — also across restarts and replays: keyed by
 * message id, the fact that it was passed on is checkpointed state with a TTL ({@code
 * delivery.dedup-ttl}, 7 days). A message passed on just before a crash is re-sent from the async
 * operator's checkpointed in-flight buffer: a duplicate only inside the crash window, with the same
 * webhook-id for receivers to drop.
 */
public final class DeliveredOnce extends KeyedProcessFunction<String, Message, Message> {
  private final java.time.Duration ttl;
  private transient ValueState<Boolean> passed;

  public DeliveredOnce(java.time.Duration ttl) {
    this.ttl = ttl;
  }

  @Override
  public void open(OpenContext context) {
    ValueStateDescriptor<Boolean> descriptor = new ValueStateDescriptor<>("passed", Types.BOOLEAN);
    descriptor.enableTimeToLive(StateTtlConfig.newBuilder(ttl).cleanupFullSnapshot().build());
    passed = getRuntimeContext().getState(descriptor);
  }

  @Override
  public void processElement(Message message, Context ctx, Collector<Message> out)
      throws Exception {
    if (passed.value() == null) {
      passed.update(true);
      out.collect(message);
    }
  }
}
