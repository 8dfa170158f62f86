package io.riskstream.testing;

import io.riskstream.avro.RuleMode;
import io.riskstream.avro.RuleUpdate;
import java.time.Instant;

/** Rule versions as the risk team publishes them, for tests. */
public final class RuleUpdates {
  private RuleUpdates() {}

  /** Version {@code version} of {@code rule} with {@code settings} (rules-file YAML). */
  public static RuleUpdate update(
      String rule, int version, RuleMode mode, String settings, Instant effectiveFrom) {
    return RuleUpdate.newBuilder()
        .setRuleId(rule)
        .setVersion(version)
        .setMode(mode)
        .setSettings(settings)
        .setEffectiveFrom(effectiveFrom)
        .setAuthor("priya")
        .setReason("test")
        .setCreatedAt(effectiveFrom)
        .build();
  }
}
