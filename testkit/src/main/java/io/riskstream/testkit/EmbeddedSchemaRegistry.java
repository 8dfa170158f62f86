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

/**
 * An in-process, in-memory schema registry speaking the Confluent Schema Registry REST API, for the
 * demo and the tests. Hand-written because no maintained Confluent-compatible registry is published
 * on Maven Central (Confluent's server is not, Apicurio's needs a Quarkus runtime of its own); it
 * implements what Confluent's clients call: register (with schema references resolved across
 * subjects), look up by id and by subject, list subjects (by prefix) and versions, the subjects and
 * versions of an id, soft and permanent deletes of subjects and versions, compatibility tests, and
 * the global and subject configs. Errors carry Confluent's status and error codes.
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
  private static final Pattern SUBJECT_VERSION_SCHEMA =
      Pattern.compile("^/subjects/([^/]+)/versions/([^/]+)/schema$");
  private static final Pattern SCHEMA_BY_ID =
      Pattern.compile("^/schemas/ids/(\\d+)(/schema|/versions|/subjects)?$");
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
    PROXY_NOT_FOUND,
    /**
     * 503 to reads of schemas by id only, everything else answered: fails a running job's
     * deserialisers while its start-up checks and the Alert schema's registration pass.
     */
    READS_BY_ID_UNAVAILABLE
  }

  private HttpServer server;
  private final int port;
  private final ExecutorService executor;
  private volatile Outage outage = Outage.NONE;
  private final java.util.concurrent.atomic.AtomicInteger requests =
      new java.util.concurrent.atomic.AtomicInteger();
  // Guarded by this: the registry is tiny and calls are rare, so one lock keeps ids and versions
  // consistent.
  private final Map<String, Integer> idsBySchema = new LinkedHashMap<>();
  private final Map<Integer, Registered> schemasById = new TreeMap<>();
  private final Map<String, TreeMap<Integer, Version>> subjects = new TreeMap<>();
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

  /** How many HTTP requests it has received, answered or not. */
  public int requests() {
    return requests.get();
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
    requests.incrementAndGet();
    try (exchange) {
      Outage now = outage;
      if (now == Outage.READS_BY_ID_UNAVAILABLE
          && !SCHEMA_BY_ID.matcher(exchange.getRequestURI().getRawPath()).matches()) {
        now = Outage.NONE;
      }
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

  /** A schema as registered: its text, the references it names, and the schema they make. */
  private record Registered(String text, ArrayNode references, Schema schema) {
    /**
     * One id per schema and references, whatever the whitespace and field order of its JSON, as
     * Confluent's server gives (it compares the parsed schema).
     */
    String identity() {
      return schema.toString() + references;
    }

    ObjectNode putInto(ObjectNode answer) {
      answer.put("schema", text);
      if (!references.isEmpty()) {
        answer.set("references", references);
      }
      return answer;
    }
  }

  /** A version of a subject: its schema id and whether it was deleted, softly or for good. */
  private static final class Version {
    final int id;
    boolean softDeleted;
    boolean deleted;

    Version(int id) {
      this.id = id;
    }

    boolean visible(boolean includeSoftDeleted) {
      return !deleted && (!softDeleted || includeSoftDeleted);
    }
  }

  private synchronized Answer route(String method, String path, String query, JsonNode body) {
    Matcher m;
    boolean deleted = flag(query, "deleted");
    boolean permanent = flag(query, "permanent");
    if (method.equals("GET") && path.equals("/")) {
      return ok(JSON.createObjectNode());
    }
    if (method.equals("GET") && path.equals("/subjects")) {
      String prefix = param(query, "subjectPrefix");
      ArrayNode names = JSON.createArrayNode();
      subjects.keySet().stream()
          .filter(subject -> prefix == null || subject.startsWith(prefix))
          .filter(subject -> !versions(subject, deleted).isEmpty())
          .forEach(names::add);
      return ok(names);
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
        existingVersions(subject, deleted).forEach(versions::add);
        return ok(versions);
      }
    }
    if ((m = SUBJECT_VERSION_SCHEMA.matcher(path)).matches() && method.equals("GET")) {
      String subject = decode(m.group(1));
      int version = resolveVersion(subject, decode(m.group(2)), deleted);
      return ok(readTree(schemasById.get(history(subject).get(version).id).text()));
    }
    if ((m = SUBJECT_VERSION.matcher(path)).matches()) {
      String subject = decode(m.group(1));
      if (method.equals("GET")) {
        return ok(describe(subject, resolveVersion(subject, decode(m.group(2)), deleted)));
      }
      if (method.equals("DELETE")) {
        int number = resolveVersion(subject, decode(m.group(2)), true);
        Version version = history(subject).get(number);
        if (permanent && !version.softDeleted) {
          throw new Refusal(
              404,
              Refusal.VERSION_NOT_SOFT_DELETED,
              "Subject '"
                  + subject
                  + "' Version "
                  + number
                  + " was not deleted first before being permanently deleted");
        }
        if (!permanent && version.softDeleted) {
          throw new Refusal(
              404,
              Refusal.VERSION_SOFT_DELETED,
              "Subject '"
                  + subject
                  + "' Version "
                  + number
                  + " was soft deleted. Set permanent=true to delete permanently");
        }
        version.softDeleted = true;
        version.deleted = permanent;
        return ok(JSON.getNodeFactory().numberNode(number));
      }
    }
    if ((m = SUBJECT.matcher(path)).matches() && method.equals("POST")) {
      String subject = decode(m.group(1));
      Registered schema = parseSchema(body);
      Integer id = idsBySchema.get(schema.identity());
      for (int number : existingVersions(subject, deleted)) {
        if (id != null && history(subject).get(number).id == id) {
          return ok(describe(subject, number));
        }
      }
      throw new Refusal(404, Refusal.SCHEMA_NOT_FOUND, "Schema not found");
    }
    if ((m = SUBJECT.matcher(path)).matches() && method.equals("DELETE")) {
      String subject = decode(m.group(1));
      List<Integer> live = versions(subject, false);
      List<Integer> soft = versions(subject, true);
      if (soft.isEmpty()) {
        throw subjectNotFound(subject);
      }
      if (permanent && !live.isEmpty()) {
        throw new Refusal(
            404,
            Refusal.SUBJECT_NOT_SOFT_DELETED,
            "Subject '" + subject + "' was not deleted first before being permanently deleted");
      }
      if (!permanent && live.isEmpty()) {
        throw new Refusal(
            404,
            Refusal.SUBJECT_SOFT_DELETED,
            "Subject '" + subject + "' was soft deleted. Set permanent=true to delete permanently");
      }
      ArrayNode gone = JSON.createArrayNode();
      for (int number : permanent ? soft : live) {
        Version version = history(subject).get(number);
        version.softDeleted = true;
        version.deleted = permanent;
        gone.add(number);
      }
      if (permanent) {
        levelBySubject.remove(subject);
      }
      return ok(gone);
    }
    if ((m = SCHEMA_BY_ID.matcher(path)).matches() && method.equals("GET")) {
      int id = Integer.parseInt(m.group(1));
      Registered schema = schemasById.get(id);
      if (schema == null) {
        throw new Refusal(404, Refusal.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
      }
      String part = m.group(2) == null ? "" : m.group(2);
      switch (part) {
        case "/schema":
          return ok(readTree(schema.text()));
        case "/versions":
        case "/subjects":
          ArrayNode uses = JSON.createArrayNode();
          subjects.forEach(
              (subject, history) ->
                  history.forEach(
                      (number, version) -> {
                        if (version.id == id && version.visible(deleted)) {
                          if (part.equals("/versions")) {
                            uses.addObject().put("subject", subject).put("version", number);
                          } else if (!contains(uses, subject)) {
                            uses.add(subject);
                          }
                        }
                      }));
          return ok(uses);
        default:
          return ok(schema.putInto(JSON.createObjectNode()));
      }
    }
    if ((m = COMPATIBILITY.matcher(path)).matches() && method.equals("POST")) {
      String subject = decode(m.group(1));
      String version = decode(m.group(2));
      Schema candidate = parseSchema(body).schema();
      List<String> problems;
      if (versions(subject, false).isEmpty() && version.equals("latest")) {
        problems = List.of();
      } else {
        int v = resolveVersion(subject, version, false);
        problems =
            incompatibilities(
                levelOf(subject),
                candidate,
                List.of(schemasById.get(history(subject).get(v).id).schema()));
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
      if (method.equals("DELETE")) {
        String level = levelBySubject.remove(subject);
        if (level == null && !subjects.containsKey(subject)) {
          throw subjectNotFound(subject);
        }
        return ok(
            JSON.createObjectNode().put("compatibilityLevel", level == null ? globalLevel : level));
      }
    }
    return error(404, 404, "HTTP 404 Not Found: " + method + " " + path);
  }

  private int register(String subject, Registered schema) {
    TreeMap<Integer, Version> history = subjects.computeIfAbsent(subject, s -> new TreeMap<>());
    Integer existing = idsBySchema.get(schema.identity());
    List<Integer> live = versions(subject, false);
    for (int number : live) {
      if (existing != null && history.get(number).id == existing) {
        return existing;
      }
    }
    List<Schema> previous =
        live.stream().map(v -> schemasById.get(history.get(v).id).schema()).toList();
    List<String> problems = incompatibilities(levelOf(subject), schema.schema(), previous);
    if (!problems.isEmpty()) {
      if (history.isEmpty()) {
        subjects.remove(subject);
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
    idsBySchema.put(schema.identity(), id);
    schemasById.put(id, schema);
    // Version numbers are never reused, also after a version was deleted.
    history.put(history.isEmpty() ? 1 : history.lastKey() + 1, new Version(id));
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
    int id = history(subject).get(version).id;
    return schemasById
        .get(id)
        .putInto(
            JSON.createObjectNode().put("subject", subject).put("version", version).put("id", id));
  }

  /** Every version of {@code subject} ever registered; empty if none. */
  private TreeMap<Integer, Version> history(String subject) {
    return subjects.getOrDefault(subject, new TreeMap<>());
  }

  /** The version numbers of {@code subject} that are not deleted (or only soft-deleted). */
  private List<Integer> versions(String subject, boolean includeSoftDeleted) {
    List<Integer> numbers = new ArrayList<>();
    history(subject)
        .forEach(
            (number, version) -> {
              if (version.visible(includeSoftDeleted)) {
                numbers.add(number);
              }
            });
    return numbers;
  }

  /** {@link #versions}, a subject with none being unknown (40401). */
  private List<Integer> existingVersions(String subject, boolean includeSoftDeleted) {
    List<Integer> numbers = versions(subject, includeSoftDeleted);
    if (numbers.isEmpty()) {
      throw subjectNotFound(subject);
    }
    return numbers;
  }

  private static Refusal subjectNotFound(String subject) {
    return new Refusal(404, Refusal.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
  }

  private int resolveVersion(String subject, String version, boolean includeSoftDeleted) {
    List<Integer> numbers = existingVersions(subject, includeSoftDeleted);
    if (version.equals("latest") || version.equals("-1")) {
      return numbers.get(numbers.size() - 1);
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
    if (!numbers.contains(v)) {
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

  /**
   * The schema of a request body, its references resolved: each names a type defined by a version
   * of another subject, parsed first into the same parser (as Confluent's Avro provider does).
   */
  private Registered parseSchema(JsonNode body) {
    String type = body.path("schemaType").asText("AVRO");
    if (!type.equals("AVRO")) {
      throw new Refusal(
          422, Refusal.INVALID_SCHEMA, "Only AVRO schemas are supported, not " + type);
    }
    JsonNode text = body.path("schema");
    if (!text.isTextual()) {
      throw new Refusal(422, Refusal.INVALID_SCHEMA, "Invalid schema: 'schema' must be a string");
    }
    ArrayNode references =
        body.path("references").isArray()
            ? (ArrayNode) body.path("references")
            : JSON.createArrayNode();
    Schema.Parser parser = new Schema.Parser();
    try {
      defineReferences(parser, references, new java.util.HashSet<>());
      return new Registered(text.asText(), references, parser.parse(text.asText()));
    } catch (Refusal e) {
      throw e;
    } catch (RuntimeException e) {
      // SchemaParseException, AvroTypeException for a bad default and the like: the client's
      // mistake, never the server's.
      throw new Refusal(
          422,
          Refusal.INVALID_SCHEMA,
          "Invalid schema "
              + text.asText()
              + " with refs "
              + references
              + ", details: "
              + e.getMessage());
    }
  }

  private void defineReferences(
      Schema.Parser parser, JsonNode references, java.util.Set<Integer> defined) {
    for (JsonNode reference : references) {
      String subject = reference.path("subject").asText("");
      String version = reference.path("version").asText("latest");
      List<Integer> numbers = versions(subject, false);
      int number;
      try {
        number = resolveVersion(subject, version, false);
      } catch (Refusal e) {
        throw new Refusal(
            422,
            Refusal.INVALID_SCHEMA,
            "Invalid schema reference "
                + reference
                + ": "
                + (numbers.isEmpty() ? "subject not found" : "version not found"));
      }
      int id = history(subject).get(number).id;
      if (defined.add(id)) {
        Registered referenced = schemasById.get(id);
        defineReferences(parser, referenced.references(), defined);
        parser.parse(referenced.text());
      }
    }
  }

  private static boolean contains(ArrayNode array, String value) {
    for (JsonNode element : array) {
      if (element.asText().equals(value)) {
        return true;
      }
    }
    return false;
  }

  private static String param(String query, String name) {
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && decode(pair.substring(0, eq)).equals(name)) {
        return decode(pair.substring(eq + 1));
      }
    }
    return null;
  }

  private static boolean flag(String query, String name) {
    return "true".equals(param(query, name));
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
    static final int SUBJECT_SOFT_DELETED = 40404;
    static final int SUBJECT_NOT_SOFT_DELETED = 40405;
    static final int VERSION_SOFT_DELETED = 40406;
    static final int VERSION_NOT_SOFT_DELETED = 40407;
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
