package io.riskstream.notify;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertType;
import io.riskstream.avro.Severity;
import io.riskstream.config.ConfigException;
import io.riskstream.detect.Reason;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.TimeUtils;

/**
 * The notification routes file: where alerts go (Telegram chats, webhooks), from which severity,
 * which alert kinds are summarised by threshold rules, and how delivery retries and is
 * rate-limited. Every value is read into its type (durations, alert types, reasons, severities) and
 * checked once at start, each mistake named with its path in the file; secrets (the bot token,
 * webhook secrets) come from environment variables or files it names, never from the file.
 */
public record NotifySettings(
    Telegram telegram,
    List<Route> routes,
    List<Threshold> thresholds,
    Delivery delivery,
    RateLimits rateLimits)
    implements Serializable {

  /**
   * The Telegram Bot API: {@code <base-url>/bot<token>/sendMessage}; the base URL is configurable
   * for tests. {@code commands}: who may send {@code /ack} and {@code /resolve} (none: the job does
   * not read the bot's updates).
   */
  public record Telegram(String baseUrl, String tokenEnv, String tokenFile, Commands commands)
      implements Serializable {}

  /**
   * Telegram commands: the chats (and in each, the users; none: anyone in it) that may acknowledge
   * and resolve alerts, and how long one {@code getUpdates} long poll waits for news.
   */
  public record Commands(List<Allow> allow, Duration pollTimeout) implements Serializable {
    @Override
    public Duration pollTimeout() {
      return pollTimeout == null ? Duration.ofSeconds(25) : pollTimeout;
    }

    /** Whether {@code user} (a username without @, or a numeric id) may command in {@code chat}. */
    public boolean allows(String chat, String userId, String username) {
      return allow != null
          && allow.stream()
              .anyMatch(
                  a ->
                      a.chat().equals(chat)
                          && (a.users() == null
                              || a.users().isEmpty()
                              || a.users().contains(userId)
                              || (username != null
                                  && a.users().stream()
                                      .anyMatch(
                                          u ->
                                              u.replaceFirst("^@", "")
                                                  .equalsIgnoreCase(username)))));
    }
  }

  /** A chat whose members (or these of them: usernames or numeric ids) may command. */
  public record Allow(String chat, List<String> users) implements Serializable {}

  /**
   * A route: alerts of these merchants (none: every merchant without a route of its own) at or
   * above a severity, to these chats and webhooks. {@code belowThreshold}: what to do with a
   * threshold window that ends under its count — send the alerts one by one ({@code individual}) or
   * not at all ({@code summary-only}).
   */
  public record Route(
      String name,
      List<String> merchants,
      Severity minSeverity,
      List<String> telegramChats,
      List<Webhook> webhooks,
      BelowThreshold belowThreshold)
      implements Serializable {
    public boolean individualBelowThreshold() {
      return belowThreshold != BelowThreshold.SUMMARY_ONLY;
    }

    /** Where it sends: {@code telegram:<chat id>} and {@code webhook:<name>}, in that order. */
    public List<String> targets() {
      List<String> targets = new java.util.ArrayList<>();
      if (telegramChats != null) {
        telegramChats.forEach(chat -> targets.add("telegram:" + chat));
      }
      if (webhooks != null) {
        webhooks.forEach(hook -> targets.add("webhook:" + hook.name()));
      }
      return targets;
    }
  }

  /** What a route does with a threshold window that ends under its count. */
  public enum BelowThreshold {
    @JsonProperty("individual")
    INDIVIDUAL,
    @JsonProperty("summary-only")
    SUMMARY_ONLY
  }

  /**
   * A webhook target; its HMAC secret (Standard Webhooks signature) from an environment variable or
   * a file.
   */
  public record Webhook(String name, String url, String secretEnv, String secretFile)
      implements Serializable {}

  /**
   * "At least {@code count} alerts of {@code type} (and {@code reason}) for one merchant within
   * {@code window}."
   */
  public record Threshold(
      String id, AlertType type, Reason reason, int count, Duration window, Duration quiet)
      implements Serializable {
    public boolean matches(Alert alert) {
      return alert.getType() == type && (reason == null || reason.name().equals(alert.getReason()));
    }

    /** How long a merchant's window stays quiet after a summary: the window unless given. */
    @Override
    public Duration quiet() {
      return quiet == null ? window : quiet;
    }
  }

  /**
   * Retries: exponential backoff with jitter from {@code initialBackoff} up to {@code maxBackoff}.
   */
  public record Delivery(
      int maxAttempts,
      Duration initialBackoff,
      Duration maxBackoff,
      Duration timeout,
      Duration dedupTtl)
      implements Serializable {}

  /** At most {@code messages} per {@code per}. */
  public record Limit(int messages, Duration per) implements Serializable {}

  /**
   * Telegram's limits: about 1 message a second per chat, 20 a minute per group, 30 a second per
   * bot.
   */
  public record RateLimits(Limit perChat, Limit perGroup, Limit perBot) implements Serializable {}

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .registerModule(new SimpleModule().addDeserializer(Duration.class, new Durations()));

  /** Durations as the rest of riskstream writes them ("10 min", "1 s"), Flink's syntax. */
  private static final class Durations extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      String text = parser.getValueAsString();
      try {
        Duration d = TimeUtils.parseDuration(text);
        if (d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("not positive");
        }
        return d;
      } catch (RuntimeException e) {
        throw context.weirdStringException(text, Duration.class, "not a positive duration");
      }
    }
  }

  public static NotifySettings load(Path file) {
    NotifySettings settings;
    try {
      settings = YAML.readValue(Files.readString(file), NotifySettings.class);
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(
          file
              + ": unknown key '"
              + e.getPropertyName()
              + "' at "
              + path(e)
              + "; known here: "
              + e.getKnownPropertyIds());
    } catch (InvalidFormatException e) {
      throw new ConfigException(
          file
              + ": invalid value '"
              + e.getValue()
              + "' at "
              + path(e)
              + "; expected "
              + expected(e));
    } catch (JsonMappingException e) {
      throw new ConfigException(
          file
              + ": invalid value at "
              + path(e)
              + ": "
              + e.getOriginalMessage().lines().findFirst().orElse(""));
    } catch (IOException e) {
      throw new ConfigException(
          "cannot read the notification routes "
              + file
              + ": "
              + e.getMessage().lines().findFirst().orElse(""),
          e);
    }
    return settings.withDefaults().validated(file.toString());
  }

  private static String expected(InvalidFormatException e) {
    Class<?> type = e.getTargetType();
    if (type == Duration.class) {
      return "a positive duration such as 10 min or 30 s";
    }
    if (type.isEnum()) {
      return "one of "
          + java.util.Arrays.toString(type.getEnumConstants())
          + (type == BelowThreshold.class ? " (written individual or summary-only)" : "");
    }
    return "a " + type.getSimpleName();
  }

  private static String path(JsonMappingException e) {
    StringBuilder out = new StringBuilder();
    e.getPath()
        .forEach(
            ref ->
                out.append(
                    ref.getFieldName() != null
                        ? "." + ref.getFieldName()
                        : "[" + ref.getIndex() + "]"));
    return out.length() == 0 ? "the top level" : out.substring(1);
  }

  private NotifySettings withDefaults() {
    return new NotifySettings(
        telegram != null
            ? telegram
            : new Telegram("https://api.telegram.org", "TELEGRAM_BOT_TOKEN", null, null),
        routes != null ? routes : List.of(),
        thresholds != null ? thresholds : List.of(),
        delivery != null
            ? delivery
            : new Delivery(
                6,
                Duration.ofSeconds(1),
                Duration.ofMinutes(1),
                Duration.ofSeconds(10),
                Duration.ofDays(7)),
        rateLimits != null
            ? rateLimits
            : new RateLimits(
                new Limit(1, Duration.ofSeconds(1)),
                new Limit(20, Duration.ofMinutes(1)),
                new Limit(30, Duration.ofSeconds(1))));
  }

  private NotifySettings validated(String source) {
    if (routes.isEmpty()) {
      throw new ConfigException(
          source + ": 'routes' is empty: add at least a default route (no merchants)");
    }
    for (Route route : routes) {
      if (route.name() == null || route.minSeverity() == null) {
        throw new ConfigException(
            source + ": every route needs a name and a min-severity (LOW, MEDIUM, HIGH, CRITICAL)");
      }
      if ((route.telegramChats() == null || route.telegramChats().isEmpty())
          && (route.webhooks() == null || route.webhooks().isEmpty())) {
        throw new ConfigException(
            source + ": route '" + route.name() + "' has no telegram-chats and no webhooks");
      }
    }
    Commands commands = telegram.commands();
    if (commands != null) {
      if (commands.allow() == null || commands.allow().isEmpty()) {
        throw new ConfigException(
            source
                + ": telegram.commands.allow is empty: list the chats (and users) that may /ack and"
                + " /resolve, or remove telegram.commands");
      }
      for (Allow allow : commands.allow()) {
        if (allow.chat() == null || allow.chat().isBlank()) {
          throw new ConfigException(
              source
                  + ": every telegram.commands.allow entry needs a chat (its id, e.g. \"-100\")");
        }
      }
    }
    for (Threshold t : thresholds) {
      if (t.type() == null || t.window() == null) {
        throw new ConfigException(
            source + ": threshold '" + t.id() + "' needs a type (an alert type) and a window");
      }
      if (t.reason() != null && t.reason().type() != t.type()) {
        throw new ConfigException(
            source
                + ": threshold '"
                + t.id()
                + "': "
                + t.reason()
                + " is a reason of "
                + t.reason().type()
                + ", not of "
                + t.type());
      }
      if (t.count() < 2) {
        throw new ConfigException(
            source + ": threshold '" + t.id() + "': count must be at least 2");
      }
    }
    for (Limit limit : List.of(rateLimits.perChat(), rateLimits.perGroup(), rateLimits.perBot())) {
      if (limit.messages() < 1 || limit.per() == null) {
        throw new ConfigException(
            source + ": rate-limits: each limit needs messages (at least 1) and per (a duration)");
      }
    }
    if (delivery.initialBackoff() == null
        || delivery.maxBackoff() == null
        || delivery.timeout() == null
        || delivery.dedupTtl() == null) {
      throw new ConfigException(
          source
              + ": delivery needs max-attempts, initial-backoff, max-backoff, timeout and dedup-ttl"
              + " when it is given (defaults: 6, 1 s, 1 min, 10 s, 7 d)");
    }
    if (delivery.maxAttempts() < 1) {
      throw new ConfigException(source + ": delivery.max-attempts must be at least 1");
    }
    return this;
  }

  /**
   * The routes an alert takes: its merchant's own routes, or else the default ones; then by
   * severity.
   */
  public List<Route> routesFor(Alert alert) {
    return routesFor(alert.getMerchantId()).stream()
        .filter(r -> alert.getSeverity().ordinal() >= r.minSeverity().ordinal())
        .toList();
  }

  /** The merchant's own routes, or the default ones when it has none or is unknown (null). */
  public List<Route> routesFor(String merchantId) {
    List<Route> own =
        routes.stream()
            .filter(
                r ->
                    r.merchants() != null
                        && merchantId != null
                        && r.merchants().contains(merchantId))
            .toList();
    return own.isEmpty()
        ? routes.stream().filter(r -> r.merchants() == null || r.merchants().isEmpty()).toList()
        : own;
  }

  /** The first threshold rule an alert falls under, or null. */
  public Threshold thresholdFor(Alert alert) {
    return thresholds.stream().filter(t -> t.matches(alert)).findFirst().orElse(null);
  }

  /** A secret named by an environment variable or a file; null when neither is set. */
  public static String secret(String env, String file, Map<String, String> environment) {
    if (env != null && environment.get(env) != null) {
      return environment.get(env);
    }
    if (file != null) {
      try {
        return Files.readString(Path.of(file)).strip();
      } catch (IOException e) {
        throw new ConfigException("cannot read the secret file " + file + ": " + e.getMessage());
      }
    }
    return null;
  }
}
