package io.riskstream.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on loopback that records every request and answers from a script per path
 * (status, body, delay), then 200 once the script is used up. Stands in for Telegram and webhook
 * receivers in tests.
 */
public final class RecordingHttpServer implements AutoCloseable {
  /** A scripted answer. */
  public record Answer(int status, String body, long delayMillis) {
    public static Answer status(int status, String body) {
      return new Answer(status, body, 0);
    }

    public static Answer slow(long delayMillis) {
      return new Answer(200, "{\"ok\":true}", delayMillis);
    }
  }

  /** A request as received; {@code query} is null when it had none. */
  public record Request(
      String path, String query, Map<String, List<String>> headers, String body, long receivedAt) {
    public String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }
  }

  private final HttpServer server;
  private final List<Request> requests = new ArrayList<>();
  private final Map<String, Deque<Answer>> scripts = new ConcurrentHashMap<>();
  private final Map<String, CountDownLatch> holds = new ConcurrentHashMap<>();

  public RecordingHttpServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool()); // a thread per held request
    server.createContext("/", this::handle);
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The answers {@code path} gives, in order, before it settles on 200. */
  public void script(String path, Answer... answers) {
    scripts.put(path, new ArrayDeque<>(List.of(answers)));
  }

  /**
   * From now on, requests to {@code path} are recorded and then left unanswered until {@link
   * #release}: messages in flight, as at a crash.
   */
  public void hold(String path) {
    holds.put(path, new CountDownLatch(1));
  }

  /** Answers the held requests to {@code path} (200) and stops holding new ones. */
  public void release(String path) {
    CountDownLatch held = holds.remove(path);
    if (held != null) {
      held.countDown();
    }
  }

  public synchronized List<Request> requests() {
    return List.copyOf(requests);
  }

  public synchronized List<Request> requests(String path) {
    return requests.stream().filter(r -> r.path().equals(path)).toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String path = exchange.getRequestURI().getPath();
      synchronized (this) {
        requests.add(
            new Request(
                path,
                exchange.getRequestURI().getRawQuery(),
                Map.copyOf(exchange.getRequestHeaders()),
                body,
                System.currentTimeMillis()));
      }
      CountDownLatch held = holds.get(path);
      if (held != null) {
        awaitQuietly(held);
      }
      Deque<Answer> script = scripts.get(path);
      Answer answer = script == null ? null : script.pollFirst();
      if (answer == null) {
        answer = Answer.status(200, "{\"ok\":true}");
      }
      if (answer.delayMillis() > 0) {
        awaitQuietly(new CountDownLatch(1), answer.delayMillis());
      }
      byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(answer.status(), bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    awaitQuietly(latch, TimeUnit.MINUTES.toMillis(5));
  }

  private static void awaitQuietly(CountDownLatch latch, long millis) {
    try {
      latch.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    holds.values().forEach(CountDownLatch::countDown);
    server.stop(0);
  }
}
