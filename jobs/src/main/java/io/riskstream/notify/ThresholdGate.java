package io.riskstream.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertStatus;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.detect.Masked;
import io.riskstream.io.EventJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Threshold rules, in processing time (on-call acts on the wall clock): the alerts of one
 * threshold, merchant and target are counted from the first one for the rule's window; at the K-th,
 * one summary goes out instead of K messages, and a quiet period starts in which further alerts are
 * held back and summarised together when it ends (nothing is dropped). A window that ends under K
 * sends its alerts one by one if the route asks. Alerts under no threshold pass straight through as
 * one message each.
 *
 * <p>Updates of alerts ({@link FollowUps}) count too: an alert resolved or retracted while it is
 * held leaves the count (thresholds count open alerts only) and is never sent; one that went out,
 * alone or in a summary, gets a follow-up to the same target.
 */
public final class ThresholdGate extends KeyedProcessFunction<String, Notice, Message> {
  private final NotifySettings settings;
  private transient MapState<String, Boolean> seen;
  private transient ListState<Alert> held;
  private transient ValueState<Long> windowEnd;
  private transient ValueState<Long> quietUntil;

  public ThresholdGate(NotifySettings settings) {
    this.settings = settings;
  }

  @Override
  public void open(OpenContext context) {
    MapStateDescriptor<String, Boolean> seenDescriptor =
        new MapStateDescriptor<>("seen-alerts", Types.STRING, Types.BOOLEAN);
    // As long as a follow-up may come (FollowUps keeps an alert as long).
    seenDescriptor.enableTimeToLive(
        StateTtlConfig.newBuilder(settings.delivery().dedupTtl()).cleanupFullSnapshot().build());
    seen = getRuntimeContext().getMapState(seenDescriptor);
    held =
        getRuntimeContext()
            .getListState(new ListStateDescriptor<>("held", new AvroTypeInfo<>(Alert.class)));
    windowEnd = getRuntimeContext().getState(new ValueStateDescriptor<>("window-end", Types.LONG));
    quietUntil =
        getRuntimeContext().getState(new ValueStateDescriptor<>("quiet-until", Types.LONG));
  }

  @Override
  public void processElement(Notice notice, Context ctx, Collector<Message> out) throws Exception {
    if (notice.update != null) {
      followUp(notice, out);
      return;
    }
    if (notice.thresholdId == null) {
      out.collect(single(notice.target, notice.route, notice.alert));
      return;
    }
    if (seen.contains(notice.alert.getAlertId())) {
      return; // a replayed alert must not count twice
    }
    seen.put(notice.alert.getAlertId(), true);
    NotifySettings.Threshold threshold = threshold(notice.thresholdId);
    long now = ctx.timerService().currentProcessingTime();
    held.add(notice.alert);
    Long quiet = quietUntil.value();
    if (quiet != null && now < quiet) {
      return; // summarised when the quiet period ends
    }
    if (windowEnd.value() == null) {
      long end = now + threshold.window().toMillis();
      windowEnd.update(end);
      ctx.timerService().registerProcessingTimeTimer(end);
    }
    List<Alert> alerts = heldAlerts();
    if (alerts.size() >= threshold.count()) {
      out.collect(
          summary(notice.target, notice.route, threshold, notice.alert.getMerchantId(), alerts));
      held.clear();
      windowEnd.clear();
      long end = now + threshold.quiet().toMillis();
      quietUntil.update(end);
      ctx.timerService().registerProcessingTimeTimer(end);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Message> out) throws Exception {
    String[] key = ctx.getCurrentKey().split("\\|", 3);
    String target = key[0];
    NotifySettings.Threshold threshold = threshold(key[1]);
    NotifySettings.Route route = null;
    List<Alert> alerts = heldAlerts();
    Long end = windowEnd.value();
    if (end != null && timestamp >= end) {
      windowEnd.clear();
      held.clear();
      for (Alert alert : alerts) {
        route = routeOf(alert, target);
        if (route != null && route.individualBelowThreshold()) {
          out.collect(single(target, route.name(), alert));
        }
      }
      return;
    }
    Long quiet = quietUntil.value();
    if (quiet != null && timestamp >= quiet) {
      quietUntil.clear();
      held.clear();
      if (!alerts.isEmpty()) {
        route = routeOf(alerts.get(0), target);
        out.collect(summary(target, route == null ? "" : route.name(), threshold, key[2], alerts));
      }
    }
  }

  /**
   * An update of an alert that came to this target: a follow-up if the alert went out; out of the
   * count if it is held and the update closes it.
   */
  private void followUp(Notice notice, Collector<Message> out) throws Exception {
    String id = notice.alert.getAlertId();
    if (notice.thresholdId == null) {
      out.collect(followUp(notice.target, notice.route, notice.alert, notice.update));
      return;
    }
    boolean closes = closes(notice.update);
    if (!seen.contains(id)) {
      if (closes) {
        seen.put(id, true); // closed before it got here: it will not count when it does
      }
      return;
    }
    List<Alert> alerts = heldAlerts();
    if (alerts.stream().anyMatch(a -> a.getAlertId().equals(id))) {
      if (closes) {
        held.update(alerts.stream().filter(a -> !a.getAlertId().equals(id)).toList());
      }
      return;
    }
    out.collect(followUp(notice.target, notice.route, notice.alert, notice.update));
  }

  /** Whether an update takes its alert out of the open ones: resolved or retracted. */
  static boolean closes(AlertUpdate update) {
    return update.getStatus() == AlertStatus.RESOLVED
        || update.getStatus() == AlertStatus.RETRACTED;
  }

  private List<Alert> heldAlerts() throws Exception {
    List<Alert> alerts = new ArrayList<>();
    held.get().forEach(alerts::add);
    return alerts;
  }

  private NotifySettings.Threshold threshold(String id) {
    return settings.thresholds().stream().filter(t -> t.id().equals(id)).findFirst().orElseThrow();
  }

  private NotifySettings.Route routeOf(Alert alert, String target) {
    return settings.routesFor(alert).stream()
        .filter(
            r ->
                (r.telegramChats() != null
                        && r.telegramChats().stream().anyMatch(c -> target.equals("telegram:" + c)))
                    || (r.webhooks() != null
                        && r.webhooks().stream()
                            .anyMatch(w -> target.equals("webhook:" + w.name()))))
        .findFirst()
        .orElse(null);
  }

  static Message single(String target, String route, Alert alert) {
    String text = Messages.single(alert);
    ObjectNode body = EventJson.MAPPER.createObjectNode().put("kind", "alert").put("text", text);
    ObjectNode json = EventJson.toJson(alert);
    json.put("summary", Messages.mask(alert.getSummary(), alert));
    json.put("account_id", Masked.account(alert.getAccountId()));
    body.set("alert", json);
    return new Message(
        id(target, alert.getAlertId()), target, route, text, body.toString(), alert.getAlertId());
  }

  static Message followUp(String target, String route, Alert alert, AlertUpdate update) {
    String text = Messages.followUp(alert, update);
    ObjectNode body =
        EventJson.MAPPER
            .createObjectNode()
            .put("kind", "update")
            .put("text", text)
            .put("alert_id", alert.getAlertId());
    ObjectNode json = EventJson.toJson(update);
    json.put("note", update.getNote() == null ? null : Messages.mask(update.getNote(), alert));
    body.set("update", json);
    Message message =
        new Message(
            id(
                target,
                alert.getAlertId()
                    + "|"
                    + update.getStatus()
                    + "|"
                    + update.getUpdatedAt().toEpochMilli()),
            target,
            route,
            text,
            body.toString(),
            alert.getAlertId());
    message.replyTo = alert.getAlertId();
    return message;
  }

  static Message summary(
      String target,
      String route,
      NotifySettings.Threshold threshold,
      String merchant,
      List<Alert> alerts) {
    String text = Messages.summary(threshold, merchant, alerts);
    String ids = alerts.stream().map(Alert::getAlertId).sorted().collect(Collectors.joining(","));
    ObjectNode body =
        EventJson.MAPPER
            .createObjectNode()
            .put("kind", "summary")
            .put("text", text)
            .put("threshold", threshold.id())
            .put("merchant_id", merchant)
            .put("count", alerts.size());
    body.putArray("alert_ids")
        .addAll(alerts.stream().map(a -> body.textNode(a.getAlertId())).toList());
    return new Message(id(target, ids), target, route, text, body.toString(), ids);
  }

  /**
   * The idempotency key of a message: the same alerts to the same target give the same id, run
   * after run.
   */
  static String id(String target, String what) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest((target + "|" + what).getBytes(StandardCharsets.UTF_8));
      return "msg_" + HexFormat.of().formatHex(hash, 0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
