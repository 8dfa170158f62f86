package io.riskstream.detect;

import static io.riskstream.detect.Rules.AMOUNT_MISMATCH;
import static io.riskstream.detect.Rules.BALANCE_MISMATCH;
import static io.riskstream.detect.Rules.DUPLICATE_PAYMENT;
import static io.riskstream.detect.Rules.FORGED_UTR;
import static io.riskstream.detect.Rules.IP_BURST;
import static io.riskstream.detect.Rules.LARGE_AMOUNT;
import static io.riskstream.detect.Rules.MISSING_ORDER;
import static io.riskstream.detect.Rules.PENDING_TOO_LONG;
import static io.riskstream.detect.Rules.SUSPICIOUS_REFUND;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.riskstream.avro.Severity;
import io.riskstream.config.ConfigException;
import io.riskstream.detect.Rules.Basic;
import io.riskstream.detect.Rules.ForgedUtr;
import io.riskstream.detect.Rules.IpBurst;
import io.riskstream.detect.Rules.LargeAmount;
import io.riskstream.detect.Rules.PendingTooLong;
import io.riskstream.detect.Rules.PerMerchant;
import io.riskstream.detect.Rules.RuleVersion;
import io.riskstream.detect.Rules.SuspiciousRefund;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.flink.util.TimeUtils;

/**
 * The rules file: {@code default-rules.yaml} with a user's file merged over it, read into {@link
 * Rules} and checked once at start. An unknown key, a bad value, or an override that could never
 * apply fails here with the key's path and the fix.
 */
final class RulesFile {
  // Amounts are read as BigDecimal: a YAML float through a double would turn 100000.00 into
  // 100000.0.
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          // 100000.00 stays 100000.00 in the settings a RuleUpdate carries and a diff shows, not
          // 1E+5
          .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true))
          .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

  private RulesFile() {}

  /** Reads the merged tree into the model, checking every value; errors name the key's path. */
  static Rules parse(JsonNode tree, String source) {
    Reader r = new Reader(source);
    Duration matchWindow = r.duration(tree, "match-window", "match-window");
    Duration utrRetention = r.retention(tree, "utr-retention", matchWindow);
    Duration orderRetention = r.retention(tree, "order-retention", matchWindow);
    Duration accountRetention = r.retention(tree, "account-retention", matchWindow);
    JsonNode rules = tree.path("rules");
    Rules.PerMerchant<Rules.ForgedUtr> forgedUtr =
        r.perMerchant(rules, FORGED_UTR, (n, p, f) -> r.forgedUtr(n, p, f));
    Rules.PerMerchant<Rules.Basic> amountMismatch =
        r.perMerchant(rules, AMOUNT_MISMATCH, (n, p, f) -> r.basic(n, p, AMOUNT_MISMATCH, f));
    Rules.PerMerchant<Rules.Basic> duplicatePayment =
        r.perMerchant(rules, DUPLICATE_PAYMENT, (n, p, f) -> r.basic(n, p, DUPLICATE_PAYMENT, f));
    Rules.PerMerchant<Rules.LargeAmount> largeAmount =
        r.perMerchant(rules, LARGE_AMOUNT, (n, p, f) -> r.largeAmount(n, p, f));
    // These decide on records that name no merchant (bank lines, ledger lines, an IP's payers
    // across merchants): an override could never apply, so it is refused rather than ignored.
    Rules.PerMerchant<Rules.Basic> missingOrder =
        r.withoutMerchants(
            rules,
            MISSING_ORDER,
            "bank lines and ledger lines name no merchant",
            (n, p, f) -> r.basic(n, p, MISSING_ORDER, f));
    Rules.PerMerchant<Rules.IpBurst> ipBurst =
        r.withoutMerchants(
            rules, IP_BURST, "one IP's payers span merchants", (n, p, f) -> r.ipBurst(n, p, f));
    Rules.PerMerchant<Rules.Basic> balanceMismatch =
        r.withoutMerchants(
            rules,
            BALANCE_MISMATCH,
            "ledger lines name no merchant",
            (n, p, f) -> r.basic(n, p, BALANCE_MISMATCH, f));
    Rules.PerMerchant<Rules.Basic> statusMismatch =
        r.perMerchant(
            rules, Rules.STATUS_MISMATCH, (n, p, f) -> r.basic(n, p, Rules.STATUS_MISMATCH, f));
    Rules.PerMerchant<PendingTooLong> pendingTooLong =
        r.perMerchant(
            rules,
            PENDING_TOO_LONG,
            (n, p, f) -> r.pendingTooLong(n, p, f, orderRetention, utrRetention));
    Rules.PerMerchant<Rules.Basic> counterpartyMismatch =
        r.perMerchant(
            rules,
            Rules.COUNTERPARTY_MISMATCH,
            (n, p, f) -> r.basic(n, p, Rules.COUNTERPARTY_MISMATCH, f));
    Rules.PerMerchant<SuspiciousRefund> suspiciousRefund =
        r.perMerchant(
            rules, SUSPICIOUS_REFUND, (n, p, f) -> r.suspiciousRefund(n, p, f, orderRetention));
    Rules.PerMerchant<Rules.Basic> utrTypo =
        r.withoutMerchants(
            rules,
            Rules.UTR_TYPO,
            "the pair's bank line names no merchant",
            (n, p, f) -> r.basic(n, p, Rules.UTR_TYPO, f));
    Map<String, PerMerchant<Boolean>> enabled =
        Map.ofEntries(
            Map.entry(FORGED_UTR, forgedUtr.map(f -> f.basic().enabled())),
            Map.entry(AMOUNT_MISMATCH, amountMismatch.map(Basic::enabled)),
            Map.entry(DUPLICATE_PAYMENT, duplicatePayment.map(Basic::enabled)),
            Map.entry(MISSING_ORDER, missingOrder.map(Basic::enabled)),
            Map.entry(LARGE_AMOUNT, largeAmount.map(LargeAmount::enabled)),
            Map.entry(IP_BURST, ipBurst.map(f -> f.basic().enabled())),
            Map.entry(BALANCE_MISMATCH, balanceMismatch.map(Basic::enabled)),
            Map.entry(Rules.STATUS_MISMATCH, statusMismatch.map(Basic::enabled)),
            Map.entry(PENDING_TOO_LONG, pendingTooLong.map(f -> f.basic().enabled())),
            Map.entry(Rules.COUNTERPARTY_MISMATCH, counterpartyMismatch.map(Basic::enabled)),
            Map.entry(SUSPICIOUS_REFUND, suspiciousRefund.map(f -> f.basic().enabled())),
            Map.entry(Rules.UTR_TYPO, utrTypo.map(Basic::enabled)));
    return new Rules(
        matchWindow,
        utrRetention,
        orderRetention,
        accountRetention,
        forgedUtr,
        amountMismatch,
        duplicatePayment,
        missingOrder,
        largeAmount,
        ipBurst,
        balanceMismatch,
        statusMismatch,
        pendingTooLong,
        counterpartyMismatch,
        suspiciousRefund,
        utrTypo,
        enabled);
  }

  static Rules defaults() {
    return parse(defaultTree(), "default rules");
  }

  /** The defaults with {@code file} merged over them; {@code null} gives the defaults. */
  static Rules load(Path file) {
    return file == null ? defaults() : parse(merged(file), file.toString());
  }

  /** The defaults with {@code file} (if any) merged over them, as a tree, checked. */
  static ObjectNode checkedTree(Path file) {
    ObjectNode tree = file == null ? defaultTree() : merged(file);
    parse(tree, file == null ? "default rules" : file.toString());
    return tree;
  }

  /** The defaults with {@code file} merged over them, as a tree, unchecked but for its keys. */
  static ObjectNode merged(Path file) {
    JsonNode user = read(file);
    ObjectNode merged = defaultTree();
    if (user != null && !user.isNull() && !user.isMissingNode()) {
      merge(merged, user, "", file.toString());
    }
    return merged;
  }

  /**
   * Every problem of {@code file}, one line each with its path, the checks of {@link #load}: the
   * windows and retentions, then each rule on its own, so that one bad rule does not hide the next.
   * Within one rule the first problem is reported.
   */
  static List<String> problems(Path file) {
    JsonNode user = read(file);
    if (user == null || user.isNull() || user.isMissingNode()) {
      return List.of();
    }
    if (!user.isObject()) {
      return List.of(file + ": '(top level)' must be a mapping");
    }
    List<String> problems = new ArrayList<>();
    ObjectNode top = ((ObjectNode) user).deepCopy();
    JsonNode rules = top.remove("rules");
    check(problems, top, file);
    if (rules != null && !rules.isObject()) {
      problems.add(file + ": 'rules' must be a mapping");
    } else if (rules != null) {
      rules
          .fields()
          .forEachRemaining(
              rule -> {
                ObjectNode one = top.deepCopy();
                one.putObject("rules").set(rule.getKey(), rule.getValue());
                check(problems, one, file);
              });
    }
    return problems.stream().distinct().toList();
  }

  private static void check(List<String> problems, JsonNode user, Path file) {
    try {
      ObjectNode merged = defaultTree();
      merge(merged, user, "", file.toString());
      parse(merged, file.toString());
    } catch (ConfigException e) {
      problems.add(e.getMessage());
    }
  }

  /**
   * Each rule's settings in {@code file} (merged over the defaults) as the rules-file syntax writes
   * them, without the rule's own version, which a {@code RuleUpdate} carries apart.
   */
  static Map<String, String> settingsByRule(Path file) {
    ObjectNode merged = checkedTree(file);
    Map<String, String> settings = new TreeMap<>();
    merged
        .path("rules")
        .fields()
        .forEachRemaining(
            rule -> {
              ObjectNode copy = ((ObjectNode) rule.getValue()).deepCopy();
              copy.remove("version");
              settings.put(rule.getKey(), yaml(copy));
            });
    return settings;
  }

  /** A rule's settings (the rules-file syntax), as a tree. */
  static JsonNode tree(String settings) {
    try {
      return YAML.readTree(settings);
    } catch (IOException e) {
      throw new ConfigException("unreadable rule settings: " + e.getMessage(), e);
    }
  }

  static String yaml(JsonNode node) {
    try {
      return YAML.writeValueAsString(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(
          "rules file "
              + file
              + (Files.exists(file) ? " is not a file" : " does not exist")
              + "; give the path of a rules file (docs/detection.md), or none for the built-in rules");
    }
    try {
      return YAML.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException("cannot read rules file " + file + ": " + e.getMessage(), e);
    }
  }

  private static ObjectNode defaultTree() {
    try (InputStream in = Rules.class.getResourceAsStream("default-rules.yaml")) {
      return (ObjectNode) YAML.readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException("the built-in default-rules.yaml is unreadable", e);
    }
  }

  /**
   * Deep-merges {@code user} into {@code target}; only keys the defaults know, except under {@code
   * merchants}.
   */
  static void merge(ObjectNode target, JsonNode user, String path, String source) {
    if (!user.isObject()) {
      throw new ConfigException(
          source + ": '" + (path.isEmpty() ? "(top level)" : path) + "' must be a mapping");
    }
    // Maps whose keys are the user's to choose: merchants and the channels of UTR patterns.
    boolean merchants = path.endsWith("merchants") || path.endsWith("utr-patterns");
    Iterator<Map.Entry<String, JsonNode>> fields = user.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String key = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
      JsonNode known = target.get(field.getKey());
      if (known == null && !merchants) {
        throw new ConfigException(
            source
                + ": unknown rules key '"
                + key
                + "'; known here: "
                + names(target.fieldNames()));
      }
      if (known != null && known.isObject() && !known.isEmpty() && !merchants) {
        merge((ObjectNode) known, field.getValue(), key, source);
      } else {
        target.set(field.getKey(), field.getValue());
      }
    }
  }

  private static String names(Iterator<String> names) {
    StringBuilder out = new StringBuilder();
    names.forEachRemaining(n -> out.append(out.length() == 0 ? "" : ", ").append(n));
    return out.toString();
  }

  @FunctionalInterface
  private interface Parser<T> {
    T parse(JsonNode node, String path, T fallback);
  }

  /** Reads typed values out of the merged tree, naming the key's path in every error. */
  private record Reader(String source) {
    <T> PerMerchant<T> perMerchant(JsonNode rules, String id, Parser<T> parser) {
      String path = "rules." + id;
      JsonNode node = rules.path(id);
      T defaults = parser.parse(node, path, null);
      Map<String, T> merchants = new TreeMap<>();
      node.path("merchants")
          .fields()
          .forEachRemaining(
              m -> {
                if (!m.getValue().isObject()) {
                  throw error(
                      path + ".merchants." + m.getKey(), "a mapping of settings to override");
                }
                merchants.put(
                    m.getKey(),
                    parser.parse(m.getValue(), path + ".merchants." + m.getKey(), defaults));
              });
      return new PerMerchant<>(defaults, merchants);
    }

    <T> PerMerchant<T> withoutMerchants(JsonNode rules, String id, String why, Parser<T> parser) {
      JsonNode merchants = rules.path(id).path("merchants");
      if (merchants.isObject() && !merchants.isEmpty()) {
        throw new ConfigException(
            source
                + ": 'rules."
                + id
                + ".merchants' cannot apply: "
                + id
                + " decides without a merchant ("
                + why
                + "); remove the override");
      }
      return perMerchant(rules, id, parser);
    }

    Basic basic(JsonNode node, String path, String id, Basic fallback) {
      return basic(node, path, id, fallback, Set.of());
    }

    Basic basic(JsonNode node, String path, String id, Basic fallback, Set<String> more) {
      Set<String> allowed = new TreeSet<>(more);
      allowed.add("version");
      allowed.add("severity");
      allowed.add("enabled");
      if (fallback == null) {
        allowed.add("merchants");
      }
      for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
        String key = keys.next();
        if (!allowed.contains(key)) {
          throw new ConfigException(
              source
                  + ": unknown rules key '"
                  + path
                  + "."
                  + key
                  + "'; known here: "
                  + String.join(", ", allowed));
        }
      }
      JsonNode version = node.get("version");
      if (version != null && (!version.canConvertToInt() || version.asInt() < 1)) {
        throw error(path + ".version", "a whole number >= 1");
      }
      int v = version != null ? version.asInt() : fallback.rule().version();
      JsonNode on = node.get("enabled");
      if (on != null && !on.isBoolean()) {
        throw error(path + ".enabled", "true or false");
      }
      boolean enabled = on != null ? on.asBoolean() : fallback == null || fallback.enabled();
      Map<Reason, Severity> severities = new EnumMap<>(Reason.class);
      if (fallback == null) {
        for (Reason reason : Reason.values()) {
          if (reason.ruleId().equals(id)) {
            severities.put(reason, reason.defaultSeverity());
          }
        }
      } else {
        severities.putAll(fallback.severities());
      }
      node.path("severity")
          .fields()
          .forEachRemaining(
              s -> {
                Reason reason =
                    severities.keySet().stream()
                        .filter(r -> r.name().equals(s.getKey()))
                        .findFirst()
                        .orElseThrow(
                            () ->
                                error(
                                    path + ".severity." + s.getKey(),
                                    "one of the reasons " + severities.keySet()));
                try {
                  severities.put(reason, Severity.valueOf(s.getValue().asText()));
                } catch (IllegalArgumentException e) {
                  throw error(path + ".severity." + s.getKey(), "LOW, MEDIUM, HIGH or CRITICAL");
                }
              });
      return new Basic(new RuleVersion(id, v), Map.copyOf(severities), enabled);
    }

    ForgedUtr forgedUtr(JsonNode node, String path, ForgedUtr fallback) {
      Basic basic =
          basic(
              node,
              path,
              FORGED_UTR,
              fallback == null ? null : fallback.basic(),
              Set.of("utr-patterns"));
      Map<String, Pattern> patterns =
          new TreeMap<>(fallback == null ? Map.of() : fallback.patterns());
      node.path("utr-patterns")
          .fields()
          .forEachRemaining(
              p -> {
                try {
                  patterns.put(p.getKey(), Pattern.compile(p.getValue().asText()));
                } catch (PatternSyntaxException e) {
                  throw error(
                      path + ".utr-patterns." + p.getKey(),
                      "a regular expression (" + e.getDescription() + ")");
                }
              });
      if (!patterns.containsKey("default")) {
        throw error(
            path + ".utr-patterns.default", "a regular expression for channels without their own");
      }
      return new ForgedUtr(basic, Map.copyOf(patterns));
    }

    LargeAmount largeAmount(JsonNode node, String path, LargeAmount fallback) {
      if (node.has("severity")) {
        throw error(
            path + ".severity",
            "no severity: a large amount's follows the amount (at the limit MEDIUM, 5x HIGH, 10x"
                + " CRITICAL)");
      }
      Basic fallbackBasic =
          fallback == null ? null : new Basic(fallback.rule(), Map.of(), fallback.enabled());
      Basic basic = basic(node, path, LARGE_AMOUNT, fallbackBasic, Set.of("limit", "admin-limit"));
      return new LargeAmount(
          basic.rule(),
          money(node, "limit", path, fallback == null ? null : fallback.limit()),
          money(node, "admin-limit", path, fallback == null ? null : fallback.adminLimit()),
          basic.enabled());
    }

    IpBurst ipBurst(JsonNode node, String path, IpBurst fallback) {
      Basic basic =
          basic(
              node,
              path,
              IP_BURST,
              fallback == null ? null : fallback.basic(),
              Set.of("distinct-payers", "window"));
      JsonNode n = node.get("distinct-payers");
      if (n != null && (!n.canConvertToInt() || n.asInt() < 2)) {
        throw error(path + ".distinct-payers", "a whole number >= 2");
      }
      int payers = n != null ? n.asInt() : fallback.distinctPayers();
      Duration window =
          node.has("window") ? duration(node, "window", path + ".window") : fallback.window();
      return new IpBurst(basic, payers, window);
    }

    /**
     * Each SLA is kept by the state that holds what it waits for: an order's (BANK_PENDING) for the
     * order retention, a UTR's bank lines (BILL_PENDING) for the UTR retention.
     */
    PendingTooLong pendingTooLong(
        JsonNode node,
        String path,
        PendingTooLong fallback,
        Duration orderRetention,
        Duration utrRetention) {
      Basic basic =
          basic(
              node,
              path,
              PENDING_TOO_LONG,
              fallback == null ? null : fallback.basic(),
              Set.of("sla"));
      Map<Reason, Duration> slas = new EnumMap<>(Reason.class);
      if (fallback != null) {
        slas.putAll(fallback.slas());
      }
      Map<Reason, Duration> limits =
          Map.of(
              Reason.BANK_PENDING, orderRetention,
              Reason.BILL_PENDING, utrRetention,
              Reason.LEDGER_PENDING, utrRetention);
      node.path("sla")
          .fields()
          .forEachRemaining(
              e -> {
                String at = path + ".sla." + e.getKey();
                Reason reason =
                    limits.keySet().stream()
                        .filter(k -> k.name().equals(e.getKey()))
                        .findFirst()
                        .orElseThrow(
                            () -> error(at, "one of BANK_PENDING, BILL_PENDING, LEDGER_PENDING"));
                Duration sla = duration(node.path("sla"), e.getKey(), at);
                if (sla.compareTo(limits.get(reason)) > 0) {
                  throw error(
                      at,
                      "at most "
                          + TimeUtils.formatWithHighestUnit(limits.get(reason))
                          + (reason == Reason.BANK_PENDING
                              ? " (order-retention)"
                              : " (utr-retention)")
                          + ": the state it waits in is not kept longer");
                }
                slas.put(reason, sla);
              });
      for (Reason reason : limits.keySet()) {
        if (!slas.containsKey(reason)) {
          throw error(path + ".sla." + reason, "a positive duration such as 2 h");
        }
      }
      return new PendingTooLong(basic, Map.copyOf(slas));
    }

    SuspiciousRefund suspiciousRefund(
        JsonNode node, String path, SuspiciousRefund fallback, Duration orderRetention) {
      Basic basic =
          basic(
              node,
              path,
              SUSPICIOUS_REFUND,
              fallback == null ? null : fallback.basic(),
              Set.of("refund-window"));
      Duration window =
          node.has("refund-window")
              ? duration(node, "refund-window", path + ".refund-window")
              : fallback.refundWindow();
      if (window.compareTo(orderRetention) > 0) {
        throw error(
            path + ".refund-window",
            "at most order-retention ("
                + TimeUtils.formatWithHighestUnit(orderRetention)
                + "): an order is not kept longer");
      }
      return new SuspiciousRefund(basic, window);
    }

    /** A key cleared before its window closes would be decided on half its evidence. */
    Duration retention(JsonNode tree, String key, Duration matchWindow) {
      Duration d = duration(tree, key, key);
      if (d.compareTo(matchWindow) < 0) {
        throw error(
            key,
            "at least match-window ("
                + TimeUtils.formatWithHighestUnit(matchWindow)
                + "): a key cleared before its window closes would be decided on half its evidence");
      }
      return d;
    }

    Duration duration(JsonNode node, String key, String path) {
      String text = node.path(key).asText("");
      try {
        Duration d = TimeUtils.parseDuration(text);
        if (d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("must be positive");
        }
        return d;
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new ConfigException(
            source
                + ": invalid '"
                + path
                + "': '"
                + text
                + "'; expected a positive duration such as 30 min or 30 d");
      }
    }

    BigDecimal money(JsonNode node, String key, String path, BigDecimal fallback) {
      JsonNode value = node.get(key);
      if (value == null && fallback != null) {
        return fallback;
      }
      try {
        BigDecimal amount = new BigDecimal(value == null ? "" : value.asText());
        if (amount.signum() <= 0) {
          throw new NumberFormatException();
        }
        return amount.setScale(2, RoundingMode.UNNECESSARY);
      } catch (NumberFormatException | ArithmeticException e) {
        throw error(path + "." + key, "a positive amount such as 100000.00");
      }
    }

    ConfigException error(String path, String expected) {
      return new ConfigException(source + ": invalid '" + path + "': expected " + expected);
    }
  }
}
