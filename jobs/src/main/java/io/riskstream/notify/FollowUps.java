package io.riskstream.notify;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertUpdate;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by alert id: each update of an alert goes to every target the alert was routed to, as the
 * alert's notices with the update attached ({@link ThresholdGate} then knows whether the alert was
 * sent, is held under a threshold, or never went out). The alert is kept for {@code
 * delivery.dedup-ttl} (7 days): a follow-up is worth sending as long as a repeat of the alert would
 * be suppressed. An update that arrives before its alert waits for it as long.
 */
public final class FollowUps extends KeyedCoProcessFunction<String, Alert, AlertUpdate, Notice> {
  private final NotifySettings settings;
  private transient RouteMatcher routes;
  private transient ValueState<Alert> alert;
  private transient ListState<AlertUpdate> waiting;

  public FollowUps(NotifySettings settings) {
    this.settings = settings;
  }

  @Override
  public void open(OpenContext context) {
    routes = new RouteMatcher(settings);
    StateTtlConfig expiry =
        StateTtlConfig.newBuilder(settings.delivery().dedupTtl()).cleanupFullSnapshot().build();
    ValueStateDescriptor<Alert> alerts =
        new ValueStateDescriptor<>("alert", new AvroTypeInfo<>(Alert.class));
    alerts.enableTimeToLive(expiry);
    alert = getRuntimeContext().getState(alerts);
    ListStateDescriptor<AlertUpdate> updates =
        new ListStateDescriptor<>("waiting-updates", new AvroTypeInfo<>(AlertUpdate.class));
    updates.enableTimeToLive(expiry);
    waiting = getRuntimeContext().getListState(updates);
  }

  @Override
  public void processElement1(Alert raised, Context ctx, Collector<Notice> out) throws Exception {
    if (alert.value() != null) {
      return; // a replay
    }
    alert.update(raised);
    for (AlertUpdate update : waiting.get()) {
      follow(raised, update, out);
    }
    waiting.clear();
  }

  @Override
  public void processElement2(AlertUpdate update, Context ctx, Collector<Notice> out)
      throws Exception {
    Alert raised = alert.value();
    if (raised == null) {
      waiting.add(update);
    } else {
      follow(raised, update, out);
    }
  }

  private void follow(Alert raised, AlertUpdate update, Collector<Notice> out) {
    routes.flatMap(
        raised,
        new Collector<>() {
          @Override
          public void collect(Notice notice) {
            out.collect(notice.with(update));
          }

          @Override
          public void close() {}
        });
  }
}
