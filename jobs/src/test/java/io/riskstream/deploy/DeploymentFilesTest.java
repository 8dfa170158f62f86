package io.riskstream.deploy;

import static io.riskstream.deploy.Kustomize.YAML;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riskstream.cli.Riskstream;
import io.riskstream.config.ConfigLoader;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.config.RiskstreamOptions;
import io.riskstream.kafka.KafkaTopics;
import io.riskstream.notify.NotifySettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code deploy/} honest without a cluster: every manifest, kustomization and compose file
 * parses; the overlays render (and as {@code kubectl kustomize} renders them, where it is
 * installed); every job, argument, configuration key, environment variable, topic, Flink option and
 * port they name exists in the code and the docs; the image and versions are the pom's.
 */
class DeploymentFilesTest {
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final Path DEPLOY = REPO.resolve("deploy");
  private static final Path KUBERNETES = DEPLOY.resolve("kubernetes");
  private static final String POM = read(REPO.resolve("pom.xml"));
  private static final String VERSION =
      pom("<artifactId>riskstream-parent</artifactId>\\s*<version>([^<]+)<");
  private static final String FLINK = pom("<flink.version>([^<]+)<");
  private static final String KAFKA = pom("<kafka.version>([^<]+)<");
  private static final int METRICS_PORT = 9249;

  @Test
  void everyFileUnderDeployParses() throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(DEPLOY)) {
      files =
          walk.filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/run/"))
              .filter(p -> p.toString().matches(".*\\.(ya?ml|json)$"))
              .toList();
    }
    for (Path file : files) {
      if (file.toString().endsWith(".json")) {
        assertThat(new ObjectMapper().readTree(Files.readString(file)))
            .as(file.toString())
            .isNotNull();
      } else {
        assertThat(Kustomize.documents(file)).as(file.toString()).isNotEmpty();
      }
    }
    assertThat(files).hasSizeGreaterThan(15);
    // The example configurations load as riskstream loads them.
    // (the secret files it names stand in as files of this machine)
    Path secret = Files.writeString(Files.createTempFile("secret", ""), "x");
    Path example = Files.createTempFile("riskstream", ".yaml");
    Files.writeString(
        example,
        read(DEPLOY.resolve("riskstream.yaml"))
            .replaceAll("/run/secrets/[\\w-]+", secret.toString()));
    RiskstreamConfig.load(example, Map.of(), List.of());
    RiskstreamConfig.load(config("riskstream.yaml"), Map.of(), List.of());
    NotifySettings.load(config("notify.yaml"));
  }

  @Test
  void theImageIsFlinksOfThePomsVersionWithTheJobsClusterJar() {
    String dockerfile = read(DEPLOY.resolve("image/Dockerfile"));
    assertThat(dockerfile)
        .containsOnlyOnce("\nFROM flink:" + FLINK + "-scala_2.12-java17\n")
        .contains("COPY --chown=flink:flink cluster/target/riskstream-cluster.jar " + JAR_IN_IMAGE);
    assertThat(read(REPO.resolve("cluster/pom.xml")))
        .contains("<outputFile>${project.build.directory}/riskstream-cluster.jar</outputFile>");
  }

  private static final String JAR_IN_IMAGE = "/opt/flink/usrlib/riskstream.jar";

  @Test
  void theOverlaysRenderAndAsKubectlKustomizeRendersThem() throws Exception {
    for (String dir : List.of("base", "overlays/dev", "overlays/prod")) {
      List<ObjectNode> rendered = Kustomize.render(KUBERNETES.resolve(dir));
      assertThat(rendered).as(dir).hasSize(15);
      Path kubectl = onPath("kubectl");
      if (kubectl != null) {
        Process p =
            new ProcessBuilder(kubectl.toString(), "kustomize", KUBERNETES.resolve(dir).toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        Map<String, JsonNode> theirs = new TreeMap<>();
        try (var parser = YAML.getFactory().createParser(out)) {
          YAML.readValues(parser, JsonNode.class)
              .forEachRemaining(doc -> theirs.put(Kustomize.id(doc), doc));
        }
        Map<String, JsonNode> ours = new TreeMap<>();
        rendered.forEach(doc -> ours.put(Kustomize.id(doc), doc));
        assertThat(ours).as(dir + " as kubectl kustomize renders it").isEqualTo(theirs);
      }
    }
    Map<String, ObjectNode> dev = byName(Kustomize.render(KUBERNETES.resolve("overlays/dev")));
    Map<String, ObjectNode> prod = byName(Kustomize.render(KUBERNETES.resolve("overlays/prod")));
    assertThat(dev.get("KafkaTopic/payments").at("/spec/replicas").asInt()).isEqualTo(1);
    assertThat(dev.get("KafkaTopic/payments").at("/metadata/namespace").asText())
        .isEqualTo("riskstream-dev");
    assertThat(prod.get("KafkaTopic/payments").at("/spec/replicas").asInt()).isEqualTo(3);
    assertThat(prod.get("FlinkDeployment/riskstream-detect").at("/spec/job/parallelism").asInt())
        .isEqualTo(12);
    assertThat(
            prod.get("FlinkDeployment/riskstream-notify").at("/spec/jobManager/replicas").asInt())
        .isEqualTo(2);
  }

  @Test
  void everyFlinkDeploymentRunsARiskstreamJobAsItsConfigurationSays() throws Exception {
    Set<String> jobs = new TreeSet<>();
    for (String dir : List.of("base", "overlays/dev", "overlays/prod")) {
      List<ObjectNode> rendered = Kustomize.render(KUBERNETES.resolve(dir));
      Map<String, ObjectNode> all = byName(rendered);
      for (ObjectNode d : rendered) {
        if (!d.path("kind").asText().equals("FlinkDeployment")) {
          continue;
        }
        String where = dir + " " + d.at("/metadata/name").asText();
        JsonNode spec = d.get("spec");
        assertThat(spec.get("image").asText()).as(where).endsWith("riskstream:" + VERSION);
        assertThat(spec.get("flinkVersion").asText())
            .as(where)
            .isEqualTo("v" + FLINK.replaceAll("^(\\d+)\\.(\\d+).*", "$1_$2"));
        JsonNode job = spec.get("job");
        assertThat(job.get("jarURI").asText()).isEqualTo("local://" + JAR_IN_IMAGE);
        assertThat(job.get("entryClass").asText()).isEqualTo(Riskstream.class.getName());
        assertThat(job.get("upgradeMode").asText()).isEqualTo("savepoint");

        List<String> args = new ArrayList<>();
        job.get("args").forEach(a -> args.add(a.asText()));
        // The arguments are the CLI's: a job command and flags it takes.
        var parsed = Riskstream.commandLine().parseArgs(args.toArray(String[]::new));
        assertThat(parsed.subcommand().commandSpec().name())
            .isEqualTo(args.get(0))
            .isIn("detect", "sink", "notify");
        jobs.add(args.get(0));
        List<String> sets = new ArrayList<>();
        for (int i = 0; i < args.size() - 1; i++) {
          if (args.get(i).equals("--set")) {
            sets.add(args.get(i + 1));
          }
        }
        assertThat(sets).as(where).contains("job.parallelism=" + job.get("parallelism").asInt());

        // The configuration file is the ConfigMap's, and it loads with the pod's environment.
        JsonNode container = spec.at("/podTemplate/spec/containers/0");
        assertThat(container.get("name").asText()).isEqualTo("flink-main-container");
        String configPath = args.get(args.indexOf("--config") + 1);
        String configText = mounted(spec, all, configPath, where);
        Map<String, String> environment = new HashMap<>();
        for (JsonNode env : container.path("env")) {
          String name = env.get("name").asText();
          assertThat(env.has("value")).as(where + " " + name + " comes from a Secret").isFalse();
          assertThat(env.at("/valueFrom/secretKeyRef/name").asText())
              .as(where + " " + name)
              .isNotEmpty();
          environment.put(
              name, name.equals("RISKSTREAM_KAFKA_PROPERTIES") ? "sasl.jaas.config: x" : "x");
        }
        Path configFile = Files.createTempFile("riskstream", ".yaml");
        Files.writeString(configFile, configText);
        RiskstreamConfig config = RiskstreamConfig.load(configFile, environment, sets);
        assertThat(config.parallelism()).isEqualTo(job.get("parallelism").asInt());
        if (!args.get(0).equals("detect")) {
          assertThat(environment).as(where).containsKey("RISKSTREAM_POSTGRES_PASSWORD");
        }
        if (args.get(0).equals("notify")) {
          String notifyFile = config.notifyFile().toString();
          Path routes = Files.createTempFile("notify", ".yaml");
          Files.writeString(routes, mounted(spec, all, notifyFile, where));
          NotifySettings notify = NotifySettings.load(routes);
          assertThat(environment).containsKey(notify.telegram().tokenEnv());
          notify.routes().stream()
              .flatMap(r -> r.webhooks() == null ? Stream.empty() : r.webhooks().stream())
              .filter(h -> h.secretEnv() != null)
              .forEach(h -> assertThat(environment).as(where).containsKey(h.secretEnv()));
        }

        // The cluster's configuration: Flink's own keys, RocksDB, HA, S3, no secret.
        Map<String, String> flink = new TreeMap<>();
        spec.get("flinkConfiguration")
            .fields()
            .forEachRemaining(f -> flink.put(f.getKey(), f.getValue().asText()));
        assertThat(flink.keySet()).as(where).allMatch(DeploymentFilesTest::isFlinkOption);
        assertThat(flink.keySet())
            .noneMatch(k -> k.matches(".*(password|secret|token|access-key|jaas).*"));
        assertThat(flink)
            .containsEntry("state.backend.type", "rocksdb")
            .containsEntry("execution.checkpointing.incremental", "true")
            .containsEntry("high-availability.type", "kubernetes")
            .containsEntry("metrics.reporter.prom.port", String.valueOf(METRICS_PORT));
        assertThat(flink.get("execution.checkpointing.dir")).startsWith("s3://");
        assertThat(flink.get("execution.checkpointing.savepoint-dir")).startsWith("s3://");
        assertThat(flink.get("high-availability.storageDir")).startsWith("s3://");
        // Prometheus finds the reporter: the port is named as the PodMonitor scrapes it, and the
        // pod
        // carries the label it selects.
        assertThat(container.get("ports").get(0).get("containerPort").asInt())
            .isEqualTo(METRICS_PORT);
        JsonNode monitor = all.get("PodMonitor/riskstream").get("spec");
        assertThat(container.get("ports").get(0).get("name").asText())
            .isEqualTo(monitor.at("/podMetricsEndpoints/0/port").asText());
        monitor
            .at("/selector/matchLabels")
            .fields()
            .forEachRemaining(
                l ->
                    assertThat(spec.at("/podTemplate/metadata/labels").path(l.getKey()).asText())
                        .isEqualTo(l.getValue().asText()));
      }
    }
    assertThat(jobs).containsExactly("detect", "notify", "sink");
  }

  @Test
  void theTopicsAreThePlanOfTheTopicsCommand() throws Exception {
    String file = read(KUBERNETES.resolve("base/topics.yaml"));
    Matcher command =
        Pattern.compile("^# Generated: java -jar jobs/target/riskstream.jar (topics [^\\n]+)\\n")
            .matcher(file);
    assertThat(command.find()).isTrue();
    List<String> args = new ArrayList<>(List.of(command.group(1).split(" ")));
    int config = args.indexOf("--config") + 1;
    assertThat(REPO.resolve(args.get(config))).isEqualTo(config("riskstream.yaml"));
    args.set(config, REPO.resolve(args.get(config)).toString());
    StringWriter out = new StringWriter();
    var cli = Riskstream.commandLine();
    cli.setOut(new PrintWriter(out));
    assertThat(cli.execute(args.toArray(String[]::new))).isZero();
    String body =
        file.lines().dropWhile(l -> l.startsWith("#")).collect(Collectors.joining("\n", "", "\n"));
    assertThat(body).isEqualTo(out.toString());
    // ... and that is every topic of the configuration, by the plan.
    RiskstreamConfig k8s =
        RiskstreamConfig.load(
            config("riskstream.yaml"),
            Map.of("RISKSTREAM_KAFKA_PROPERTIES", "sasl.jaas.config: x"),
            List.of());
    assertThat(body)
        .isEqualTo(
            KafkaTopics.strimzi(KafkaTopics.plan(k8s.topics(), 12, (short) 3), "riskstream"));
    assertThat(Kustomize.documents(KUBERNETES.resolve("base/topics.yaml")))
        .extracting(t -> t.at("/spec/topicName").asText())
        .containsExactlyInAnyOrderElementsOf(k8s.topics().byKey().values());
  }

  @Test
  void theComposeStackNamesWhatExists() throws Exception {
    Path dir = DEPLOY.resolve("compose");
    // SnakeYAML resolves the anchors and merge keys (<<) the file shares settings with.
    JsonNode compose =
        new ObjectMapper()
            .valueToTree(new org.yaml.snakeyaml.Yaml().load(read(dir.resolve("compose.yaml"))));
    Path dockerCompose = onPath("docker-compose");
    if (dockerCompose != null) {
      // Compose's own validation, which needs no Docker daemon.
      Process p =
          new ProcessBuilder(
                  dockerCompose.toString(),
                  "-f",
                  dir.resolve("compose.yaml").toString(),
                  "config",
                  "-q")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes());
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
    }
    JsonNode services = compose.get("services");
    assertThat(services.at("/kafka/image").asText()).isEqualTo("apache/kafka:" + KAFKA);
    Set<String> commands = new TreeSet<>();
    Map<String, String> flinkProperties = new LinkedHashMap<>();
    for (var it = services.fields(); it.hasNext(); ) {
      var service = it.next();
      JsonNode s = service.getValue();
      if (!s.path("image").asText().startsWith("riskstream:")) {
        continue;
      }
      String where = "compose service " + service.getKey();
      assertThat(s.get("image").asText()).as(where).isEqualTo("riskstream:" + VERSION);
      assertThat(s.at("/build/dockerfile").asText()).isEqualTo("deploy/image/Dockerfile");
      assertThat(dir.resolve(s.at("/build/context").asText()).resolve("deploy/image/Dockerfile"))
          .exists();
      for (JsonNode volume : s.path("volumes")) {
        String source = volume.asText().split(":")[0];
        if (source.startsWith(".")) {
          assertThat(dir.resolve(source)).as(where).exists();
        }
      }
      Map<String, String> env = new TreeMap<>();
      s.path("environment")
          .fields()
          .forEachRemaining(
              e ->
                  env.put(
                      e.getKey(),
                      e.getValue().asText().replaceAll("\\$\\{[A-Z_]+:-([^}]*)}", "$1")));
      if (env.containsKey("FLINK_PROPERTIES")) {
        for (String line : env.get("FLINK_PROPERTIES").split("\n")) {
          String[] kv = line.split(":\\s*", 2);
          flinkProperties.put(kv[0].strip(), kv[1].strip());
          assertThat(isFlinkOption(kv[0].strip())).as(where + " " + kv[0]).isTrue();
        }
        continue;
      }
      List<String> command = new ArrayList<>();
      s.path("command").forEach(c -> command.add(c.asText()));
      if (command.isEmpty() || !command.get(0).equals("riskstream")) {
        commands.addAll(
            Pattern.compile("riskstream (\\w+)")
                .matcher(s.path("command").toString())
                .results()
                .map(r -> r.group(1))
                .toList());
      } else {
        commands.add(command.get(1));
        Riskstream.commandLine()
            .parseArgs(command.subList(1, command.size()).toArray(String[]::new));
      }
      // Every RISKSTREAM_ variable is a key riskstream reads; the configuration loads.
      Map<String, String> riskstream = new TreeMap<>(env);
      riskstream.keySet().removeIf(k -> !k.startsWith(ConfigLoader.ENV_PREFIX));
      RiskstreamConfig config = RiskstreamConfig.load(null, riskstream, List.of());
      assertThat(config.flinkConfiguration().toMap()).containsEntry("execution.target", "remote");
    }
    assertThat(commands)
        .containsExactlyInAnyOrder("topics", "detect", "sink", "notify", "generate", "produce");
    for (String c : commands) {
      assertThat(Riskstream.commandLine().getSubcommands()).containsKey(c);
    }
    // Prometheus scrapes the port the reporter serves; Grafana gets the dashboard.
    assertThat(flinkProperties)
        .containsEntry("metrics.reporter.prom.port", String.valueOf(METRICS_PORT))
        .containsEntry("state.backend.type", "rocksdb");
    assertThat(read(dir.resolve("prometheus.yml")))
        .contains("targets: [jobmanager:" + METRICS_PORT + ", taskmanager:" + METRICS_PORT + "]");
    assertThat(services.at("/grafana/volumes").toString())
        .contains("../grafana:/var/lib/grafana/dashboards");
    assertThat(read(dir.resolve("grafana/provisioning/dashboards/riskstream.yaml")))
        .contains("path: /var/lib/grafana/dashboards");
    assertThat(DEPLOY.resolve("grafana/riskstream.json")).exists();
  }

  @Test
  void theKeysAndMetricsTheFilesNameAreDocumented() throws Exception {
    String docs;
    try (Stream<Path> md = Files.list(REPO.resolve("docs"))) {
      docs =
          md.filter(p -> p.toString().endsWith(".md"))
                  .map(DeploymentFilesTest::read)
                  .collect(Collectors.joining("\n"))
              + read(REPO.resolve("README.md"));
    }
    Set<String> keys = new TreeSet<>();
    Set<String> known =
        RiskstreamOptions.all().stream().map(ConfigOption::key).collect(Collectors.toSet());
    for (String env :
        new TreeSet<>(
            Pattern.compile("RISKSTREAM_[A-Z_]+")
                .matcher(
                    read(DEPLOY.resolve("compose/compose.yaml"))
                        + read(KUBERNETES.resolve("base/detect.yaml"))
                        + read(KUBERNETES.resolve("base/sink.yaml"))
                        + read(KUBERNETES.resolve("base/notify.yaml")))
                .results()
                .map(r -> r.group())
                .toList())) {
      String key =
          known.stream().filter(k -> ConfigLoader.envName(k).equals(env)).findFirst().orElse(null);
      if (key == null) {
        assertThat(env).isIn("RISKSTREAM_KAFKA_PROPERTIES", "RISKSTREAM_FLINK_PROPERTIES");
        keys.add(env);
      } else {
        keys.add(key);
      }
    }
    assertThat(keys).contains("postgres.password", "job.parallelism", "checkpoints.dir");
    for (String key : keys) {
      assertThat(docs.contains(key) || docs.contains(ConfigLoader.envName(key)))
          .as("docs name " + key)
          .isTrue();
    }
    JsonNode dashboard =
        new ObjectMapper().readTree(read(DEPLOY.resolve("grafana/riskstream.json")));
    Set<String> metrics = new TreeSet<>();
    Matcher m =
        Pattern.compile("_riskstream_(\\w+?)(_type_reason_severity_emitted|_status_sent|\\b)")
            .matcher(dashboard.toString());
    while (m.find()) {
      metrics.add(m.group(1).replaceAll("^notify_target_", "").replace("_", "."));
    }
    assertThat(metrics).contains("openClaims", "ruleVersions", "deadLettered");
    for (String metric : metrics) {
      assertThat(docs).as("docs name the metric " + metric).contains(metric);
    }
  }

  // --- helpers

  /** The text mounted at {@code path} in the pod: a key of a ConfigMap the deployment mounts. */
  private static String mounted(
      JsonNode spec, Map<String, ObjectNode> all, String path, String where) {
    Path file = Path.of(path);
    for (JsonNode mount : spec.at("/podTemplate/spec/containers/0/volumeMounts")) {
      if (Path.of(mount.get("mountPath").asText()).equals(file.getParent())) {
        for (JsonNode volume : spec.at("/podTemplate/spec/volumes")) {
          if (volume.get("name").equals(mount.get("name"))) {
            ObjectNode map = all.get("ConfigMap/" + volume.at("/configMap/name").asText());
            assertThat(map)
                .as(where + ": the ConfigMap mounted at " + file.getParent())
                .isNotNull();
            JsonNode text = map.at("/data/" + file.getFileName());
            assertThat(text.isTextual()).as(where + ": " + path + " in the ConfigMap").isTrue();
            return text.asText();
          }
        }
      }
    }
    throw new AssertionError(where + ": nothing mounted at " + file.getParent());
  }

  private static Map<String, ObjectNode> byName(List<ObjectNode> resources) {
    Map<String, ObjectNode> byName = new TreeMap<>();
    resources.forEach(
        r -> byName.put(r.path("kind").asText() + "/" + r.at("/metadata/name").asText(), r));
    return byName;
  }

  private static final Set<String> FLINK_KEYS = flinkKeys();

  /** A key of Flink's options, or of a plugin or the operator (their prefixes). */
  private static boolean isFlinkOption(String key) {
    return FLINK_KEYS.contains(key)
        || key.startsWith("metrics.reporter.")
        || key.startsWith("kubernetes.operator.")
        || key.startsWith("s3.");
  }

  private static Set<String> flinkKeys() {
    Set<String> keys = new TreeSet<>();
    for (Class<?> options :
        List.of(
            org.apache.flink.configuration.CheckpointingOptions.class,
            org.apache.flink.configuration.StateBackendOptions.class,
            org.apache.flink.configuration.StateRecoveryOptions.class,
            org.apache.flink.configuration.HighAvailabilityOptions.class,
            org.apache.flink.configuration.RestartStrategyOptions.class,
            org.apache.flink.configuration.MetricOptions.class,
            org.apache.flink.configuration.TaskManagerOptions.class,
            org.apache.flink.configuration.JobManagerOptions.class,
            org.apache.flink.configuration.CoreOptions.class,
            org.apache.flink.configuration.PipelineOptions.class,
            org.apache.flink.configuration.ExecutionOptions.class,
            org.apache.flink.configuration.HeartbeatManagerOptions.class,
            org.apache.flink.configuration.RestOptions.class,
            org.apache.flink.configuration.DeploymentOptions.class,
            org.apache.flink.state.rocksdb.RocksDBOptions.class,
            org.apache.flink.state.rocksdb.RocksDBConfigurableOptions.class)) {
      for (Field field : options.getFields()) {
        if (Modifier.isStatic(field.getModifiers()) && field.getType() == ConfigOption.class) {
          try {
            ConfigOption<?> option = (ConfigOption<?>) field.get(null);
            keys.add(option.key());
            for (FallbackKey fallback : option.fallbackKeys()) {
              keys.add(fallback.getKey());
            }
          } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
          }
        }
      }
    }
    return keys;
  }

  private static Path config(String name) {
    return KUBERNETES.resolve("base/config").resolve(name);
  }

  private static Path onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  private static String pom(String regex) {
    Matcher m = Pattern.compile(regex).matcher(POM);
    assertThat(m.find()).as(regex).isTrue();
    return m.group(1);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
