package io.riskstream.detect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.riskstream.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.util.TimeUtils;

/**
 * The detection rules and their settings: the built-in defaults of spec section 3 ({@code
 * default-rules.yaml}) with a user's rules file merged over them. Read and checked once at start;
 * an unknown key or a bad value fails with the key's path.
 */
public final class Rules implements Serializable {
  public static final String LARGE_AMOUNT = "large-amount";
  // Amounts are read as BigDecimal: a YAML float through a double would turn 100000.00 into
  // 100000.0.
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  /** A rule's id and the version of its settings, stamped on every alert it raises. */
  public record RuleVersion(String id, int version) implements Serializable {}

  /** LARGE_AMOUNT settings, the default ones or a merchant's. */
  public record LargeAmount(RuleVersion rule, BigDecimal limit, BigDecimal adminLimit)
      implements Serializable {}

  private final Duration matchWindow;
  private final Duration utrRetention;
  private final Duration orderRetention;
  private final LargeAmount largeAmount;
  private final Map<String, LargeAmount> largeAmountByMerchant;

  private Rules(JsonNode tree, String source) {
    Reader r = new Reader(source);
    matchWindow = r.duration(tree, "match-window");
    utrRetention = r.duration(tree, "utr-retention");
    orderRetention = r.duration(tree, "order-retention");
    JsonNode large = tree.path("rules").path(LARGE_AMOUNT);
    String path = "rules." + LARGE_AMOUNT;
    largeAmount = r.largeAmount(large, path, null);
    largeAmountByMerchant = new TreeMap<>();
    large
        .path("merchants")
        .fields()
        .forEachRemaining(
            m ->
                largeAmountByMerchant.put(
                    m.getKey(),
                    r.largeAmount(m.getValue(), path + ".merchants." + m.getKey(), largeAmount)));
  }

  public static Rules defaults() {
    return new Rules(defaultTree(), "default rules");
  }

  /** The defaults with {@code file} merged over them; {@code null} gives the defaults. */
  public static Rules load(Path file) {
    if (file == null) {
      return defaults();
    }
    JsonNode user;
    try {
      user = YAML.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException("cannot read rules file " + file + ": " + e.getMessage(), e);
    }
    ObjectNode merged = defaultTree();
    if (user != null && !user.isNull() && !user.isMissingNode()) {
      merge(merged, user, "", file.toString());
    }
    return new Rules(merged, file.toString());
  }

  public Duration matchWindow() {
    return matchWindow;
  }

  public Duration utrRetention() {
    return utrRetention;
  }

  public Duration orderRetention() {
    return orderRetention;
  }

  /** LARGE_AMOUNT settings of a merchant: its override, or the defaults. */
  public LargeAmount largeAmount(String merchantId) {
    return merchantId == null
        ? largeAmount
        : largeAmountByMerchant.getOrDefault(merchantId, largeAmount);
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
  private static void merge(ObjectNode target, JsonNode user, String path, String source) {
    if (!user.isObject()) {
      throw new ConfigException(
          source + ": '" + (path.isEmpty() ? "(top level)" : path) + "' must be a mapping");
    }
    Iterator<Map.Entry<String, JsonNode>> fields = user.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String key = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
      JsonNode known = target.get(field.getKey());
      boolean freeForm = path.endsWith("merchants");
      if (known == null && !freeForm) {
        throw new ConfigException(
            source
                + ": unknown rules key '"
                + key
                + "'; known here: "
                + iterable(target.fieldNames()));
      }
      if (known != null && known.isObject() && !path.endsWith("merchants")) {
        merge((ObjectNode) known, field.getValue(), key, source);
      } else if (freeForm) {
        if (!field.getValue().isObject()) {
          throw new ConfigException(
              source + ": '" + key + "' must be a mapping of settings to override");
        }
        target.set(field.getKey(), field.getValue());
      } else {
        target.set(field.getKey(), field.getValue());
      }
    }
  }

  private static String iterable(Iterator<String> names) {
    StringBuilder out = new StringBuilder();
    names.forEachRemaining(n -> out.append(out.length() == 0 ? "" : ", ").append(n));
    return out.toString();
  }

  /** Reads typed values out of the merged tree, naming the key's path in every error. */
  private record Reader(String source) {
    Duration duration(JsonNode node, String key) {
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
                + key
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
        return amount.setScale(2, java.math.RoundingMode.UNNECESSARY);
      } catch (NumberFormatException | ArithmeticException e) {
        throw new ConfigException(
            source
                + ": invalid '"
                + path
                + "."
                + key
                + "': expected a positive amount such as 100000.00");
      }
    }

    LargeAmount largeAmount(JsonNode node, String path, LargeAmount fallback) {
      for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
        String key = keys.next();
        boolean allowed =
            key.equals("version")
                || key.equals("limit")
                || key.equals("admin-limit")
                || (fallback == null && key.equals("merchants"));
        if (!allowed) {
          throw new ConfigException(
              source
                  + ": unknown rules key '"
                  + path
                  + "."
                  + key
                  + "'; known here: version, limit, admin-limit"
                  + (fallback == null ? ", merchants" : ""));
        }
      }
      JsonNode version = node.get("version");
      if (version != null && (!version.canConvertToInt() || version.asInt() < 1)) {
        throw new ConfigException(
            source + ": invalid '" + path + ".version': expected a whole number >= 1");
      }
      int v = version != null ? version.asInt() : fallback.rule().version();
      return new LargeAmount(
          new RuleVersion(LARGE_AMOUNT, v),
          money(node, "limit", path, fallback == null ? null : fallback.limit()),
          money(node, "admin-limit", path, fallback == null ? null : fallback.adminLimit()));
    }
  }
}
