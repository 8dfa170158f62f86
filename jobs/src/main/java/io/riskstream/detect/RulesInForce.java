package io.riskstream.detect;

import java.io.Serializable;

/**
 * The rules a detector decides with, by event time: a fixed {@link Rules} is the same at every
 * time; a {@link RuleBook}'s view changes at each published version's {@code effective_from}.
 */
@FunctionalInterface
public interface RulesInForce extends Serializable {
  /** The rules in force for an event at {@code eventTime} (epoch millis). */
  Rules at(long eventTime);
}
