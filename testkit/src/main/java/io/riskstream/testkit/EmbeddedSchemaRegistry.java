package io.riskstream.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaParseException;

/**
 * An in-process, in-memory schema registry speaking the Confluent Schema Registry REST API, for the
 * demo and the tests. Hand-written because no maintained Confluent-compatible registry is published
 * on Maven Central (Confluent's server is not, Apicurio's needs a Quarkus runtime of its own); it
 * implements what real clients call: register, look up by id and by subject, list subjects and
 * versions, test compatibility, and the global and subject configs.
 *
 * <p>Like Confluent's server, one schema text gets one global id across subjects, re-registering an
 * existing schema returns its id, and compatibility (BACKWARD by default) is decided by Avro's own
 * {@link SchemaCompatibility}.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SUBJECT_VERSIONS = Pattern.compile("^/subjects/([^/]+)/versions$");
  private static final Pattern SUBJECT_VERSION =
      Pattern.compile("^/subjects/([^/]+)/versions/([^/]+)$");
  private static final Pattern SUBJECT = Pattern.compile("^/subjects/([^/]+)$");
  private static final Pattern SCHEMA_BY_ID = Pattern.compile("^/schemas/ids/(\\d+)(/schema)?$");
  private static final Pattern COMPATIBILITY =
      Pattern.compile("^/compatibility/subjects/([^/]+)/versions/([^/]+)$");
  private static final Pattern SUBJECT_CONFIG = Pattern.compile("^/config/([^/]+)$");
  private static final List<String> LEVELS =
      List.of(
          "NONE",
          "BACKWARD",
          "BACKWARD_TRANSITIVE",
          "FORWARD",
          "FORWARD_TRANSITIVE",
          "FULL",
          "FULL_TRANSITIVE");

  /** What the registry does instead of answering, to test how clients live through an outage. */
  public enum Outage {
    /** It answers. */
    NONE,
    /** 503 Service Unavailable with a JSON error, as a registry that is restarting. */
    UNAVAILABLE,
    /** 404 with an HTML page, as a proxy in front of it that lost its route. */
    PROXY_NOT_FOUND
  }

  private HttpServer server;
  private final int port;
  private final ExecutorService executor;
  private volatile Outage outage = Outage.NONE;
  // Guarded by this: the registry is tiny and calls are rare, so one lock keeps ids and versions
  // consistent.
  private final Map<String, Integer> idsBySchema = new LinkedHashMap<>();
  private final Map<Integer, Schema> schemasById = new TreeMap<>();
  private final Map<String, List<Integer>> versionsBySubject = new TreeMap<>();
  private final Map<String, String> levelBySubject = new TreeMap<>();
  private String globalLevel = "BACKWARD";

  private final javax.net.ssl.SSLContext tls;
  private final String userInfo;

  private EmbeddedSchemaRegistry(int port, javax.net.ssl.SSLContext tls, String userInfo)
      throws IOException {
    this.executor = Executors.newFixedThreadPool(4, r -> daemon(r, "schema-registry"));
    this.tls = tls;
    this.userInfo = userInfo;
    HttpServer server = newServer(port);
    this.port = server.getAddress().getPort();
    serve(server);
  }

  private HttpServer newServer(int port) throws IOException {
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
    if (tls == null) {
      return HttpServer.create(address, 0);
    }
    com.sun.net.httpserver.HttpsServer https =
        com.sun.net.httpserver.HttpsServer.create(address, 0);
    https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
    return https;
  }

  private void serve(HttpServer server) {
    this.server = server;
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts a registry on {@code port} of the loopback interface; 0 picks a free port. */
  public static EmbeddedSchemaRegistry start(int port) throws IOException {
    return new EmbeddedSchemaRegistry(port, null, null);
  }

  /**
   * A registry over HTTPS with the server certificate of {@code tls} that answers only requests
   * with HTTP basic authentication as {@code userInfo} ({@code user:password}), as Confluent's does
   * when so configured; others get 401.
   */
  public static EmbeddedSchemaRegistry startSecured(TlsFiles tls, String userInfo)
      throws IOException, java.security.GeneralSecurityException {
    java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
    try (InputStream in = java.nio.file.Files.newInputStream(tls.serverKeystore())) {
      keys.load(in, tls.password().toCharArray());
    }
    javax.net.ssl.KeyManagerFactory managers =
        javax.net.ssl.KeyManagerFactory.getInstance(
            javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
    managers.init(keys, tls.password().toCharArray());
    javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
    context.init(managers.getKeyManagers(), null, null);
    return new EmbeddedSchemaRegistry(0, context, userInfo);
  }

  /** Answers, or not, as {@code outage} says, from now on. */
  public void outage(Outage outage) {
    this.outage = outage;
  }

  /** Closes its port (connections are refused), keeping every schema for {@link #listen}. */
  public synchronized void stopListening() {
    server.stop(0);
  }

  /** Opens its port again, with the schemas it had. */
  public synchronized void listen() throws IOException {
    serve(newServer(port));
  }

  /**
   * From a closed port ({@link #stopListening}) back to answering through every way of being down,
   * {@code each} apiece: refusing connections, then 503, then a proxy's 404.
   */
  public void recoverThroughEveryOutage(java.time.Duration each)
      throws IOException, InterruptedException {
    Thread.sleep(each.toMillis());
    listen();
    outage(Outage.UNAVAILABLE);
    Thread.sleep(each.toMillis());
    outage(Outage.PROXY_NOT_FOUND);
    Thread.sleep(each.toMillis());
    outage(Outage.NONE);
  }

  public String url() {
    return (tls == null ? "http" : "https") + "://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Outage now = outage;
      if (now != Outage.NONE) {
        boolean proxy = now == Outage.PROXY_NOT_FOUND;
        byte[] page =
            (proxy
                    ? "<html><body><h1>404 Not Found</h1>nginx</body></html>"
                    : "{\"error_code\":50301,\"message\":\"Service unavailable\"}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", proxy ? "text/html" : "application/json");
        exchange.sendResponseHeaders(proxy ? 404 : 503, page.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(page);
        }
        return;
      }
      if (userInfo != null
          && !("Basic "
                  + java.util.Base64.getEncoder()
                      .encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)))
              .equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        byte[] refusal =
            "{\"error_code\":401,\"message\":\"Unauthorized\"}".getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        exchange.sendResponseHeaders(401, refusal.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(refusal);
        }
        return;
      }
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getRawPath();
      String query = exchange.getRequestURI().getRawQuery();
      Answer answer;
      try {
        JsonNode body = readBody(exchange.getRequestBody());
        answer =
            route(
                method,
                path.length() > 1 && path.endsWith("/")
                    ? path.substring(0, path.length() - 1)
                    : path,
                query == null ? "" : query,
                body);
      } catch (Refusal e) {
        answer = error(e.status(), e.errorCode(), e.getMessage());
      } catch (RuntimeException e) {
        answer = error(500, Refusal.INTERNAL_ERROR, "Internal error: " + e);
      }
      byte[] bytes = JSON.writeValueAsBytes(answer.body());
      exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
      exchange.sendResponseHeaders(answer.status(), bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private record Answer(int status, JsonNode body) {}

  private synchronized Answer route(String method, String path, String query, JsonNode body) {
    Matcher m;
    if (method.equals("GET") && path.equals("/subjects")) {
      ArrayNode subjects = JSON.createArrayNode();
      versionsBySubject.keySet().forEach(subjects::add);
      return ok(subjects);
    }
    if (method.equals("GET") && path.equals("/schemas/types")) {
      return ok(JSON.createArrayNode().add("AVRO"));
    }
    if ((m = SUBJECT_VERSIONS.matcher(path)).matches()) {
      String subject = decode(m.group(1));
      if (method.equals("POST")) {
        return ok(JSON.createObjectNode().put("id", register(subject, parseSchema(body))));
      }
      if (method.equals("GET")) {
        ArrayNode versions = JSON.createArrayNode();
        for (int v = 1; v <= versionsOf(subject).size(); v++) {
          versions.add(v);
        }
        return ok(versions);
      }
    }
    if ((m = SUBJECT_VERSION.matcher(path)).matches() && method.equals("GET")) {
      String subject = decode(m.group(1));
      int version = resolveVersion(subject, decode(m.group(2)));
      return ok(describe(subject, version));
    }
    if ((m = SUBJECT.matcher(path)).matches() && method.equals("POST")) {
      String subject = decode(m.group(1));
      List<Integer> ids = versionsOf(subject);
      Schema schema = parseSchema(body);
      Integer id = idsBySchema.get(schema.toString());
      int index = id == null ? -1 : ids.indexOf(id);
      if (index < 0) {
        throw new Refusal(404, Refusal.SCHEMA_NOT_FOUND, "Schema not found");
      }
      return ok(describe(subject, index + 1));
    }
    if ((m = SCHEMA_BY_ID.matcher(path)).matches() && method.equals("GET")) {
      int id = Integer.parseInt(m.group(1));
      Schema schema = schemasById.get(id);
      if (schema == null) {
        throw new Refusal(404, Refusal.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
      }
      if (m.group(2) != null) {
        return ok(readTree(schema.toString()));
      }
      return ok(JSON.createObjectNode().put("schema", schema.toString()));
    }
    if ((m = COMPATIBILITY.matcher(path)).matches() && method.equals("POST")) {
      String subject = decode(m.group(1));
      String version = decode(m.group(2));
      Schema candidate = parseSchema(body);
      List<String> problems;
      if (!versionsBySubject.containsKey(subject) && version.equals("latest")) {
        problems = List.of();
      } else {
        int v = resolveVersion(subject, version);
        problems =
            incompatibilities(
                levelOf(subject),
                candidate,
                List.of(schemasById.get(versionsOf(subject).get(v - 1))));
      }
      ObjectNode answer = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
      if (query.contains("verbose=true")) {
        ArrayNode messages = answer.putArray("messages");
        problems.forEach(messages::add);
      }
      return ok(answer);
    }
    if (path.equals("/config")) {
      if (method.equals("GET")) {
        return ok(JSON.createObjectNode().put("compatibilityLevel", globalLevel));
      }
      if (method.equals("PUT")) {
        globalLevel = parseLevel(body);
        return ok(JSON.createObjectNode().put("compatibility", globalLevel));
      }
    }
    if ((m = SUBJECT_CONFIG.matcher(path)).matches()) {
      String subject = decode(m.group(1));
      if (method.equals("GET")) {
        String level = levelBySubject.get(subject);
        if (level == null && query.contains("defaultToGlobal=true")) {
          level = globalLevel;
        }
        if (level == null) {
          throw new Refusal(
              404,
              Refusal.SUBJECT_COMPATIBILITY_NOT_CONFIGURED,
              "Subject '" + subject + "' does not have subject-level compatibility configured");
        }
        return ok(JSON.createObjectNode().put("compatibilityLevel", level));
      }
      if (method.equals("PUT")) {
        String level = parseLevel(body);
        levelBySubject.put(subject, level);
        return ok(JSON.createObjectNode().put("compatibility", level));
      }
    }
    return error(404, 404, "HTTP 404 Not Found: " + method + " " + path);
  }

  private int register(String subject, Schema schema) {
    List<Integer> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
    Integer existing = idsBySchema.get(schema.toString());
    if (existing != null && versions.contains(existing)) {
      return existing;
    }
    List<Schema> previous = versions.stream().map(schemasById::get).toList();
    List<String> problems = incompatibilities(levelOf(subject), schema, previous);
    if (!problems.isEmpty()) {
      if (versions.isEmpty()) {
        versionsBySubject.remove(subject);
      }
      throw new Refusal(
          409,
          Refusal.INCOMPATIBLE_SCHEMA,
          "Schema being registered is incompatible with an earlier schema for subject \""
              + subject
              + "\", details: "
              + problems);
    }
    int id = existing != null ? existing : schemasById.size() + 1;
    idsBySchema.put(schema.toString(), id);
    schemasById.put(id, schema);
    versions.add(id);
    return id;
  }

  /**
   * What stops {@code candidate} from following {@code previous} (oldest first) under {@code
   * level}.
   */
  private static List<String> incompatibilities(
      String level, Schema candidate, List<Schema> previous) {
    if (level.equals("NONE") || previous.isEmpty()) {
      return List.of();
    }
    List<Schema> checked =
        level.endsWith("_TRANSITIVE") ? previous : List.of(previous.get(previous.size() - 1));
    boolean backward = level.startsWith("BACKWARD") || level.startsWith("FULL");
    boolean forward = level.startsWith("FORWARD") || level.startsWith("FULL");
    List<String> problems = new ArrayList<>();
    for (Schema old : checked) {
      if (backward) {
        describeProblems(
            SchemaCompatibility.checkReaderWriterCompatibility(candidate, old),
            "BACKWARD",
            problems);
      }
      if (forward) {
        describeProblems(
            SchemaCompatibility.checkReaderWriterCompatibility(old, candidate),
            "FORWARD",
            problems);
      }
    }
    return problems;
  }

  private static void describeProblems(
      SchemaCompatibility.SchemaPairCompatibility result, String direction, List<String> problems) {
    for (SchemaCompatibility.Incompatibility problem : result.getResult().getIncompatibilities()) {
      problems.add(
          direction
              + ": "
              + problem.getType()
              + " at "
              + problem.getLocation()
              + ": "
              + problem.getMessage());
    }
  }

  private ObjectNode describe(String subject, int version) {
    int id = versionsOf(subject).get(version - 1);
    return JSON.createObjectNode()
        .put("subject", subject)
        .put("version", version)
        .put("id", id)
        .put("schema", schemasById.get(id).toString());
  }

  private List<Integer> versionsOf(String subject) {
    List<Integer> versions = versionsBySubject.get(subject);
    if (versions == null) {
      throw new Refusal(404, Refusal.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }
    return versions;
  }

  private int resolveVersion(String subject, String version) {
    List<Integer> versions = versionsOf(subject);
    if (version.equals("latest") || version.equals("-1")) {
      return versions.size();
    }
    int v;
    try {
      v = Integer.parseInt(version);
    } catch (NumberFormatException e) {
      throw new Refusal(
          422,
          Refusal.INVALID_VERSION,
          "The specified version '" + version + "' is not a valid version id.");
    }
    if (v < 1 || v > versions.size()) {
      throw new Refusal(404, Refusal.VERSION_NOT_FOUND, "Version " + v + " not found.");
    }
    return v;
  }

  private String levelOf(String subject) {
    return levelBySubject.getOrDefault(subject, globalLevel);
  }

  private static String parseLevel(JsonNode body) {
    String level = body.path("compatibility").asText("");
    if (!LEVELS.contains(level)) {
      throw new Refusal(
          422,
          Refusal.INVALID_COMPATIBILITY_LEVEL,
          "Invalid compatibility level '" + level + "'; one of " + LEVELS);
    }
    return level;
  }

  private static Schema parseSchema(JsonNode body) {
    String type = body.path("schemaType").asText("AVRO");
    if (!type.equals("AVRO")) {
      throw new Refusal(
          422, Refusal.INVALID_SCHEMA, "Only AVRO schemas are supported, not " + type);
    }
    if (body.path("references").size() > 0) {
      throw new Refusal(422, Refusal.INVALID_SCHEMA, "Schema references are not supported");
    }
    try {
      return new Schema.Parser().parse(body.path("schema").asText(""));
    } catch (SchemaParseException | NullPointerException e) {
      throw new Refusal(422, Refusal.INVALID_SCHEMA, "Invalid schema: " + e.getMessage());
    }
  }

  private static JsonNode readBody(InputStream in) throws IOException {
    byte[] bytes = in.readAllBytes();
    if (bytes.length == 0) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new Refusal(422, 422, "Unparseable request body: " + e.getMessage());
    }
  }

  private static JsonNode readTree(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Answer ok(JsonNode body) {
    return new Answer(200, body);
  }

  private static Answer error(int status, int code, String message) {
    return new Answer(
        status, JSON.createObjectNode().put("error_code", code).put("message", message));
  }

  private static String decode(String segment) {
    return URLDecoder.decode(segment, StandardCharsets.UTF_8);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /**
   * An error answer: the HTTP status and Confluent's error code, as its REST API documents them
   * (kept here rather than taken from riskstream's client, so that the client is tested against the
   * documented codes, not against itself).
   */
  private static final class Refusal extends RuntimeException {
    static final int SUBJECT_NOT_FOUND = 40401;
    static final int VERSION_NOT_FOUND = 40402;
    static final int SCHEMA_NOT_FOUND = 40403;
    static final int SUBJECT_COMPATIBILITY_NOT_CONFIGURED = 40408;
    static final int INCOMPATIBLE_SCHEMA = 409;
    static final int INVALID_SCHEMA = 42201;
    static final int INVALID_VERSION = 42202;
    static final int INVALID_COMPATIBILITY_LEVEL = 42203;
    static final int INTERNAL_ERROR = 50001;

    private final int status;
    private final int errorCode;

    Refusal(int status, int errorCode, String message) {
      super(message);
      this.status = status;
      this.errorCode = errorCode;
    }

    int status() {
      return status;
    }

    int errorCode() {
      return errorCode;
    }
  }
}
