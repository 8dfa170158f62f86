package io.riskstream.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riskstream.io.EventJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Sends messages over HTTP without blocking the task thread (JDK {@code HttpClient.sendAsync},
 * scheduled retries): Telegram's {@code sendMessage} and Standard-Webhooks-signed webhooks. Retries
 * server errors and timeouts with exponential backoff and jitter, honours HTTP 429 ({@code
 * retry_after} in Telegram's body, or {@code Retry-After}), keeps Telegram's rate limits, and after
 * the last attempt reports the message as not delivered, with the last error, for the dead-letter
 * output. Metrics per target: sent, retried, rateLimited, deadLettered.
 *
 * <p>It remembers the Telegram {@code message_id} of every alert it sent to a chat (alone or in a
 * summary), as checkpointed operator state kept for {@code delivery.dedup-ttl}, so that a follow-up
 * ({@link Message#replyTo}) goes as a reply to it. A follow-up whose original is not known (still
 * in flight, or older) goes as a plain message that names the alert.
 */
public final class HttpDelivery extends RichAsyncFunction<Message, Delivery>
    implements CheckpointedFunction {
  private final NotifySettings settings;
  private transient HttpClient http;
  private transient ScheduledExecutorService scheduler;
  private transient RateLimiter limiter;
  private transient String botToken;
  private transient Map<String, NotifySettings.Webhook> webhooks;
  private transient Map<String, WebhookSigner> webhookSigners;
  private transient Map<String, Map<String, Counter>> metrics;
  private transient MetricGroup group;
  private transient RetryPolicy policy;
  private transient Duration timeout;

  /** "target|alert id" → {message_id, when it was sent}: read and written from HTTP threads. */
  private transient Map<String, long[]> sentTo;

  private transient ListState<String> sentToState;

  public HttpDelivery(NotifySettings settings) {
    this.settings = settings;
  }

  @Override
  public void open(OpenContext context) {
    timeout = settings.delivery().timeout();
    policy =
        new RetryPolicy(
            settings.delivery().maxAttempts(),
            settings.delivery().initialBackoff(),
            settings.delivery().maxBackoff());
    http = HttpClient.newBuilder().connectTimeout(timeout).build();
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "riskstream-notify-retries");
              t.setDaemon(true);
              return t;
            });
    limiter = new RateLimiter();
    // Secrets are read here, on the task manager, so they never travel inside the job graph.
    botToken =
        NotifySettings.secret(
            settings.telegram().tokenEnv(), settings.telegram().tokenFile(), System.getenv());
    webhooks = new HashMap<>();
    webhookSigners = new HashMap<>();
    for (NotifySettings.Route route : settings.routes()) {
      if (route.webhooks() == null) {
        continue;
      }
      for (NotifySettings.Webhook hook : route.webhooks()) {
        webhooks.put(hook.name(), hook);
        String secret = NotifySettings.secret(hook.secretEnv(), hook.secretFile(), System.getenv());
        if (secret != null) {
          webhookSigners.put(hook.name(), new WebhookSigner(secret));
        }
      }
    }
    metrics = new HashMap<>();
    group = getRuntimeContext().getMetricGroup().addGroup("riskstream").addGroup("notify");
    // Every route's targets count from the start: a dashboard's "failed" series exists at 0
    // before the first failure, and an alert rule on it can tell "none" from "not reporting".
    for (NotifySettings.Route route : settings.routes()) {
      for (String target : route.targets()) {
        for (String name : COUNTERS) {
          counter(target, name);
        }
      }
    }
  }

  private static final List<String> COUNTERS =
      List.of("sent", "retried", "rateLimited", "deadLettered");

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    sentToState =
        context
            .getOperatorStateStore()
            .getListState(new ListStateDescriptor<>("telegram-message-ids", Types.STRING));
    sentTo = new ConcurrentHashMap<>();
    for (String entry : sentToState.get()) {
      String[] part = entry.split(" ");
      sentTo.put(part[0], new long[] {Long.parseLong(part[1]), Long.parseLong(part[2])});
    }
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    long forgetBefore = System.currentTimeMillis() - settings.delivery().dedupTtl().toMillis();
    sentTo.values().removeIf(sent -> sent[1] < forgetBefore);
    List<String> entries = new ArrayList<>(sentTo.size());
    sentTo.forEach((key, sent) -> entries.add(key + " " + sent[0] + " " + sent[1]));
    sentToState.update(entries);
  }

  /** Remembers the Telegram message that told {@code message}'s chat of its alerts. */
  private void remember(Message message, HttpResponse<String> response) {
    if (!message.isTelegram() || message.replyTo != null || message.alertIds == null) {
      return;
    }
    try {
      JsonNode id = EventJson.MAPPER.readTree(response.body()).path("result").path("message_id");
      if (id.canConvertToLong()) {
        long now = System.currentTimeMillis();
        for (String alert : message.alertIds.split(",")) {
          sentTo.put(message.target + "|" + alert, new long[] {id.asLong(), now});
        }
      }
    } catch (IOException e) {
      // Telegram answered 2xx without JSON: nothing to reply to later, the message went out
    }
  }

  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }

  @Override
  public void asyncInvoke(Message message, ResultFuture<Delivery> result) {
    schedule(message, 1, System.currentTimeMillis(), null, result);
  }

  @Override
  public void timeout(Message message, ResultFuture<Delivery> result) {
    counter(message, "deadLettered").inc();
    result.complete(
        List.of(new Delivery(message, false, -1, "no answer within the async operator's timeout")));
  }

  private void schedule(
      Message message,
      int attempt,
      long notBefore,
      String lastError,
      ResultFuture<Delivery> result) {
    long at = limiter.reserve(Math.max(notBefore, System.currentTimeMillis()), buckets(message));
    long delay = Math.max(0, at - System.currentTimeMillis());
    scheduler.schedule(
        () -> guarded(message, attempt, result, () -> send(message, attempt, lastError, result)),
        delay,
        TimeUnit.MILLISECONDS);
  }

  /**
   * Runs a step of a delivery on an executor thread; anything it throws fails the message with that
   * error instead of vanishing in the executor, which would leave the async operator waiting for it
   * forever.
   */
  private void guarded(Message message, int attempt, ResultFuture<Delivery> result, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      fail(message, attempt, "delivery failed: " + e, result);
    }
  }

  private void send(
      Message message, int attempt, String previousError, ResultFuture<Delivery> result) {
    HttpRequest request;
    try {
      request = request(message);
    } catch (RuntimeException e) {
      fail(message, attempt, "cannot build the request: " + e.getMessage(), result);
      return;
    }
    http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (response, error) ->
                guarded(
                    message,
                    attempt,
                    result,
                    () -> {
                      int status = error != null ? RetryPolicy.NO_ANSWER : response.statusCode();
                      String answer =
                          error != null ? "no answer: " + error : status + " " + response.body();
                      switch (policy.outcome(status)) {
                        case DELIVERED -> {
                          counter(message, "sent").inc();
                          remember(message, response);
                          result.complete(
                              List.of(new Delivery(message, true, attempt, previousError)));
                        }
                        case RETRY -> {
                          long atLeast = 0;
                          if (status == 429) {
                            counter(message, "rateLimited").inc();
                            atLeast = retryAfterMillis(response);
                          }
                          retry(message, attempt, atLeast, answer, result);
                        }
                        case GIVE_UP -> fail(message, attempt, answer, result);
                      }
                    }));
  }

  private void retry(
      Message message,
      int attempt,
      long atLeastMillis,
      String error,
      ResultFuture<Delivery> result) {
    if (policy.exhausted(attempt)) {
      fail(message, attempt, error, result);
      return;
    }
    counter(message, "retried").inc();
    long delay =
        policy.delayMillis(attempt, atLeastMillis, ThreadLocalRandom.current().nextDouble());
    schedule(message, attempt + 1, System.currentTimeMillis() + delay, error, result);
  }

  private void fail(Message message, int attempt, String error, ResultFuture<Delivery> result) {
    counter(message, "deadLettered").inc();
    result.complete(List.of(new Delivery(message, false, attempt, error)));
  }

  /**
   * Telegram's {@code parameters.retry_after} (seconds), else the {@code Retry-After} header, else
   * 1 s.
   */
  static long retryAfterMillis(HttpResponse<String> response) {
    try {
      JsonNode body = EventJson.MAPPER.readTree(response.body());
      if (body.path("parameters").has("retry_after")) {
        return body.path("parameters").path("retry_after").asLong() * 1000;
      }
    } catch (Exception e) {
      // not JSON: look at the header
    }
    return response
        .headers()
        .firstValue("Retry-After")
        .map(s -> Long.parseLong(s.trim()) * 1000)
        .orElse(1000L);
  }

  private HttpRequest request(Message message) {
    if (message.isTelegram()) {
      if (botToken == null) {
        throw new IllegalStateException(
            "no Telegram bot token: set "
                + settings.telegram().tokenEnv()
                + " or telegram.token-file");
      }
      ObjectNode json =
          EventJson.MAPPER
              .createObjectNode()
              .put("chat_id", message.chatOrWebhook())
              .put("text", message.text)
              .put("disable_web_page_preview", true);
      long[] original =
          message.replyTo == null ? null : sentTo.get(message.target + "|" + message.replyTo);
      Long answered = original != null ? Long.valueOf(original[0]) : message.replyToMessage;
      if (answered != null) {
        json.put("reply_to_message_id", answered).put("allow_sending_without_reply", true);
      }
      String body = json.toString();
      return HttpRequest.newBuilder(
              URI.create(settings.telegram().baseUrl() + "/bot" + botToken + "/sendMessage"))
          .timeout(timeout)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body))
          .build();
    }
    NotifySettings.Webhook hook = webhooks.get(message.chatOrWebhook());
    long timestamp = System.currentTimeMillis() / 1000;
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(hook.url()))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("webhook-id", message.id)
            .header("webhook-timestamp", String.valueOf(timestamp));
    WebhookSigner signer = webhookSigners.get(hook.name());
    if (signer != null) {
      request.header("webhook-signature", signer.signature(message.id, timestamp, message.body));
    }
    return request.POST(HttpRequest.BodyPublishers.ofString(message.body)).build();
  }

  private List<RateLimiter.Bucket> buckets(Message message) {
    if (!message.isTelegram()) {
      return Collections.emptyList();
    }
    NotifySettings.RateLimits limits = settings.rateLimits();
    List<RateLimiter.Bucket> buckets = new ArrayList<>();
    buckets.add(
        new RateLimiter.Bucket(
            message.target, limits.perChat().messages(), limits.perChat().per()));
    if (message.chatOrWebhook().startsWith("-")) { // Telegram group and channel ids are negative
      buckets.add(
          new RateLimiter.Bucket(
              message.target + "/group", limits.perGroup().messages(), limits.perGroup().per()));
    }
    buckets.add(new RateLimiter.Bucket("bot", limits.perBot().messages(), limits.perBot().per()));
    return buckets;
  }

  /** Synchronized: called from the HTTP client's threads and the retry scheduler at once. */
  private Counter counter(Message message, String name) {
    return counter(message.target, name);
  }

  private synchronized Counter counter(String target, String name) {
    return metrics
        .computeIfAbsent(target, t -> new HashMap<>())
        .computeIfAbsent(name, n -> group.addGroup("target", target).counter(n));
  }
}
