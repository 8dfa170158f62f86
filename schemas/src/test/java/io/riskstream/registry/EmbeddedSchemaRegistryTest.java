package io.riskstream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.testkit.EmbeddedSchemaRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EmbeddedSchemaRegistryTest {
  private static final Schema V1 =
      SchemaBuilder.record("Order").namespace("t").fields().requiredString("order_no").endRecord();
  private static final Schema V2_OPTIONAL_FIELD =
      SchemaBuilder.record("Order")
          .namespace("t")
          .fields()
          .requiredString("order_no")
          .optionalString("note")
          .endRecord();
  private static final Schema V2_REQUIRED_FIELD =
      SchemaBuilder.record("Order")
          .namespace("t")
          .fields()
          .requiredString("order_no")
          .requiredLong("amount")
          .endRecord();

  private EmbeddedSchemaRegistry server;
  private SchemaRegistryClient client;

  @BeforeEach
  void start() throws IOException {
    server = EmbeddedSchemaRegistry.start(0);
    client = new SchemaRegistryClient(server.url());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void registersLooksUpAndVersionsSchemas() {
    int id1 = client.register("orders-value", V1);
    int id2 = client.register("orders-value", V2_OPTIONAL_FIELD);

    assertThat(id1).isEqualTo(1);
    assertThat(id2).isEqualTo(2);
    assertThat(new SchemaRegistryClient(server.url()).schemaById(2)).isEqualTo(V2_OPTIONAL_FIELD);
    assertThat(client.register("other-value", V1)).as("one schema, one global id").isEqualTo(1);
    assertThat(client.subjects()).containsExactly("orders-value", "other-value");
    assertThat(client.versions("orders-value")).containsExactly(1, 2);
    assertThat(client.version("orders-value", "latest"))
        .isEqualTo(
            new SchemaRegistryClient.RegisteredSchema("orders-value", 2, 2, V2_OPTIONAL_FIELD));
    assertThat(client.version("orders-value", "1").id()).isEqualTo(1);
    assertThat(new SchemaRegistryClient(server.url()).lookup("orders-value", V2_OPTIONAL_FIELD))
        .isEqualTo(2);
  }

  @Test
  void reRegisteringTheSameSchemaReturnsTheSameIdAndNoNewVersion() {
    int first = client.register("orders-value", V1);
    int again = new SchemaRegistryClient(server.url()).register("orders-value", V1);

    assertThat(again).isEqualTo(first);
    assertThat(client.versions("orders-value")).containsExactly(1);
  }

  @Test
  void rejectsABackwardIncompatibleChangeWith409() {
    client.register("orders-value", V1);

    assertThat(client.isCompatible("orders-value", "latest", V2_OPTIONAL_FIELD)).isTrue();
    assertThat(client.isCompatible("orders-value", "latest", V2_REQUIRED_FIELD)).isFalse();
    assertThatThrownBy(() -> client.register("orders-value", V2_REQUIRED_FIELD))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(409);
              assertThat(e.errorCode()).isEqualTo(RegistryException.INCOMPATIBLE_SCHEMA);
              assertThat(e.getMessage()).contains("READER_FIELD_MISSING_DEFAULT_VALUE");
            });
    assertThat(client.versions("orders-value")).containsExactly(1);
  }

  @Test
  void compatibilityNoneAcceptsAnything() {
    client.register("orders-value", V1);
    client.setCompatibility("orders-value", "NONE");

    assertThat(client.compatibility("orders-value")).isEqualTo("NONE");
    assertThat(client.compatibility(null)).isEqualTo("BACKWARD");
    assertThat(client.register("orders-value", V2_REQUIRED_FIELD)).isEqualTo(2);
  }

  @Test
  void answersUnknownIdsAndSubjectsWithConfluentErrorCodes() {
    assertThatThrownBy(() -> client.schemaById(999))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(e.errorCode()).isEqualTo(RegistryException.SCHEMA_NOT_FOUND);
            });
    assertThatThrownBy(() -> client.versions("nope-value"))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(RegistryException.SUBJECT_NOT_FOUND));
    client.register("orders-value", V1);
    assertThatThrownBy(() -> client.version("orders-value", "7"))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(RegistryException.VERSION_NOT_FOUND));
    assertThatThrownBy(
            () -> new SchemaRegistryClient(server.url()).lookup("orders-value", V2_OPTIONAL_FIELD))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(RegistryException.SCHEMA_NOT_FOUND));
  }

  @Test
  void anIdNobodyRegisteredCostsOneRequestNotOnePerRecord() {
    int before = server.requests();

    for (int record = 0; record < 1_000; record++) {
      assertThatThrownBy(() -> client.schemaById(999))
          .isInstanceOfSatisfying(
              RegistryException.class, e -> assertThat(e.isSchemaNotFound()).isTrue());
    }

    assertThat(server.requests() - before).isEqualTo(1);
    assertThat(client.register("orders-value", V1)).as("other ids are still asked").isEqualTo(1);
    assertThat(server.requests() - before).isEqualTo(2);
  }

  @Test
  void speaksTheConfluentContentTypeAndErrorBodies() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> notFound =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/schemas/ids/42")).build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> invalid =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/subjects/x-value/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"schema\": \"{\\\"type\\\": \\\"recurd\\\"}\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> registered =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/subjects/x-value/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"schema\": \"\\\"string\\\"\", \"schemaType\": \"AVRO\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(notFound.statusCode()).isEqualTo(404);
    assertThat(notFound.headers().firstValue("Content-Type"))
        .hasValue("application/vnd.schemaregistry.v1+json");
    assertThat(notFound.body())
        .isEqualTo("{\"error_code\":40403,\"message\":\"Schema 42 not found\"}");
    assertThat(invalid.statusCode()).isEqualTo(422);
    assertThat(invalid.body()).startsWith("{\"error_code\":42201,");
    assertThat(registered.statusCode()).isEqualTo(200);
    assertThat(registered.body()).isEqualTo("{\"id\":1}");
  }

  /** One request with a JSON body (or none), answered as "status body". */
  private String call(String method, String path, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(server.url() + path))
            .header("Content-Type", "application/vnd.schemaregistry.v1+json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    return response.statusCode() + " " + response.body();
  }

  private static String schemaBody(Schema schema) {
    return "{\"schema\":" + quote(schema.toString()) + "}";
  }

  private static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Test
  void answersTheCallsConfluentsClientsMakeAsConfluentsServerDoes() throws Exception {
    client.register("orders-value", V1);
    client.register("orders-value", V2_OPTIONAL_FIELD);
    client.register("other-value", V1);
    String v1 = V1.toString();

    assertThat(call("GET", "/", null)).isEqualTo("200 {}");
    assertThat(call("GET", "/subjects?subjectPrefix=ord", null))
        .isEqualTo("200 [\"orders-value\"]");
    assertThat(call("GET", "/subjects/orders-value/versions/1/schema", null))
        .isEqualTo("200 " + v1);
    assertThat(call("GET", "/schemas/ids/1/versions", null))
        .isEqualTo(
            "200 [{\"subject\":\"orders-value\",\"version\":1},"
                + "{\"subject\":\"other-value\",\"version\":1}]");
    assertThat(call("GET", "/schemas/ids/1/subjects", null))
        .isEqualTo("200 [\"orders-value\",\"other-value\"]");

    // A version: soft-deleted first, then for good; its number is never reused.
    assertThat(call("DELETE", "/subjects/orders-value/versions/1?permanent=true", null))
        .isEqualTo(
            "404 {\"error_code\":40407,\"message\":\"Subject 'orders-value' Version 1 was not"
                + " deleted first before being permanently deleted\"}");
    assertThat(call("DELETE", "/subjects/orders-value/versions/1", null)).isEqualTo("200 1");
    assertThat(call("DELETE", "/subjects/orders-value/versions/1", null))
        .isEqualTo(
            "404 {\"error_code\":40406,\"message\":\"Subject 'orders-value' Version 1 was soft"
                + " deleted. Set permanent=true to delete permanently\"}");
    assertThat(call("GET", "/subjects/orders-value/versions", null)).isEqualTo("200 [2]");
    assertThat(call("GET", "/subjects/orders-value/versions?deleted=true", null))
        .isEqualTo("200 [1,2]");
    assertThat(call("GET", "/schemas/ids/1/subjects", null)).isEqualTo("200 [\"other-value\"]");
    assertThat(call("DELETE", "/subjects/orders-value/versions/1?permanent=true", null))
        .isEqualTo("200 1");
    assertThat(call("GET", "/subjects/orders-value/versions?deleted=true", null))
        .isEqualTo("200 [2]");
    assertThat(call("POST", "/subjects/orders-value/versions", schemaBody(V1)))
        .isEqualTo("200 {\"id\":1}");
    assertThat(call("GET", "/subjects/orders-value/versions", null)).isEqualTo("200 [2,3]");

    // A subject: the same two steps.
    assertThat(call("DELETE", "/subjects/other-value?permanent=true", null))
        .isEqualTo(
            "404 {\"error_code\":40405,\"message\":\"Subject 'other-value' was not deleted first"
                + " before being permanently deleted\"}");
    assertThat(call("DELETE", "/subjects/other-value", null)).isEqualTo("200 [1]");
    assertThat(call("GET", "/subjects", null)).isEqualTo("200 [\"orders-value\"]");
    assertThat(call("GET", "/subjects?deleted=true", null))
        .isEqualTo("200 [\"orders-value\",\"other-value\"]");
    assertThat(call("DELETE", "/subjects/other-value", null))
        .isEqualTo(
            "404 {\"error_code\":40404,\"message\":\"Subject 'other-value' was soft deleted. Set"
                + " permanent=true to delete permanently\"}");
    assertThat(call("DELETE", "/subjects/other-value?permanent=true", null)).isEqualTo("200 [1]");
    assertThat(call("GET", "/subjects?deleted=true", null)).isEqualTo("200 [\"orders-value\"]");

    // The subject-level config, set and deleted back to the global level.
    assertThat(call("PUT", "/config/orders-value", "{\"compatibility\":\"FULL\"}"))
        .isEqualTo("200 {\"compatibility\":\"FULL\"}");
    assertThat(call("DELETE", "/config/orders-value", null))
        .isEqualTo("200 {\"compatibilityLevel\":\"FULL\"}");
    assertThat(call("GET", "/config/orders-value?defaultToGlobal=true", null))
        .isEqualTo("200 {\"compatibilityLevel\":\"BACKWARD\"}");
    assertThat(call("DELETE", "/config/nope-value", null))
        .isEqualTo("404 {\"error_code\":40401,\"message\":\"Subject 'nope-value' not found.\"}");
  }

  @Test
  void aSchemaThatDoesNotParseIs42201AndReferencesResolveAcrossSubjects() throws Exception {
    String money =
        "{\"type\":\"record\",\"name\":\"Money\",\"namespace\":\"t\","
            + "\"fields\":[{\"name\":\"paise\",\"type\":\"long\"}]}";
    String payment =
        "{\"type\":\"record\",\"name\":\"Payment\",\"namespace\":\"t\","
            + "\"fields\":[{\"name\":\"amount\",\"type\":\"t.Money\"}]}";
    String badDefault =
        "{\"type\":\"record\",\"name\":\"P\",\"fields\":[{\"name\":\"a\",\"type\":\"int\","
            + "\"default\":\"x\"}]}";
    String reference = "[{\"name\":\"t.Money\",\"subject\":\"money-value\",\"version\":1}]";

    assertThat(call("POST", "/subjects/p-value/versions", "{\"schema\":" + quote(badDefault) + "}"))
        .startsWith("422 {\"error_code\":42201,");
    assertThat(call("POST", "/subjects/p-value/versions", "{\"schema\":{\"type\":\"int\"}}"))
        .startsWith("422 {\"error_code\":42201,");
    assertThat(call("POST", "/subjects/money-value/versions", "{\"schema\":" + quote(money) + "}"))
        .isEqualTo("200 {\"id\":1}");
    assertThat(
            call(
                "POST",
                "/subjects/payments-value/versions",
                "{\"schema\":" + quote(payment) + ",\"references\":" + reference + "}"))
        .isEqualTo("200 {\"id\":2}");
    assertThat(
            call(
                "POST", "/subjects/payments-value/versions", "{\"schema\":" + quote(payment) + "}"))
        .as("without its reference, t.Money is unknown")
        .startsWith("422 {\"error_code\":42201,");
    assertThat(
            call(
                "POST",
                "/subjects/payments-value/versions",
                "{\"schema\":"
                    + quote(payment)
                    + ",\"references\":[{\"name\":\"t.Money\",\"subject\":\"money-value\",\"version\":9}]}"))
        .startsWith("422 {\"error_code\":42201,\"message\":\"Invalid schema reference ");
    assertThat(call("GET", "/schemas/ids/2", null))
        .isEqualTo("200 {\"schema\":" + quote(payment) + ",\"references\":" + reference + "}");
    // riskstream's client resolves the reference as Confluent's does.
    assertThat(client.schemaById(2))
        .isEqualTo(
            new Schema.Parser()
                .parse(payment.replace("\"type\":\"t.Money\"", "\"type\":" + money)));
  }
}
