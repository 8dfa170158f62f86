package io.riskstream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.riskstream.avro.Alert;
import io.riskstream.avro.Payment;
import io.riskstream.serde.AvroWireDeserializer;
import io.riskstream.serde.AvroWireSerializer;
import io.riskstream.serde.BadRecordException;
import io.riskstream.testkit.RegistryServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the client makes of a registry's answers: which are facts about data, which are outages. */
class RegistryAnswersTest {
  /** Schema id 1 in the Confluent wire format with an empty body: only the header is read first. */
  private static final byte[] RECORD_OF_SCHEMA_1 = {0, 0, 0, 0, 1, 0};

  @RegisterExtension static final RegistryServer SERVER = new RegistryServer();

  private static SchemaRegistryClient client(String url) {
    return new SchemaRegistryClient(
        new SchemaRegistryClient.Settings(List.of(url), null, Duration.ofSeconds(2), 2));
  }

  @Test
  void anUnknownSchemaIdIsBadInput() {
    assertThatThrownBy(
            () ->
                new AvroWireDeserializer<>(client(SERVER.url()), Payment.class)
                    .deserialize(new byte[] {0, 0, 0, 0x7f, 0x7f, 0}))
        .isInstanceOf(BadRecordException.class)
        .hasMessageStartingWith("unknown schema id 32639 (schema registry: 404/40403");
  }

  @Test
  void aWrongBasePathIsAnOutageNotBadInput() {
    // The registry's own 404 for a path it does not serve: error_code 404, not 40403.
    var deserializer =
        new AvroWireDeserializer<>(client(SERVER.url() + "/wrong/base"), Payment.class);

    assertThatThrownBy(() -> deserializer.deserialize(RECORD_OF_SCHEMA_1))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessageContaining("after 2 attempts")
        .hasMessageContaining("answered 404");
  }

  @Test
  void aProxysHtmlNotFoundPageIsAnOutageNotBadInput() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    HttpServer proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    proxy.createContext(
        "/",
        exchange -> {
          requests.incrementAndGet();
          byte[] page = "<html><body><h1>404 Not Found</h1></body></html>".getBytes();
          exchange.getResponseHeaders().add("Content-Type", "text/html");
          exchange.sendResponseHeaders(404, page.length);
          exchange.getResponseBody().write(page);
          exchange.close();
        });
    proxy.start();
    try {
      String url = "http://127.0.0.1:" + proxy.getAddress().getPort();
      var deserializer = new AvroWireDeserializer<>(client(url), Payment.class);

      assertThatThrownBy(() -> deserializer.deserialize(RECORD_OF_SCHEMA_1))
          .isInstanceOf(RegistryUnavailableException.class)
          .hasMessageContaining("answered 404: <html><body><h1>404 Not Found</h1></body></html>");
      assertThat(requests).hasValue(2);
      assertThatThrownBy(() -> client(url).checkReachable())
          .isInstanceOf(RegistryUnavailableException.class)
          .hasMessageContaining("after 1 attempts");
    } finally {
      proxy.stop(0);
    }
  }

  @Test
  void checkReachableAcceptsARegistryAndRefusesAWrongPath() {
    client(SERVER.url()).checkReachable();
    assertThatThrownBy(() -> client(SERVER.url() + "/nope").checkReachable())
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessageContaining("answered 404");
  }

  @Test
  void withoutAutoRegistrationTheAlertAvscAsAUserRegistersItIsFound() throws Exception {
    // The .avsc file exactly as it is in the repository, registered over plain HTTP as a user or a
    // CI pipeline would, not through our client.
    String avsc = Files.readString(Path.of("src/main/avro/Alert.avsc"));
    String body =
        "{\"schema\":"
            + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(avsc)
            + "}";
    HttpResponse<String> registered =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(SERVER.url() + "/subjects/pre-alerts-value/versions"))
                    .header("Content-Type", SchemaRegistryClient.CONTENT_TYPE)
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(registered.statusCode()).isEqualTo(200);
    int id =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(registered.body())
            .path("id")
            .asInt();

    var serializer =
        new AvroWireSerializer<>(client(SERVER.url()), "pre-alerts-value", Alert.class, false);

    assertThat(serializer.schemaId()).isEqualTo(id);
  }
}
