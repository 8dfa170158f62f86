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
  private final List<String> messages = new ArrayList<>();

  public OnCallInbox() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            synchronized (messages) {
              messages.add(body.path("text").asText());
            }
            byte[] ok = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
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
    synchronized (messages) {
      return List.copyOf(messages);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
