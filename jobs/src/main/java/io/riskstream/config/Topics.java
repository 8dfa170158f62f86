package io.riskstream.config;

import java.io.Serializable;

/** The names of riskstream's topics, as configured (spec section 2). */
public record Topics(
    String payments,
    String bills,
    String balanceChanges,
    String alerts,
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
        config.get(RiskstreamOptions.TOPIC_RULES),
        config.get(RiskstreamOptions.TOPIC_LATE_EVENTS),
        config.get(RiskstreamOptions.TOPIC_DEAD_LETTERS));
  }
}
