package io.riskstream.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.description.TextElement;

/**
 * Reads riskstream's configuration once, from (lowest to highest precedence) the YAML file,
 * environment variables and {@code --set key=value} flags, and validates it: an unknown key, a
 * value of the wrong form or a secret written into the YAML fails here, with a message naming the
 * key and the fix.
 *
 * <p>Environment variables are the key in upper case with dots and dashes as underscores behind
 * {@code RISKSTREAM_}: {@code kafka.bootstrap-servers} is {@code
 * RISKSTREAM_KAFKA_BOOTSTRAP_SERVERS}. The pass-through keys cannot be spelled that way (Kafka's
 * and Flink's own names mix dots and dashes), so, as Flink's Docker image does with {@code
 * FLINK_PROPERTIES}, {@code RISKSTREAM_KAFKA_PROPERTIES} and {@code RISKSTREAM_FLINK_PROPERTIES}
 * hold one {@code key: value} per line, the key without its prefix. A secret {@code k} may also be
 * read from the file named by {@code k-file}.
 */
public final class ConfigLoader {
  public static final String ENV_PREFIX = "RISKSTREAM_";
  private static final String FILE_SUFFIX = "-file";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ConfigLoader() {}

  /**
   * A validated configuration: the typed options plus the pass-through keys, as a Flink {@link
   * Configuration}.
   */
  public static Configuration load(
      Path yamlFile, Map<String, String> environment, List<String> sets) {
    Map<String, Setting> settings = new LinkedHashMap<>();
    if (yamlFile != null) {
      readYaml(yamlFile, settings);
    }
    readEnvironment(environment, settings);
    for (String set : sets) {
      int eq = set.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException("--set expects key=value, got '" + set + "'");
      }
      String key = set.substring(0, eq).trim();
      if (RiskstreamOptions.isSecret(key)) {
        throw new ConfigException(
            "'"
                + key
                + "' is a secret: pass it as "
                + secretVariable(key)
                + " or "
                + key
                + FILE_SUFFIX
                + ", not on the command line");
      }
      settings.put(key, new Setting(set.substring(eq + 1).trim(), "--set"));
    }
    resolveSecretFiles(settings);
    return validate(settings);
  }

  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  private record Setting(String value, String source) {}

  private static void readYaml(Path file, Map<String, Setting> settings) {
    JsonNode root;
    try {
      root = YAML.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException(
          "cannot read configuration file " + file + ": " + e.getMessage(), e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return;
    }
    if (!root.isObject()) {
      throw new ConfigException(file + ": expected a mapping of keys to values at the top level");
    }
    flatten("", root, file.toString(), settings);
  }

  private static void flatten(
      String prefix, JsonNode node, String source, Map<String, Setting> settings) {
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String key = prefix + field.getKey();
      JsonNode value = field.getValue();
      if (value.isObject()) {
        flatten(key + ".", value, source, settings);
      } else if (value.isArray()) {
        throw new ConfigException(source + ": '" + key + "' is a list; expected a single value");
      } else {
        if (RiskstreamOptions.isSecret(key)) {
          throw new ConfigException(
              source
                  + ": '"
                  + key
                  + "' is a secret and must not be written in the file: set "
                  + secretVariable(key)
                  + " or '"
                  + key
                  + FILE_SUFFIX
                  + ": /path/to/file'");
        }
        settings.put(key, new Setting(value.isNull() ? "" : value.asText(), source));
      }
    }
  }

  private static void readEnvironment(
      Map<String, String> environment, Map<String, Setting> settings) {
    Map<String, String> keysByEnvName = new LinkedHashMap<>();
    for (ConfigOption<?> option : RiskstreamOptions.all()) {
      keysByEnvName.put(envName(option.key()), option.key());
      keysByEnvName.put(envName(option.key() + FILE_SUFFIX), option.key() + FILE_SUFFIX);
    }
    for (Map.Entry<String, String> env : new java.util.TreeMap<>(environment).entrySet()) {
      if (!env.getKey().startsWith(ENV_PREFIX)) {
        continue;
      }
      String prefix = PASS_THROUGH_ENV.get(env.getKey());
      if (prefix != null) {
        readPassThrough(env.getKey(), env.getValue(), prefix, settings);
        continue;
      }
      String key = keysByEnvName.get(env.getKey());
      if (key == null) {
        throw new ConfigException(
            "unknown environment variable "
                + env.getKey()
                + closest(env.getKey(), keysByEnvName.keySet())
                + ": riskstream reads RISKSTREAM_<KEY> for the keys listed by --help-config");
      }
      settings.put(key, new Setting(env.getValue(), "environment " + env.getKey()));
    }
  }

  /**
   * The environment variable a secret can come from: its own, or for a pass-through key (such as
   * {@code kafka.properties.sasl.jaas.config}) the variable holding those keys, one per line.
   */
  static String secretVariable(String key) {
    for (Map.Entry<String, String> passThrough : PASS_THROUGH_ENV.entrySet()) {
      if (key.startsWith(passThrough.getValue())) {
        return passThrough.getKey()
            + " (a line '"
            + key.substring(passThrough.getValue().length())
            + ": ...')";
      }
    }
    return envName(key);
  }

  /** The variables holding pass-through keys, one {@code key: value} per line, and their prefix. */
  private static final Map<String, String> PASS_THROUGH_ENV =
      Map.of(
          ENV_PREFIX + "KAFKA_PROPERTIES", "kafka.properties.",
          ENV_PREFIX + "FLINK_PROPERTIES", "flink.");

  private static void readPassThrough(
      String variable, String value, String prefix, Map<String, Setting> settings) {
    int number = 0;
    for (String line : value.split("\\R")) {
      number++;
      if (line.isBlank() || line.strip().startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      int eq = line.indexOf('=');
      int at = colon < 0 ? eq : eq < 0 ? colon : Math.min(colon, eq);
      if (at <= 0) {
        throw new ConfigException(
            "environment "
                + variable
                + ", line "
                + number
                + ": expected 'key: value' (the key without '"
                + prefix
                + "'), got '"
                + line.strip()
                + "'");
      }
      String key = prefix + line.substring(0, at).strip();
      settings.put(key, new Setting(line.substring(at + 1).strip(), "environment " + variable));
    }
  }

  private static void resolveSecretFiles(Map<String, Setting> settings) {
    for (String key : List.copyOf(settings.keySet())) {
      if (!key.endsWith(FILE_SUFFIX)) {
        continue;
      }
      String secretKey = key.substring(0, key.length() - FILE_SUFFIX.length());
      if (!RiskstreamOptions.isSecret(secretKey)) {
        continue;
      }
      Setting file = settings.remove(key);
      try {
        settings.put(
            secretKey, new Setting(Files.readString(Path.of(file.value())).strip(), file.source()));
      } catch (IOException e) {
        throw new ConfigException(
            "cannot read the secret file '"
                + file.value()
                + "' of '"
                + key
                + "' ("
                + file.source()
                + "): "
                + (e instanceof java.nio.file.NoSuchFileException
                    ? "no such file"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e),
            e);
      }
    }
  }

  private static Configuration validate(Map<String, Setting> settings) {
    Map<String, ConfigOption<?>> options =
        RiskstreamOptions.all().stream().collect(Collectors.toMap(ConfigOption::key, o -> o));
    Configuration config = new Configuration();
    for (Map.Entry<String, Setting> entry : settings.entrySet()) {
      String key = entry.getKey();
      Setting setting = entry.getValue();
      if (RiskstreamOptions.PASS_THROUGH_PREFIXES.stream().anyMatch(key::startsWith)) {
        config.setString(key, setting.value());
        continue;
      }
      ConfigOption<?> option = options.get(key);
      if (option == null) {
        throw new ConfigException(
            "unknown configuration key '"
                + key
                + "' ("
                + setting.source()
                + ")"
                + closest(key, options.keySet())
                + "; keys under "
                + RiskstreamOptions.PASS_THROUGH_PREFIXES
                + " are passed through");
      }
      set(config, option, setting);
    }
    return config;
  }

  private static <T> void set(Configuration config, ConfigOption<T> option, Setting setting) {
    T value;
    try {
      value = Configuration.fromMap(Map.of(option.key(), setting.value())).get(option);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "invalid value '"
              + setting.value()
              + "' for '"
              + option.key()
              + "' ("
              + setting.source()
              + "): expected "
              + expectedForm(option)
              + " ("
              + text(option)
              + ")");
    }
    config.set(option, value);
  }

  /** How a value of this option is written, for error messages. */
  static String expectedForm(ConfigOption<?> option) {
    Object example = option.defaultValue();
    if (example instanceof java.time.Duration) {
      return "a duration such as 30 s, 10 min or 1 h";
    }
    if (example instanceof Boolean) {
      return "true or false";
    }
    if (example instanceof Integer) {
      return "a whole number";
    }
    if (example instanceof Enum<?> e) {
      return "one of "
          + java.util.Arrays.stream(e.getDeclaringClass().getEnumConstants())
              .map(Object::toString)
              .toList();
    }
    return "a text value";
  }

  /** A key the typed one is a prefix of (or extends) first, else the nearest by edit distance. */
  private static String closest(String key, Set<String> known) {
    Comparator<String> nearest = Comparator.comparingInt(k -> distance(k, key));
    return known.stream()
        .filter(k -> k.startsWith(key) || key.startsWith(k))
        .min(nearest)
        .or(
            () ->
                known.stream()
                    .min(nearest)
                    .filter(k -> distance(k, key) <= Math.max(3, key.length() / 3)))
        .map(k -> "; did you mean '" + k + "'?")
        .orElse("");
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /** The plain text of an option's description (ours are all plain text). */
  static String text(ConfigOption<?> option) {
    return option.description().getBlocks().stream()
        .filter(TextElement.class::isInstance)
        .map(b -> ((TextElement) b).getFormat())
        .collect(Collectors.joining(" "));
  }

  /** A default as a user writes it: durations as 10 s or 1 min, not PT10S. */
  private static Object written(Object value) {
    return value instanceof java.time.Duration d
        ? org.apache.flink.util.TimeUtils.formatWithHighestUnit(d)
        : value;
  }

  /** The keys and their descriptions, for {@code --help-config}. */
  public static String describe() {
    StringBuilder out = new StringBuilder();
    Set<String> sorted = new TreeSet<>();
    for (ConfigOption<?> option : RiskstreamOptions.all()) {
      sorted.add(
          String.format(
              "  %-34s %s%n      default: %s; env %s%n",
              option.key(),
              text(option),
              option.hasDefaultValue() ? written(option.defaultValue()) : "(none)",
              envName(option.key())));
    }
    sorted.forEach(out::append);
    out.append(
        "  kafka.properties.*                 passed to every Kafka client (security.protocol, ...)\n");
    out.append(
        "  flink.*                            passed to Flink's configuration (any Flink key)\n");
    return out.toString();
  }
}
