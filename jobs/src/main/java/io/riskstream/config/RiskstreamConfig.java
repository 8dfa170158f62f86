package io.riskstream.config;

import static io.riskstream.config.RiskstreamOptions.*;

import io.riskstream.kafka.EventTimeBounds;
import io.riskstream.registry.SchemaRegistryClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.TimeUtils;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** riskstream's settings, read and checked once at start-up (see {@link ConfigLoader}). */
public final class RiskstreamConfig {
  /** Where a job without checkpointed offsets starts reading. */
  public enum StartingOffsets {
    COMMITTED_OR_EARLIEST,
    EARLIEST,
    LATEST
  }

  /**
   * Time a failed job is allowed to take to restart and commit its last checkpoint's transactions.
   */
  private static final Duration RESTART_BUDGET = Duration.ofMinutes(1);

  /**
   * {@code state.cache-keys} in the job's Flink configuration, where the detection workflow reads
   * it when it builds the graph (with the default when a test builds it without riskstream's).
   */
  public static final ConfigOption<Integer> FLINK_STATE_CACHE_KEYS =
      ConfigOptions.key("riskstream." + STATE_CACHE_KEYS.key())
          .intType()
          .defaultValue(STATE_CACHE_KEYS.defaultValue());

  private final Configuration config;
  private final StartingOffsets startingOffsets;
  private final EventTimeBounds eventTimeBounds;
  private final ZoneId localTimeZone;
  private final ZoneId reconciliationTimeZone;

  private RiskstreamConfig(Configuration config) {
    this.config = config;
    this.startingOffsets = parseStartingOffsets(config.get(KAFKA_STARTING_OFFSETS));
    this.eventTimeBounds =
        new EventTimeBounds(
            parse(
                EVENTS_NOT_BEFORE,
                Instant::parse,
                "an ISO-8601 instant such as 2000-01-01T00:00:00Z"),
            config.get(EVENTS_MAX_AHEAD));
    this.localTimeZone =
        parse(EVENTS_LOCAL_TIME_ZONE, ZoneId::of, "a zone id such as Asia/Kolkata");
    this.reconciliationTimeZone =
        parse(RECONCILIATION_TIME_ZONE, ZoneId::of, "a zone id such as Asia/Kolkata");
    require(KAFKA_BOOTSTRAP_SERVERS, "host:9092");
    checkAddresses();
    checkKafkaClientSettings();
    Duration needed =
        config.get(CHECKPOINT_INTERVAL).plus(config.get(CHECKPOINT_TIMEOUT)).plus(RESTART_BUDGET);
    if (config.get(KAFKA_TRANSACTION_TIMEOUT).compareTo(needed) < 0) {
      throw new ConfigException(
          "'"
              + KAFKA_TRANSACTION_TIMEOUT.key()
              + "' ("
              + TimeUtils.formatWithHighestUnit(config.get(KAFKA_TRANSACTION_TIMEOUT))
              + ") must be at least '"
              + CHECKPOINT_INTERVAL.key()
              + "' + '"
              + CHECKPOINT_TIMEOUT.key()
              + "' + 1 min to restart ("
              + TimeUtils.formatWithHighestUnit(needed)
              + "), or a transaction can expire before the checkpoint that commits it; raise it"
              + " (at most the brokers' transaction.max.timeout.ms) or lower the others");
    }
    for (ConfigOption<Duration> option : List.of(CHECKPOINT_INTERVAL, REGISTRY_TIMEOUT)) {
      if (config.get(option).isZero() || config.get(option).isNegative()) {
        throw new ConfigException(
            "'"
                + option.key()
                + "' must be more than 0 s, was "
                + TimeUtils.formatWithHighestUnit(config.get(option))
                + "; the default is "
                + TimeUtils.formatWithHighestUnit(option.defaultValue()));
      }
    }
    if (config.get(WATERMARK_IDLENESS).isNegative()) {
      throw new ConfigException("'" + WATERMARK_IDLENESS.key() + "' must be 0 s (off) or more");
    }
    if (config.get(REGISTRY_MAX_ATTEMPTS) < 1) {
      throw new ConfigException(
          "'" + REGISTRY_MAX_ATTEMPTS.key() + "' must be at least 1 (one request, no retry)");
    }
    if (config.get(METRICS_PORT) < -1 || config.get(METRICS_PORT) > 65_535) {
      throw new ConfigException(
          "'"
              + METRICS_PORT.key()
              + "' must be a port (1-65535), 0 for a free one or -1 for none, was "
              + config.get(METRICS_PORT));
    }
    checkTopicNames();
    if (config.get(STATE_CACHE_KEYS) < 0) {
      throw new ConfigException(
          "'"
              + STATE_CACHE_KEYS.key()
              + "' must be 0 (no cache) or more, was "
              + config.get(STATE_CACHE_KEYS));
    }
    if (config.get(JOB_PARALLELISM) < 1) {
      throw new ConfigException("'" + JOB_PARALLELISM.key() + "' must be at least 1");
    }
    if (config.get(JOB_MAX_PARALLELISM) < config.get(JOB_PARALLELISM)
        || config.get(JOB_MAX_PARALLELISM) > 32_768) {
      throw new ConfigException(
          "'"
              + JOB_MAX_PARALLELISM.key()
              + "' must be between '"
              + JOB_PARALLELISM.key()
              + "' ("
              + config.get(JOB_PARALLELISM)
              + ") and 32768");
    }
  }

  /**
   * Every topic named, and no two keys naming the same topic: an alert topic that is also the
   * payments topic would feed the job its own output.
   */
  private void checkTopicNames() {
    Map<String, String> keyByTopic = new java.util.HashMap<>();
    for (Map.Entry<String, String> topic : topics().byKey().entrySet()) {
      if (topic.getValue().isBlank()) {
        throw new ConfigException("'" + topic.getKey() + "' is empty: name the topic to use");
      }
      String other = keyByTopic.putIfAbsent(topic.getValue(), topic.getKey());
      if (other != null) {
        throw new ConfigException(
            "'"
                + other
                + "' and '"
                + topic.getKey()
                + "' both name the topic '"
                + topic.getValue()
                + "'; every topic key needs a topic of its own");
      }
    }
  }

  /**
   * Loads the YAML file (may be null), the environment and the --set flags, and checks everything.
   */
  public static RiskstreamConfig load(
      Path yamlFile, Map<String, String> environment, List<String> sets) {
    return new RiskstreamConfig(ConfigLoader.load(yamlFile, environment, sets));
  }

  /**
   * Every bootstrap server is host:port and every registry URL an http(s) URL with a host: a wrong
   * form would otherwise show as a client retrying for minutes.
   */
  private void checkAddresses() {
    for (String server : config.get(KAFKA_BOOTSTRAP_SERVERS).split("\\s*,\\s*")) {
      int colon = server.lastIndexOf(':');
      int port = -1;
      try {
        port = colon > 0 ? Integer.parseInt(server.substring(colon + 1)) : -1;
      } catch (NumberFormatException e) {
        // reported below
      }
      if (port < 1 || port > 65_535) {
        throw new ConfigException(
            "invalid value '"
                + server
                + "' in '"
                + KAFKA_BOOTSTRAP_SERVERS.key()
                + "': expected host:port, such as broker-1:9092");
      }
    }
    // Required by what uses it (registry()): the topics command needs no registry.
    for (String url :
        config.getOptional(REGISTRY_URL).map(u -> u.split("\\s*,\\s*")).orElse(new String[0])) {
      java.net.URI uri;
      try {
        uri = new java.net.URI(url);
      } catch (java.net.URISyntaxException e) {
        uri = null;
      }
      if (uri == null
          || uri.getHost() == null
          || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        throw new ConfigException(
            "invalid value '"
                + url
                + "' in '"
                + REGISTRY_URL.key()
                + "': expected an http or https URL, such as http://registry:8081");
      }
    }
  }

  /**
   * The {@code kafka.properties.*} settings as Kafka's own producer and consumer definitions read
   * them (names are free, but a known name must have a valid value): {@code security.protocol=SSLX}
   * failed only when a client connected.
   */
  private void checkKafkaClientSettings() {
    Map<String, Object> props = new java.util.HashMap<>();
    kafkaProperties().forEach((k, v) -> props.put((String) k, v));
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    props.put("key.deserializer", ByteArrayDeserializer.class.getName());
    props.put("value.deserializer", ByteArrayDeserializer.class.getName());
    for (org.apache.kafka.common.config.ConfigDef definition :
        List.of(ProducerConfig.configDef(), ConsumerConfig.configDef())) {
      try {
        definition.parse(props);
      } catch (org.apache.kafka.common.config.ConfigException e) {
        throw new ConfigException(
            "invalid Kafka client setting: "
                + e.getMessage()
                + "; fix it under kafka.properties (the name without the prefix is Kafka's)");
      }
    }
  }

  private void require(ConfigOption<String> option, String example) {
    if (config.getOptional(option).filter(v -> !v.isBlank()).isEmpty()) {
      throw new ConfigException(
          "missing '"
              + option.key()
              + "': set it in the YAML file, as "
              + ConfigLoader.envName(option.key())
              + " or with --set "
              + option.key()
              + "="
              + example);
    }
  }

  private <T> T parse(ConfigOption<String> option, Function<String, T> parser, String expected) {
    String value = config.get(option);
    try {
      return parser.apply(value);
    } catch (RuntimeException e) {
      throw new ConfigException(
          "invalid value '" + value + "' for '" + option.key() + "': expected " + expected);
    }
  }

  private static StartingOffsets parseStartingOffsets(String value) {
    try {
      return StartingOffsets.valueOf(value.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "invalid value '"
              + value
              + "' for '"
              + KAFKA_STARTING_OFFSETS.key()
              + "': expected committed-or-earliest, earliest or latest");
    }
  }

  /**
   * The producers' {@code max.request.size}: {@code kafka.properties.max.request.size}, else
   * Kafka's default (1 MiB).
   */
  public int maxRequestBytes() {
    String set = kafkaProperties().getProperty("max.request.size");
    try {
      return set == null ? 1_048_576 : Integer.parseInt(set.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(
          "invalid value '"
              + set
              + "' for 'kafka.properties.max.request.size': expected a whole number of bytes");
    }
  }

  public String bootstrapServers() {
    return config.get(KAFKA_BOOTSTRAP_SERVERS);
  }

  /**
   * Client properties for every Kafka client: bootstrap servers plus everything under {@code
   * kafka.properties.}.
   */
  public Properties kafkaProperties() {
    Properties props = new Properties();
    String prefix = "kafka.properties.";
    config
        .toMap()
        .forEach(
            (k, v) -> {
              if (k.startsWith(prefix)) {
                props.setProperty(k.substring(prefix.length()), v);
              }
            });
    props.setProperty("bootstrap.servers", bootstrapServers());
    return props;
  }

  public String groupId() {
    return config.get(KAFKA_GROUP_ID);
  }

  public boolean bounded() {
    return config.get(KAFKA_BOUNDED);
  }

  public StartingOffsets startingOffsets() {
    return startingOffsets;
  }

  public Duration transactionTimeout() {
    return config.get(KAFKA_TRANSACTION_TIMEOUT);
  }

  public SchemaRegistryClient.Settings registry() {
    require(REGISTRY_URL, "http://registry:8081");
    return new SchemaRegistryClient.Settings(
        List.of(config.get(REGISTRY_URL).split("\\s*,\\s*")),
        config.getOptional(REGISTRY_USER_INFO).orElse(null),
        config.get(REGISTRY_TIMEOUT),
        config.get(REGISTRY_MAX_ATTEMPTS),
        config.getOptional(REGISTRY_TRUSTSTORE).orElse(null),
        config.getOptional(REGISTRY_TRUSTSTORE_PASSWORD).orElse(null));
  }

  public boolean autoRegister() {
    return config.get(REGISTRY_AUTO_REGISTER);
  }

  public Topics topics() {
    return Topics.from(config);
  }

  public Duration maxOutOfOrderness() {
    return config.get(WATERMARK_MAX_OUT_OF_ORDERNESS);
  }

  /** How long a quiet partition holds back the watermark; null when idleness is off (0 s). */
  public Duration idleness() {
    Duration idleness = config.get(WATERMARK_IDLENESS);
    return idleness.isZero() ? null : idleness;
  }

  /** After a start, how long a partition that has delivered nothing holds back the watermark. */
  public Duration firstRecordGrace() {
    return config.get(WATERMARK_FIRST_RECORD_GRACE);
  }

  /** Event times that are bad input (see {@link EventTimeBounds}). */
  public EventTimeBounds eventTimeBounds() {
    return eventTimeBounds;
  }

  /** The zone whose days the daily reconciliation closes. */
  public ZoneId reconciliationTimeZone() {
    return reconciliationTimeZone;
  }

  /** The zone of writer schemas with local-timestamp event times. */
  public ZoneId localTimeZone() {
    return localTimeZone;
  }

  /** Where checkpoints go ({@code checkpoints.dir}), if set. */
  public java.util.Optional<String> checkpointDir() {
    return config.getOptional(CHECKPOINT_DIR);
  }

  public String jobName() {
    return config.get(JOB_NAME);
  }

  public int parallelism() {
    return config.get(JOB_PARALLELISM);
  }

  public String transactionalIdPrefix() {
    return config.get(JOB_TRANSACTIONAL_ID_PREFIX);
  }

  public Duration checkpointInterval() {
    return config.get(CHECKPOINT_INTERVAL);
  }

  /** The PostgreSQL connection of the sink job; fails naming the key when it is not configured. */
  public Postgres postgres() {
    require(POSTGRES_URL, "jdbc:postgresql://db:5432/risk");
    String url = config.get(POSTGRES_URL);
    String user = config.get(POSTGRES_USER);
    String password = config.getOptional(POSTGRES_PASSWORD).orElse(null);
    String expected =
        "invalid value '"
            + url
            + "' in '"
            + POSTGRES_URL.key()
            + "': expected jdbc:postgresql://host:5432/db or postgresql://user@host:5432/db";
    if (url.startsWith("postgresql://") || url.startsWith("postgres://")) {
      // The libpq form psql takes (and the demo prints): user and password may be in it.
      java.net.URI uri;
      try {
        uri = new java.net.URI(url);
      } catch (java.net.URISyntaxException e) {
        throw new ConfigException(expected);
      }
      if (uri.getHost() == null) {
        throw new ConfigException(expected);
      }
      if (uri.getUserInfo() != null) {
        String[] userInfo = uri.getUserInfo().split(":", 2);
        user = userInfo[0];
        password = userInfo.length > 1 ? userInfo[1] : password;
      }
      url =
          "jdbc:postgresql://"
              + uri.getHost()
              + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
              + uri.getRawPath()
              + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    } else if (!url.startsWith("jdbc:postgresql://")) {
      throw new ConfigException(expected);
    }
    return new Postgres(
        url,
        user,
        password,
        config.get(SINK_BATCH_SIZE),
        config.get(SINK_BATCH_INTERVAL),
        config.get(SINK_MAX_RETRIES));
  }

  /** Where and how the sink job writes. */
  public record Postgres(
      String url,
      String user,
      String password,
      int batchSize,
      Duration batchInterval,
      int maxRetries)
      implements java.io.Serializable {
    @Override
    public String toString() {
      return "Postgres[" + url + " as " + user + "]"; // the password is a secret: never printed
    }
  }

  /** The notification routes file; fails naming the key when it is not configured. */
  public Path notifyFile() {
    require(NOTIFY_FILE, "/etc/riskstream/notify.yaml");
    return Path.of(config.get(NOTIFY_FILE));
  }

  public Path rulesFile() {
    return config.getOptional(RULES_FILE).map(Path::of).orElse(null);
  }

  /** {@code metrics.port}: 0 for a free port, -1 for none. */
  public int metricsPort() {
    return config.get(METRICS_PORT);
  }

  /**
   * The {@code flink.*} settings that make a local cluster serve its metrics for Prometheus at
   * {@code http://host:port/metrics}: Flink's own reporter, named {@code prom} as in Flink's docs.
   * It listens on every interface (it has no bind address); the metrics are read-only.
   */
  public static List<String> prometheusSettings(int port) {
    return List.of(
        "flink.metrics.reporter.prom.factory.class="
            + "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
        "flink.metrics.reporter.prom.port=" + port);
  }

  /** Whether the detection job runs shadow detectors for SHADOW rule versions. */
  public boolean shadowRules() {
    return config.get(RULES_SHADOW);
  }

  /**
   * What every riskstream job (and the backtest) sets in Flink's configuration, before any {@code
   * flink.*} override.
   */
  public static Configuration withRiskstreamDefaults(Configuration flink) {
    // State and records must never fall back to Kryo: a type that would is a bug, found at job
    // build time.
    flink.setString("pipeline.generic-types", "false");
    // Timers in RocksDB with the state. A checkpoint writes every heap timer in its synchronous
    // part, while the operator stands still: at a 30-day steady state every open UTR holds its
    // cleanup timer, and the bench's soak (5,000,000 open UTRs, managed memory) measured a
    // synchronous phase of two seconds and more (2.0-2.3 s) and 660 MB of heap with heap timers,
    // against 84-104 ms and 22 MB with RocksDB timers, at the same events/s (bench/README.md,
    // "Soak"). A flink.* key sets it back for small state.
    flink.setString("state.backend.rocksdb.timer-service.factory", "ROCKSDB");
    // ZSTD rather than Snappy: the state is small Avro records full of repeated ids and VPAs. The
    // bench (200,000 events, 9,250 UTRs open): UtrMatcher 148 B per open UTR and OrderMatcher 199 B
    // per order, against 221 and 294 B with Snappy (and bloom filters); throughput unchanged
    // (4,634 vs 4,624 events/s). Compaction pays for it in CPU. Level 0 in LZ4: a checkpoint's
    // synchronous phase waits for the memtables' flush into level 0, and that flush is short of
    // CPU, not disk. Five alternating pairs at 16,000 events/s: p99 beyond the rule's wait median
    // 236 ms against 400 with ZSTD there too. Level 0 is a few memtables whatever the state's
    // size, so a month of state stays ZSTD (bench/README.md, "Level 0 in LZ4").
    flink.setString(
        "state.backend.rocksdb.compression.per.level", "LZ4_COMPRESSION;ZSTD_COMPRESSION");
    // Eight background jobs, for two flush threads: RocksDB flushes on a pool shared by every
    // instance in the process, a quarter of the background jobs wide (one at Flink's default of 2).
    // A checkpoint's synchronous phase flushes each keyed operator's memtables while the operator
    // stands still, so with one thread the operators of a TaskManager queued behind each other's
    // flushes. The bench's latency run (checkpoints every 10 s; without checkpoints its p99 is
    // 78-92 ms): synchronous phase median 102-246 ms against 307-385, p99 145-532 ms against
    // 574-933 ms, throughput unchanged (bench/README.md, "The latency tail").
    flink.setString("state.backend.rocksdb.thread.num", "8");
    // Chained operators pass records on instead of copying them: the copies of whole Avro
    // payments between the source, the dead-letter split and the three filters were 8-10 % of the
    // bench profile. Safe because no operator mutates or keeps its input (BacktestITCase compares
    // the alerts field by field with a run that copies).
    flink.setString("pipeline.object-reuse", "true");
    // An alert waits for the watermark, which the sources emit every auto-watermark-interval
    // (Flink's default 200 ms) and which then waits in network buffers up to buffer-timeout (100
    // ms) at every shuffle. At 50 ms and 10 ms the bench's latency beyond the rule's wait fell from
    // p50 262 / p99 656 ms to 52 / 442 ms at the same throughput (bench/README.md, "Tried").
    flink.setString("pipeline.auto-watermark-interval", "50 ms");
    flink.setString("execution.buffer-timeout.interval", "10 ms");
    return flink;
  }

  /**
   * Flink's own configuration for the job: state backend and checkpointing from the typed keys
   * (RocksDB, incremental, exactly-once checkpoints), then every {@code flink.*} key as given,
   * which wins.
   */
  public Configuration flinkConfiguration() {
    Configuration flink = new Configuration();
    flink.setString("state.backend.type", config.get(STATE_BACKEND).toString());
    flink.setString(
        "execution.checkpointing.incremental", String.valueOf(config.get(STATE_INCREMENTAL)));
    flink.setString(
        "execution.checkpointing.interval", config.get(CHECKPOINT_INTERVAL).toMillis() + " ms");
    flink.setString("execution.checkpointing.mode", "EXACTLY_ONCE");
    flink.setString(
        "execution.checkpointing.timeout", config.get(CHECKPOINT_TIMEOUT).toMillis() + " ms");
    flink.setString(
        "execution.checkpointing.min-pause", config.get(CHECKPOINT_MIN_PAUSE).toMillis() + " ms");
    flink.setString(
        "execution.checkpointing.tolerable-failed-checkpoints",
        String.valueOf(config.get(CHECKPOINT_TOLERABLE_FAILURES)));
    flink.setString("pipeline.max-parallelism", String.valueOf(config.get(JOB_MAX_PARALLELISM)));
    flink.set(FLINK_STATE_CACHE_KEYS, config.get(STATE_CACHE_KEYS));
    config
        .getOptional(CHECKPOINT_DIR)
        .ifPresent(dir -> flink.setString("execution.checkpointing.dir", dir));
    // A cancelled or stopped job leaves its last checkpoint for the next run to resume from.
    flink.setString(
        "execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
    flink.setString("pipeline.name", jobName());
    flink.setString("parallelism.default", String.valueOf(parallelism()));
    if (bounded()) {
      // A bounded Kafka source restored from a checkpoint reads to its stopping offsets and never
      // finishes (FLINK-31006; docs/operations.md), and a restart inside the job restores it just
      // so: the run would sit idle for ever. Failing with the cause instead lets the user run it
      // again (--fresh), which loses nothing: a bounded run reads a fixed range.
      flink.setString("restart-strategy.type", "none");
    }
    withRiskstreamDefaults(flink);
    config
        .toMap()
        .forEach(
            (k, v) -> {
              if (k.startsWith("flink.")) {
                flink.setString(k.substring("flink.".length()), v);
              }
            });
    return flink;
  }
}
