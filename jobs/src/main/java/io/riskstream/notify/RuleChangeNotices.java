package io.riskstream.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riskstream.avro.RuleUpdate;
import io.riskstream.detect.RuleSettings;
import io.riskstream.io.EventJson;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Tells the default routes when a rule changes (keyed by rule id): the new version, who and why,
 * what it changes against the rule's previous version, and from when. A version not above the last
 * one told (a replay, a redelivery) is told once.
 */
public final class RuleChangeNotices extends KeyedProcessFunction<String, RuleUpdate, Message> {
  private final NotifySettings settings;
  private transient ValueState<RuleUpdate> last;

  public RuleChangeNotices(NotifySettings settings) {
    this.settings = settings;
  }

  @Override
  public void open(OpenContext context) {
    last =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("last", new AvroTypeInfo<>(RuleUpdate.class)));
  }

  @Override
  public void processElement(RuleUpdate update, Context ctx, Collector<Message> out)
      throws Exception {
    RuleUpdate previous = last.value();
    if (previous != null && update.getVersion() <= previous.getVersion()) {
      return;
    }
    last.update(update);
    String text = text(update, previous);
    for (NotifySettings.Route route : settings.routesFor((String) null)) {
      for (String target : route.targets()) {
        ObjectNode body =
            EventJson.MAPPER
                .createObjectNode()
                .put("kind", "rule_change")
                .put("text", text)
                .put("rule_id", update.getRuleId())
                .put("version", update.getVersion())
                .put("mode", update.getMode().name())
                .put("author", update.getAuthor())
                .put("effective_from", update.getEffectiveFrom().toString());
        out.collect(
            new Message(
                ThresholdGate.id(target, "rule|" + update.getRuleId() + "|" + update.getVersion()),
                target,
                route.name(),
                text,
                body.toString(),
                ""));
      }
    }
  }

  /**
   * "large-amount v3 ACTIVE by priya (M-7 chargebacks): for M-7: limit 100000.00 → 75000.00,
   * effective 2026-12-01T18:30:00Z".
   */
  static String text(RuleUpdate update, RuleUpdate previous) {
    String rule = update.getRuleId();
    List<String> changes =
        RuleSettings.diff(
            previous == null ? Map.of() : Map.of(rule, previous.getSettings()),
            Map.of(rule, update.getSettings()));
    String what =
        previous == null
            ? "first version on the topic"
            : changes.isEmpty()
                ? "settings unchanged"
                : String.join(
                    "; ",
                    // "large-amount for M-7: limit …" → "for M-7: limit …"
                    changes.stream()
                        .map(c -> c.substring(rule.length()).replaceFirst("^: ", "").strip())
                        .toList());
    return String.format(
        "%s v%d %s by %s (%s): %s, effective %s",
        rule,
        update.getVersion(),
        update.getMode(),
        update.getAuthor(),
        update.getReason(),
        what,
        update.getEffectiveFrom());
  }
}
