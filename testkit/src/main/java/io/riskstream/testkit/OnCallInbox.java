package io.riskstream.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's stand-in for Telegram: a local endpoint that answers {@code sendMessage} like the Bot
 * API and keeps the texts, so the demo can show what on-call would have received.
 */
public final class OnCallInbox implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;
  private final List<Received> received = new ArrayList<>();

  /** A message as on-call got it: its number, the message it replies to (or null), its text. */
  public record Received(long messageId, Long replyTo, String text) {}

  public OnCallInbox() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            long id;
            synchronized (received) {
              id = received.size() + 1;
              received.add(
                  new Received(
                      id,
                      body.hasNonNull("reply_to_message_id")
                          ? body.path("reply_to_message_id").asLong()
                          : null,
                      body.path("text").asText()));
            }
            byte[] ok =
                ("{\"ok\":true,\"result\":{\"message_id\":" + id + "}}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, ok.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(ok);
            }
          }
        });
    server.start();
  }

  /** The Bot API base URL to configure. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public List<String> messages() {
    return received().stream().map(Received::text).toList();
  }

  public List<Received> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
