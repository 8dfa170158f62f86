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
    String dailySummaries,
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
        config.get(RiskstreamOptions.TOPIC_DAILY_SUMMARIES),
        config.get(RiskstreamOptions.TOPIC_RULES),
        config.get(RiskstreamOptions.TOPIC_LATE_EVENTS),
        config.get(RiskstreamOptions.TOPIC_DEAD_LETTERS));
  }

  /** Every topic, by its configuration key. */
  public Map<String, String> byKey() {
    Map<String, String> topics = new LinkedHashMap<>();
    topics.put("topics.payments", payments);
    topics.put("topics.bills", bills);
    topics.put("topics.balance-changes", balanceChanges);
    topics.put("topics.alerts", alerts);
    topics.put("topics.alert-updates", alertUpdates);
    topics.put("topics.alerts-shadow", alertsShadow);
    topics.put("topics.daily-summaries", dailySummaries);
    topics.put("topics.rules", rules);
    topics.put("topics.late-events", lateEvents);
    topics.put("topics.dead-letters", deadLetters);
    return topics;
  }

  /** The topics the detect job reads and writes, by their configuration key. */
  public Map<String, String> ofDetect() {
    return only(
        "payments",
        "bills",
        "balance-changes",
        "rules",
        "alerts",
        "alerts-shadow",
        "alert-updates",
        "late-events",
        "dead-letters");
  }

  /** The topics {@code produce} writes, by their configuration key. */
  public Map<String, String> ofProduce() {
    return only("payments", "bills", "balance-changes");
  }

  /** The topics the sink job reads and writes, by their configuration key. */
  public Map<String, String> ofSink() {
    return only(
        "alerts",
        "alert-updates",
        "payments",
        "bills",
        "balance-changes",
        "rules",
        "daily-summaries",
        "dead-letters");
  }

  /** The topics the notify job reads and writes, by their configuration key. */
  public Map<String, String> ofNotify() {
    return only("alerts", "alert-updates", "rules", "daily-summaries", "dead-letters");
  }

  /** These topics ({@code topics.<name>} keys), in this order. */
  private Map<String, String> only(String... names) {
    Map<String, String> all = byKey();
    Map<String, String> topics = new LinkedHashMap<>();
    for (String name : names) {
      topics.put("topics." + name, all.get("topics." + name));
    }
    return topics;
  }
}
