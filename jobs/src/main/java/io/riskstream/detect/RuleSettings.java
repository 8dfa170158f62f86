package io.riskstream.detect;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A rules file as separate rules, for the {@code rules} commands: its problems, each rule's
 * settings in the rules-file syntax (what a {@code RuleUpdate} carries), and what changed between
 * two sets of them, per rule and merchant.
 */
public final class RuleSettings {
  private static final String DEFAULTS = "";

  private RuleSettings() {}

  /** Every problem of {@code file}, one line each with its path in the file; none if valid. */
  public static List<String> problems(Path file) {
    return RulesFile.problems(file);
  }

  /** Each rule's settings in {@code file} (null: none), merged over the defaults, by rule id. */
  public static Map<String, String> byRule(Path file) {
    return RulesFile.settingsByRule(file);
  }

  /**
   * What changed from {@code before} to {@code after} (settings by rule id), one line per setting,
   * e.g. {@code large-amount: limit 100000.00 → 75000.00} or {@code large-amount for M-7: limit — →
   * 50000.00}; in rule, merchant and key order.
   */
  public static List<String> diff(Map<String, String> before, Map<String, String> after) {
    List<String> lines = new ArrayList<>();
    TreeSet<String> rules = new TreeSet<>(before.keySet());
    rules.addAll(after.keySet());
    for (String rule : rules) {
      Map<String, Map<String, String>> old = byScope(before.get(rule));
      Map<String, Map<String, String>> now = byScope(after.get(rule));
      TreeSet<String> scopes = new TreeSet<>(old.keySet());
      scopes.addAll(now.keySet());
      for (String scope : scopes) {
        Map<String, String> a = old.getOrDefault(scope, Map.of());
        Map<String, String> b = now.getOrDefault(scope, Map.of());
        TreeSet<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        for (String key : keys) {
          if (!Objects.equals(a.get(key), b.get(key))) {
            lines.add(
                rule
                    + (scope.equals(DEFAULTS) ? "" : " for " + scope)
                    + ": "
                    + key
                    + " "
                    + a.getOrDefault(key, "—")
                    + " → "
                    + b.getOrDefault(key, "—"));
          }
        }
      }
    }
    return lines;
  }

  /** Whether a rule's settings leave it switched on (for everyone; merchants may differ). */
  public static boolean enabled(String settings) {
    return RulesFile.tree(settings).path("enabled").asBoolean(true);
  }

  /** A rule's settings as scope (defaults, or a merchant) to flattened key to value. */
  private static Map<String, Map<String, String>> byScope(String settings) {
    Map<String, Map<String, String>> scopes = new TreeMap<>();
    if (settings == null) {
      return scopes;
    }
    JsonNode tree = RulesFile.tree(settings);
    tree.fields()
        .forEachRemaining(
            field -> {
              if (field.getKey().equals("merchants")) {
                field
                    .getValue()
                    .fields()
                    .forEachRemaining(
                        m ->
                            flatten(
                                m.getValue(),
                                "",
                                scopes.computeIfAbsent(m.getKey(), k -> new TreeMap<>())));
              } else {
                flatten(
                    field.getValue(),
                    field.getKey(),
                    scopes.computeIfAbsent(DEFAULTS, k -> new TreeMap<>()));
              }
            });
    return scopes;
  }

  private static void flatten(JsonNode node, String path, Map<String, String> into) {
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              f ->
                  flatten(
                      f.getValue(), path.isEmpty() ? f.getKey() : path + "." + f.getKey(), into));
    } else {
      into.put(path, node.asText());
    }
  }
}
