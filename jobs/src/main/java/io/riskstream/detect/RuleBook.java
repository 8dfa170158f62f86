package io.riskstream.detect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riskstream.avro.RuleMode;
import io.riskstream.avro.RuleUpdate;
import io.riskstream.config.ConfigException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The rules file a job started with and the versions published on {@code risk-rules} since
 * (docs/rules.md): which settings decide an event at each event time. A version decides events at
 * or after its {@code effective_from}; of the versions in force, the highest numbered wins; before
 * any, the rules file does. Immutable.
 *
 * <p>The live view reads {@code ACTIVE} and {@code DISABLED} versions; the shadow view reads {@code
 * SHADOW} versions too, so that a shadow version decides beside the active one, in a second set of
 * detectors whose alerts go to the shadow topic.
 */
public final class RuleBook implements Serializable {
  /**
   * Versions kept per rule (the oldest dropped first): a rule changed weekly keeps five months of
   * history, longer than any state's retention, so decisions about events still in state can use
   * the version of their time.
   */
  static final int KEPT = 20;

  /** One published version, as the book keeps it. */
  record Version(String rule, int version, RuleMode mode, String settings, long effectiveFrom)
      implements Serializable {
    static Version of(RuleUpdate u) {
      return new Version(
          u.getRuleId(),
          u.getVersion(),
          u.getMode(),
          u.getSettings(),
          u.getEffectiveFrom().toEpochMilli());
    }
  }

  private final String base;
  private final boolean shadow;
  private final Map<String, List<Version>> versions;
  private transient RulesInForce view;

  private RuleBook(String base, boolean shadow, Map<String, List<Version>> versions) {
    this.base = base;
    this.shadow = shadow;
    this.versions = versions;
  }

  /** The rules file (null: the built-in defaults), with no versions published. */
  public static RuleBook of(Path rulesFile) {
    return new RuleBook(RulesFile.yaml(RulesFile.checkedTree(rulesFile)), false, Map.of());
  }

  /** The built-in rules, with no versions published. */
  public static RuleBook defaults() {
    return of(null);
  }

  /** The same versions, read by the shadow detectors. */
  public RuleBook shadow() {
    return new RuleBook(base, true, versions);
  }

  public boolean isShadow() {
    return shadow;
  }

  /**
   * This book with {@code updates} added (one already here, by rule and version, replaced). The
   * updates are taken as valid: {@link #problem} is for the one place that checks them.
   */
  public RuleBook with(Iterable<RuleUpdate> updates) {
    Map<String, TreeMap<Integer, Version>> byRule = new TreeMap<>();
    versions.forEach(
        (rule, list) ->
            list.forEach(
                v -> byRule.computeIfAbsent(rule, r -> new TreeMap<>()).put(v.version(), v)));
    boolean changed = false;
    for (RuleUpdate u : updates) {
      Version v = Version.of(u);
      changed |=
          !v.equals(byRule.computeIfAbsent(v.rule(), r -> new TreeMap<>()).put(v.version(), v));
    }
    if (!changed) {
      return this;
    }
    Map<String, List<Version>> kept = new TreeMap<>();
    byRule.forEach(
        (rule, all) -> {
          List<Version> list = new ArrayList<>(all.values());
          kept.put(rule, List.copyOf(list.subList(Math.max(0, list.size() - KEPT), list.size())));
        });
    return new RuleBook(base, shadow, kept);
  }

  /** How many published versions the book holds, over all rules. */
  public int size() {
    return versions.values().stream().mapToInt(List::size).sum();
  }

  /** The version of {@code ruleId} in the rules file, below which no update may go. */
  public int fileVersion(String ruleId) {
    return RulesFile.tree(base).path("rules").path(ruleId).path("version").asInt(1);
  }

  /**
   * Why {@code update} cannot be applied, or null when it can: an unknown rule, a version not above
   * {@code last} (the rule's last accepted version, or its version in the rules file), or settings
   * that do not validate (with the key's path, as {@code riskstream rules validate} says it).
   */
  public String problem(RuleUpdate update, int last) {
    ObjectNode tree = (ObjectNode) RulesFile.tree(base);
    JsonNode rules = tree.path("rules");
    if (!rules.has(update.getRuleId())) {
      return "unknown rule '" + update.getRuleId() + "'; known: " + String.join(", ", known(rules));
    }
    if (update.getVersion() <= last) {
      return update.getRuleId()
          + " version "
          + update.getVersion()
          + " is not above its last version, "
          + last;
    }
    try {
      RulesFile.parse(apply(tree, Version.of(update)), source(Version.of(update)));
      return null;
    } catch (ConfigException e) {
      return e.getMessage();
    }
  }

  /** Whether alerts of {@code ruleId} at {@code version} come from a SHADOW version. */
  public boolean isShadowVersion(String ruleId, int version) {
    for (Version v : versions.getOrDefault(ruleId, List.of())) {
      if (v.version() == version) {
        return v.mode() == RuleMode.SHADOW;
      }
    }
    return false;
  }

  /**
   * The rules in force by event time, for this book's view. Between two {@code effective_from}
   * times the rules stay the same, so each stretch is parsed once, here, and a lookup is a floor
   * search.
   */
  public RulesInForce view() {
    if (view == null) {
      view = build();
    }
    return view;
  }

  private RulesInForce build() {
    Rules file = RulesFile.parse(RulesFile.tree(base), "the rules file");
    TreeSet<Long> starts = new TreeSet<>();
    versions
        .values()
        .forEach(
            list -> list.stream().filter(this::reads).forEach(v -> starts.add(v.effectiveFrom())));
    if (starts.isEmpty()) {
      return file;
    }
    NavigableMap<Long, Rules> stretches = new TreeMap<>();
    for (long start : starts) {
      ObjectNode tree = (ObjectNode) RulesFile.tree(base);
      String source = "the rules file";
      for (List<Version> list : versions.values()) {
        Version inForce = null;
        for (Version v : list) {
          if (reads(v) && v.effectiveFrom() <= start) {
            inForce = v; // the list is in version order: the last one in force wins
          }
        }
        if (inForce != null) {
          tree = apply(tree, inForce);
          source = source(inForce);
        }
      }
      stretches.put(start, RulesFile.parse(tree, source));
    }
    return (RulesInForce)
        eventTime -> {
          Map.Entry<Long, Rules> stretch = stretches.floorEntry(eventTime);
          return stretch == null ? file : stretch.getValue();
        };
  }

  private boolean reads(Version v) {
    return shadow || v.mode() != RuleMode.SHADOW;
  }

  /**
   * {@code tree} with the rule's settings replaced by {@code v}'s: its merchant overrides are the
   * version's only, each stamped with the version (what raised an alert is the published version);
   * a DISABLED version switches the rule off for everyone.
   */
  private static ObjectNode apply(ObjectNode tree, Version v) {
    ObjectNode rules = (ObjectNode) tree.path("rules");
    ObjectNode rule = ((ObjectNode) rules.get(v.rule())).deepCopy();
    rule.putObject("merchants");
    RulesFile.merge(rule, RulesFile.tree(v.settings()), "rules." + v.rule(), source(v));
    boolean off = v.mode() == RuleMode.DISABLED;
    rule.put("version", v.version());
    if (off) {
      rule.put("enabled", false);
    }
    rule.path("merchants")
        .fields()
        .forEachRemaining(
            m -> {
              if (m.getValue() instanceof ObjectNode merchant) {
                merchant.put("version", v.version());
                if (off) {
                  merchant.put("enabled", false);
                }
              }
            });
    rules.set(v.rule(), rule);
    return tree;
  }

  private static String source(Version v) {
    return "rule update " + v.rule() + " v" + v.version();
  }

  private static TreeSet<String> known(JsonNode rules) {
    TreeSet<String> ids = new TreeSet<>();
    rules.fieldNames().forEachRemaining(ids::add);
    return ids;
  }
}
