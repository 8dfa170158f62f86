package io.riskstream.config;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/** The names of riskstream's topics, as configured (docs/contract.md (topics and wire format)). */
public record Topics(
    String payments,
    String bills,
    String balanceChanges,
    String alerts,
    String alertUpdates,
    String alertsShadow,
    String rules,
    String lateEvents,
    String deadLetters)
    implements Serializable {

  static Topics from(org.apache.flink.configuration.Configuration config) {
    return new Topics(
        config.get(RiskstreamOptions.TOPIC_PAYMENTS),
        config.get(RiskstreamOptions.TOPIC_BILLS),
        config.get(RiskstreamOptions.TOPIC_BALANCE_CHANGES),
        config.get(RiskstreamOptions.TOPIC_ALERTS),
        config.get(RiskstreamOptions.TOPIC_ALERT_UPDATES),
        config.get(RiskstreamOptions.TOPIC_ALERTS_SHADOW),
        config.get(RiskstreamOptions.TOPIC_RULES),
        config.get(RiskstreamOptions.TOPIC_LATE_EVENTS),
        config.get(RiskstreamOptions.TOPIC_DEAD_LETTERS));
  }

  /** Every topic, by its configuration key. */
  public Map<String, String> byKey() {
    return byKey(
        "topics.payments", payments,
        "topics.bills", bills,
        "topics.balance-changes", balanceChanges,
        "topics.alerts", alerts,
        "topics.alert-updates", alertUpdates,
        "topics.alerts-shadow", alertsShadow,
        "topics.rules", rules,
        "topics.late-events", lateEvents,
        "topics.dead-letters", deadLetters);
  }

  /** The topics the detect job reads and writes, by their configuration key. */
  public Map<String, String> ofDetect() {
    return byKey(
        "topics.payments", payments,
        "topics.bills", bills,
        "topics.balance-changes", balanceChanges,
        "topics.alerts", alerts,
        "topics.late-events", lateEvents,
        "topics.dead-letters", deadLetters);
  }

  /** The topics {@code produce} writes, by their configuration key. */
  public Map<String, String> ofProduce() {
    return byKey(
        "topics.payments",
        payments,
        "topics.bills",
        bills,
        "topics.balance-changes",
        balanceChanges);
  }

  /** The topics the sink job reads and writes, by their configuration key. */
  public Map<String, String> ofSink() {
    return byKey(
        "topics.alerts", alerts,
        "topics.payments", payments,
        "topics.bills", bills,
        "topics.balance-changes", balanceChanges,
        "topics.dead-letters", deadLetters);
  }

  /** The topics the notify job reads and writes, by their configuration key. */
  public Map<String, String> ofNotify() {
    return byKey("topics.alerts", alerts, "topics.dead-letters", deadLetters);
  }

  private static Map<String, String> byKey(String... keysAndTopics) {
    Map<String, String> topics = new LinkedHashMap<>();
    for (int i = 0; i < keysAndTopics.length; i += 2) {
      topics.put(keysAndTopics[i], keysAndTopics[i + 1]);
    }
    return topics;
  }
}
