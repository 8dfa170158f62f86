package io.riskstream.notify;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertUpdate;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by alert id: lets a Telegram command's update through only for an alert this job has seen
 * within {@code delivery.dedup-ttl} (7 days), the alerts on-call can have heard of; for any other
 * id it replies that no such alert is known (docs/lifecycle.md: an update for an unknown alert is
 * refused).
 */
public final class KnownAlerts
    extends KeyedCoProcessFunction<String, Alert, Commanded, AlertUpdate> {
  private final java.time.Duration ttl;
  private transient ValueState<Boolean> known;

  public KnownAlerts(java.time.Duration ttl) {
    this.ttl = ttl;
  }

  @Override
  public void open(OpenContext context) {
    ValueStateDescriptor<Boolean> descriptor = new ValueStateDescriptor<>("known", Types.BOOLEAN);
    descriptor.enableTimeToLive(StateTtlConfig.newBuilder(ttl).cleanupFullSnapshot().build());
    known = getRuntimeContext().getState(descriptor);
  }

  @Override
  public void processElement1(Alert alert, Context ctx, Collector<AlertUpdate> out)
      throws Exception {
    known.update(true);
  }

  @Override
  public void processElement2(Commanded commanded, Context ctx, Collector<AlertUpdate> out)
      throws Exception {
    if (known.value() != null) {
      out.collect(commanded.update);
      return;
    }
    ctx.output(
        TelegramCommands.REPLIES,
        TelegramCommands.reply(
            commanded.command,
            "no alert "
                + commanded.update.getAlertId()
                + " is known here (alerts of the last "
                + org.apache.flink.util.TimeUtils.formatWithHighestUnit(ttl)
                + "): check the id"));
  }
}
