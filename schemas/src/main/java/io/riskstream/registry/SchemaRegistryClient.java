package io.riskstream.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of the Confluent Schema Registry REST API, covering what a serializer needs: register,
 * look up by id and by subject, and test compatibility. Written here because Confluent's own client
 * is not published on Maven Central; it speaks the same protocol and works against Confluent's
 * server and any compatible one.
 *
 * <p>Both directions are cached (schema ids are immutable). Several URLs may be given: a request
 * that cannot reach one (connection failure or 5xx) moves to the next, with exponential backoff,
 * before it gives up with {@link RegistryUnavailableException}. A 4xx answer is final and raises
 * {@link RegistryException}.
 */
public final class SchemaRegistryClient {
  public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Everything needed to build a client on a task manager: serializable, unlike the client itself.
   */
  public record Settings(
      List<String> urls,
      String basicAuthUserInfo,
      Duration timeout,
      int maxAttempts,
      String truststore,
      String truststorePassword)
      implements Serializable {
    /** Settings trusting what the JVM trusts. */
    public Settings(
        List<String> urls, String basicAuthUserInfo, Duration timeout, int maxAttempts) {
      this(urls, basicAuthUserInfo, timeout, maxAttempts, null, null);
    }

    public Settings {
      if (urls == null || urls.isEmpty()) {
        throw new IllegalArgumentException("at least one schema registry URL is required");
      }
      urls = List.copyOf(urls);
      Objects.requireNonNull(timeout, "timeout");
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1");
      }
    }

    public static Settings of(String commaSeparatedUrls) {
      return new Settings(splitUrls(commaSeparatedUrls), null, Duration.ofSeconds(10), 5);
    }

    @Override
    public String toString() {
      // user info is a secret: never printed
      return "Settings[urls="
          + urls
          + ", auth="
          + (basicAuthUserInfo != null)
          + ", truststore="
          + truststore
          + "]";
    }
  }

  private final Settings settings;
  private final HttpClient http;
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
  private final Map<Integer, NotFound> notFound = new ConcurrentHashMap<>();
  private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();
  private volatile int preferredUrl;

  public SchemaRegistryClient(Settings settings) {
    this.settings = settings;
    HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(settings.timeout());
    if (settings.truststore() != null) {
      http.sslContext(trusting(settings.truststore(), settings.truststorePassword()));
    }
    this.http = http.build();
  }

  /** TLS that trusts the certificates in {@code truststore} (PKCS12 or JKS, by its content). */
  private static javax.net.ssl.SSLContext trusting(String truststore, String password) {
    char[] secret = password == null ? null : password.toCharArray();
    try {
      java.security.KeyStore store =
          java.security.KeyStore.getInstance(new java.io.File(truststore), secret);
      javax.net.ssl.TrustManagerFactory trust =
          javax.net.ssl.TrustManagerFactory.getInstance(
              javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (java.io.IOException | java.security.GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot read the registry trust store "
              + truststore
              + ": "
              + e.getMessage()
              + "; check registry.ssl.truststore.location and its password",
          e);
    }
  }

  public SchemaRegistryClient(String commaSeparatedUrls) {
    this(Settings.of(commaSeparatedUrls));
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Registers {@code schema} under {@code subject} (or finds it registered already) and returns its
   * global id.
   */
  public int register(String subject, Schema schema) {
    String key = subject + '\0' + schema;
    Integer known = idsBySubjectAndSchema.get(key);
    if (known != null) {
      return known;
    }
    // Outside any lock: a call may take minutes of retries, and other threads' lookups of cached
    // ids must not wait for it. Two threads may both ask; the registry answers both the same.
    int id =
        send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema))
            .path("id")
            .asInt();
    schemasById.putIfAbsent(id, schema);
    idsBySubjectAndSchema.putIfAbsent(key, id);
    return id;
  }

  /**
   * The id of {@code schema} under {@code subject}, which must be registered already (no
   * auto-registration). The schema is sent as a user's {@code .avsc} would be registered: without
   * the {@code avro.java.string} properties that the Java code generator adds, which a registry
   * compares as part of the schema.
   */
  public int lookup(String subject, Schema schema) {
    String key = subject + '\0' + schema;
    Integer known = idsBySubjectAndSchema.get(key);
    if (known != null) {
      return known;
    }
    int id = send("POST", "/subjects/" + encode(subject), schemaBody(schema)).path("id").asInt();
    idsBySubjectAndSchema.putIfAbsent(key, id);
    return id;
  }

  /**
   * Checks once, without retries, that {@code settings.urls()} lead to a schema registry; throws
   * {@link RegistryUnavailableException} with one line saying what answered instead.
   */
  public void checkReachable() {
    new SchemaRegistryClient(
            new Settings(
                settings.urls(),
                settings.basicAuthUserInfo(),
                settings.timeout(),
                settings.urls().size(),
                settings.truststore(),
                settings.truststorePassword()))
        .send("GET", "/subjects", null);
  }

  /**
   * The schema with the global id {@code id}; throws {@link RegistryException} with 40403 when
   * there is none.
   */
  public Schema schemaById(int id) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    NotFound missing = notFound.get(id);
    if (missing != null && System.nanoTime() - missing.askedAt < NOT_FOUND_TTL.toNanos()) {
      throw missing.answer;
    }
    Schema schema;
    try {
      schema = parse(send("GET", "/schemas/ids/" + id, null));
    } catch (RegistryException e) {
      if (e.isSchemaNotFound()) {
        notFound.put(id, new NotFound(e, System.nanoTime()));
      }
      throw e;
    }
    notFound.remove(id);
    schemasById.putIfAbsent(id, schema);
    return schema;
  }

  /**
   * How long "no such schema id" is believed: records of an id nobody registered (a corrupt or
   * foreign producer) would otherwise cost a registry request each, one per record; an id that is
   * registered meanwhile is found once this has passed.
   */
  static final Duration NOT_FOUND_TTL = Duration.ofSeconds(10);

  private record NotFound(RegistryException answer, long askedAt) {}

  /** A registered version: {@code version} is a number or {@code latest}. */
  public RegisteredSchema version(String subject, String version) {
    JsonNode answer =
        send("GET", "/subjects/" + encode(subject) + "/versions/" + encode(version), null);
    return new RegisteredSchema(
        answer.path("subject").asText(),
        answer.path("version").asInt(),
        answer.path("id").asInt(),
        parse(answer));
  }

  /**
   * The schema of an answer, the named types its references point to defined first from their
   * subjects' versions, as Confluent's own client resolves them.
   */
  private Schema parse(JsonNode answer) {
    Schema.Parser parser = new Schema.Parser();
    defineReferences(parser, answer.path("references"), new java.util.HashSet<>());
    return parser.parse(answer.path("schema").asText());
  }

  private void defineReferences(
      Schema.Parser parser, JsonNode references, java.util.Set<String> defined) {
    for (JsonNode reference : references) {
      String subject = reference.path("subject").asText();
      String version = reference.path("version").asText("latest");
      if (defined.add(subject + "/" + version)) {
        JsonNode referenced =
            send("GET", "/subjects/" + encode(subject) + "/versions/" + encode(version), null);
        defineReferences(parser, referenced.path("references"), defined);
        parser.parse(referenced.path("schema").asText());
      }
    }
  }

  public List<String> subjects() {
    List<String> subjects = new ArrayList<>();
    send("GET", "/subjects", null).forEach(s -> subjects.add(s.asText()));
    return subjects;
  }

  public List<Integer> versions(String subject) {
    List<Integer> versions = new ArrayList<>();
    send("GET", "/subjects/" + encode(subject) + "/versions", null)
        .forEach(v -> versions.add(v.asInt()));
    return versions;
  }

  /**
   * Whether {@code schema} could be registered under {@code subject} after {@code version} (a
   * number or latest).
   */
  public boolean isCompatible(String subject, String version, Schema schema) {
    String path = "/compatibility/subjects/" + encode(subject) + "/versions/" + encode(version);
    return send("POST", path, schemaBody(schema)).path("is_compatible").asBoolean();
  }

  /** The compatibility level, of the subject when given, else global. */
  public String compatibility(String subject) {
    String path =
        subject == null ? "/config" : "/config/" + encode(subject) + "?defaultToGlobal=true";
    return send("GET", path, null).path("compatibilityLevel").asText();
  }

  public void setCompatibility(String subject, String level) {
    ObjectNode body = JSON.createObjectNode().put("compatibility", level);
    send("PUT", subject == null ? "/config" : "/config/" + encode(subject), body);
  }

  /** A version of a subject as the registry holds it. */
  public record RegisteredSchema(String subject, int version, int id, Schema schema) {}

  private static ObjectNode schemaBody(Schema schema) {
    return JSON.createObjectNode().put("schema", asUserWritesIt(schema));
  }

  /** The schema's JSON without the properties only Avro's Java code generator adds. */
  static String asUserWritesIt(Schema schema) {
    try {
      JsonNode json = JSON.readTree(schema.toString());
      stripJavaProperties(json);
      return JSON.writeValueAsString(json);
    } catch (IOException e) {
      throw new IllegalStateException("Avro wrote a schema that is not JSON: " + schema, e);
    }
  }

  private static void stripJavaProperties(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object.remove("avro.java.string");
    }
    node.forEach(SchemaRegistryClient::stripJavaProperties);
  }

  private JsonNode send(String method, String path, JsonNode body) {
    List<String> urls = settings.urls();
    IOException lastFailure = null;
    String lastStatus = null;
    long backoffMillis = 200;
    for (int attempt = 0; attempt < settings.maxAttempts(); attempt++) {
      int index = (preferredUrl + attempt) % urls.size();
      String url = urls.get(index);
      try {
        HttpResponse<String> response =
            http.send(request(url, method, path, body), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() < 500 && !notARegistry(response)) {
          preferredUrl = index;
          return parse(response);
        }
        lastStatus = url + " answered " + response.statusCode() + ": " + oneLine(response.body());
      } catch (IOException e) {
        lastFailure = e;
        lastStatus = url + ": " + e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryUnavailableException("interrupted while calling the schema registry", e);
      }
      if (attempt + 1 < settings.maxAttempts()) {
        LOG.warn(
            "Schema registry call {} {} failed ({}); retrying in {} ms",
            method,
            path,
            lastStatus,
            backoffMillis);
        sleep(backoffMillis);
        backoffMillis = Math.min(backoffMillis * 2, 5_000);
      }
    }
    throw new RegistryUnavailableException(
        "schema registry unavailable after "
            + settings.maxAttempts()
            + " attempts on "
            + urls
            + ": "
            + lastStatus,
        lastFailure);
  }

  private HttpRequest request(String url, String method, String path, JsonNode body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(stripSlash(url) + path))
            .timeout(settings.timeout())
            .header("Accept", CONTENT_TYPE + ", application/json");
    if (settings.basicAuthUserInfo() != null) {
      String token =
          Base64.getEncoder()
              .encodeToString(settings.basicAuthUserInfo().getBytes(StandardCharsets.UTF_8));
      request.header("Authorization", "Basic " + token);
    }
    if (body == null) {
      return request.method(method, HttpRequest.BodyPublishers.noBody()).build();
    }
    return request
        .header("Content-Type", CONTENT_TYPE)
        .method(method, HttpRequest.BodyPublishers.ofString(body.toString()))
        .build();
  }

  /**
   * A 404 that is not one of Confluent's 404xx answers comes from something that is not a schema
   * registry's API (a wrong base path, a proxy's error page): an outage to retry and then fail on,
   * never a verdict that a schema does not exist.
   */
  private static boolean notARegistry(HttpResponse<String> response) {
    if (response.statusCode() != 404) {
      return false;
    }
    try {
      int code = JSON.readTree(response.body()).path("error_code").asInt(0);
      return code < 40400 || code > 40499;
    } catch (IOException e) {
      return true;
    }
  }

  private static String oneLine(String body) {
    String line = body.strip().replaceAll("\\s+", " ");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }

  private static JsonNode parse(HttpResponse<String> response) throws IOException {
    JsonNode json =
        response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return json;
    }
    int code = json.path("error_code").asInt(status);
    String message = json.path("message").asText(response.body());
    String hint =
        switch (status) {
          case 401, 403 -> " (check the registry credentials: registry.basic-auth.user-info)";
          default -> "";
        };
    throw new RegistryException(
        status, code, "schema registry: " + status + "/" + code + " " + message + hint);
  }

  static List<String> splitUrls(String commaSeparated) {
    List<String> urls = new ArrayList<>();
    for (String url : commaSeparated.split(",")) {
      if (!url.isBlank()) {
        urls.add(url.trim());
      }
    }
    return urls;
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryUnavailableException(
          "interrupted while waiting to retry the schema registry", e);
    }
  }
}
