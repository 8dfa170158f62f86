package io.riskstream.detect;

/**
 * A detector whose rules can change while it runs: {@link WithRuleUpdates} hands it the rules in
 * force after each published version.
 */
interface RuleDriven {
  void use(RulesInForce rules);
}
