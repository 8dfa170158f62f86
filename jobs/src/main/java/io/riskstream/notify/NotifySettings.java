package io.riskstream.notify;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.riskstream.avro.Alert;
import io.riskstream.avro.Severity;
import io.riskstream.config.ConfigException;
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
 * rate-limited. Read and checked once at start; secrets (the bot token, webhook secrets) come from
 * environment variables or files it names, never from the file.
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
   * for tests.
   */
  public record Telegram(String baseUrl, String tokenEnv, String tokenFile)
      implements Serializable {}

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
      String belowThreshold)
      implements Serializable {
    public boolean individualBelowThreshold() {
      return !"summary-only".equals(belowThreshold);
    }
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
      String id, String type, String reason, int count, String window, String quiet)
      implements Serializable {
    public boolean matches(Alert alert) {
      return alert.getType().name().equals(type)
          && (reason == null || reason.equals(alert.getReason()));
    }

    public Duration windowDuration() {
      return TimeUtils.parseDuration(window);
    }

    public Duration quietDuration() {
      return quiet == null ? windowDuration() : TimeUtils.parseDuration(quiet);
    }
  }

  /**
   * Retries: exponential backoff with jitter from {@code initialBackoff} up to {@code maxBackoff}.
   */
  public record Delivery(
      int maxAttempts, String initialBackoff, String maxBackoff, String timeout, String dedupTtl)
      implements Serializable {}

  /** At most {@code messages} per {@code per}. */
  public record Limit(int messages, String per) implements Serializable {
    public Duration period() {
      return TimeUtils.parseDuration(per);
    }
  }

  /**
   * Telegram's limits: about 1 message a second per chat, 20 a minute per group, 30 a second per
   * bot.
   */
  public record RateLimits(Limit perChat, Limit perGroup, Limit perBot) implements Serializable {}

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

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

  private static String path(UnrecognizedPropertyException e) {
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
            : new Telegram("https://api.telegram.org", "TELEGRAM_BOT_TOKEN", null),
        routes != null ? routes : List.of(),
        thresholds != null ? thresholds : List.of(),
        delivery != null ? delivery : new Delivery(6, "1 s", "1 min", "10 s", "7 d"),
        rateLimits != null
            ? rateLimits
            : new RateLimits(new Limit(1, "1 s"), new Limit(20, "1 min"), new Limit(30, "1 s")));
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
      if (route.belowThreshold() != null
          && !List.of("individual", "summary-only").contains(route.belowThreshold())) {
        throw new ConfigException(
            source
                + ": route '"
                + route.name()
                + "': below-threshold is individual or summary-only");
      }
    }
    for (Threshold t : thresholds) {
      try {
        io.riskstream.avro.AlertType.valueOf(t.type());
        t.windowDuration();
        t.quietDuration();
      } catch (RuntimeException e) {
        throw new ConfigException(
            source
                + ": threshold '"
                + t.id()
                + "': type must be an alert type and window/quiet"
                + " durations such as 10 min ("
                + e.getMessage()
                + ")");
      }
      if (t.count() < 2) {
        throw new ConfigException(
            source + ": threshold '" + t.id() + "': count must be at least 2");
      }
    }
    for (Limit limit : List.of(rateLimits.perChat(), rateLimits.perGroup(), rateLimits.perBot())) {
      limit.period();
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
    List<Route> own =
        routes.stream()
            .filter(
                r ->
                    r.merchants() != null
                        && alert.getMerchantId() != null
                        && r.merchants().contains(alert.getMerchantId()))
            .toList();
    List<Route> chosen =
        own.isEmpty()
            ? routes.stream().filter(r -> r.merchants() == null || r.merchants().isEmpty()).toList()
            : own;
    return chosen.stream()
        .filter(r -> alert.getSeverity().ordinal() >= r.minSeverity().ordinal())
        .toList();
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
