package io.riskstream.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;

/**
 * Every key of riskstream's YAML configuration, typed, with its default and description. Keys under
 * {@link #PASS_THROUGH_PREFIXES} are handed to the Kafka clients and to Flink unchanged.
 */
public final class RiskstreamOptions {
  private RiskstreamOptions() {}

  public static final ConfigOption<String> KAFKA_BOOTSTRAP_SERVERS =
      key("kafka.bootstrap-servers")
          .stringType()
          .noDefaultValue()
          .withDescription("Kafka bootstrap servers, host:port[,host:port...].");
  public static final ConfigOption<String> KAFKA_GROUP_ID =
      key("kafka.group-id")
          .stringType()
          .defaultValue("riskstream-detect")
          .withDescription(
              "Consumer group of the job's Kafka sources (offsets are also kept in checkpoints).");
  public static final ConfigOption<String> KAFKA_STARTING_OFFSETS =
      key("kafka.starting-offsets")
          .stringType()
          .defaultValue("committed-or-earliest")
          .withDescription(
              "Where a job without a checkpoint starts: committed-or-earliest, earliest or latest.");
  public static final ConfigOption<Boolean> KAFKA_BOUNDED =
      key("kafka.bounded")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "Stop at the offsets that are the latest when the job starts, then finish: drains a"
                  + " backlog (backfills, benchmarks). Event-time rules then decide everything pending."
                  + " A failure ends the run instead of restarting it (docs/operations.md).");
  public static final ConfigOption<Duration> KAFKA_TRANSACTION_TIMEOUT =
      key("kafka.transaction-timeout")
          .durationType()
          .defaultValue(Duration.ofMinutes(10))
          .withDescription(
              "transaction.timeout.ms of the exactly-once sinks; must not exceed the brokers'"
                  + " transaction.max.timeout.ms (15 min by default) and must cover the checkpoint"
                  + " interval, the checkpoint timeout and a minute to restart.");

  public static final ConfigOption<String> REGISTRY_URL =
      key("registry.url")
          .stringType()
          .noDefaultValue()
          .withDescription("Schema registry URL(s), comma-separated; later ones are fail-overs.");
  public static final ConfigOption<String> REGISTRY_USER_INFO =
      key("registry.basic-auth.user-info")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Secret: user:password for the registry's basic auth (environment or -file only).");
  public static final ConfigOption<String> REGISTRY_TRUSTSTORE =
      key("registry.ssl.truststore.location")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Trust store (PKCS12 or JKS) for an https registry whose certificate the JVM's"
                  + " default trust store does not cover; unset: the JVM's.");
  public static final ConfigOption<String> REGISTRY_TRUSTSTORE_PASSWORD =
      key("registry.ssl.truststore.password")
          .stringType()
          .noDefaultValue()
          .withDescription("Secret: the trust store's password (environment or -file only).");
  public static final ConfigOption<Boolean> REGISTRY_AUTO_REGISTER =
      key("registry.auto-register")
          .booleanType()
          .defaultValue(true)
          .withDescription(
              "Register the Alert schema on start; false: it must be registered already.");
  public static final ConfigOption<Duration> REGISTRY_TIMEOUT =
      key("registry.timeout")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription("Timeout of one registry request.");
  public static final ConfigOption<Integer> REGISTRY_MAX_ATTEMPTS =
      key("registry.max-attempts")
          .intType()
          .defaultValue(5)
          .withDescription(
              "Attempts (across the URLs, with backoff) before a registry outage fails the task.");

  public static final ConfigOption<String> TOPIC_PAYMENTS =
      key("topics.payments")
          .stringType()
          .defaultValue("payments")
          .withDescription("Payment events.");
  public static final ConfigOption<String> TOPIC_BILLS =
      key("topics.bills")
          .stringType()
          .defaultValue("bills")
          .withDescription("Bank statement lines.");
  public static final ConfigOption<String> TOPIC_BALANCE_CHANGES =
      key("topics.balance-changes")
          .stringType()
          .defaultValue("balance-changes")
          .withDescription("Wallet ledger lines.");
  public static final ConfigOption<String> TOPIC_ALERTS =
      key("topics.alerts")
          .stringType()
          .defaultValue("risk-alerts")
          .withDescription("Alerts (exactly once).");
  public static final ConfigOption<String> TOPIC_ALERT_UPDATES =
      key("topics.alert-updates")
          .stringType()
          .defaultValue("risk-alert-updates")
          .withDescription("Updates of alerts: acknowledged, resolved, retracted, reopened.");
  public static final ConfigOption<String> TOPIC_ALERTS_SHADOW =
      key("topics.alerts-shadow")
          .stringType()
          .defaultValue("risk-alerts-shadow")
          .withDescription("Alerts of rule versions in shadow mode; never notified.");
  public static final ConfigOption<String> TOPIC_DAILY_SUMMARIES =
      key("topics.daily-summaries")
          .stringType()
          .defaultValue("risk-daily-summaries")
          .withDescription(
              "Each closed day's reconciliation per merchant, from the sink job to notify.");
  public static final ConfigOption<String> TOPIC_RULES =
      key("topics.rules")
          .stringType()
          .defaultValue("risk-rules")
          .withDescription("Hot rule updates.");
  public static final ConfigOption<String> TOPIC_LATE_EVENTS =
      key("topics.late-events")
          .stringType()
          .defaultValue("risk-late-events")
          .withDescription(
              "Events that came too late for a rule to place them, with the reason and late.by.ms in"
                  + " headers.");
  public static final ConfigOption<String> TOPIC_DEAD_LETTERS =
      key("topics.dead-letters")
          .stringType()
          .defaultValue("risk-dead-letters")
          .withDescription(
              "Records that could not be read, with the reason in the `error` header.");

  public static final ConfigOption<Duration> WATERMARK_MAX_OUT_OF_ORDERNESS =
      key("watermarks.max-out-of-orderness")
          .durationType()
          .defaultValue(Duration.ofMinutes(1))
          .withDescription("Bounded disorder of event times within a partition.");
  public static final ConfigOption<Duration> WATERMARK_IDLENESS =
      key("watermarks.idleness")
          .durationType()
          .defaultValue(Duration.ofSeconds(30))
          .withDescription(
              "A partition without records for this long stops holding back the watermark; 0 s turns"
                  + " this off (a quiet partition then holds back its source's watermark).");
  public static final ConfigOption<Duration> WATERMARK_FIRST_RECORD_GRACE =
      key("watermarks.first-record-grace")
          .durationType()
          .defaultValue(Duration.ofMinutes(1))
          .withDescription(
              "After a start, how long a partition that has delivered nothing yet still holds back"
                  + " the watermark (at least watermarks.idleness): long enough for the first fetch"
                  + " of a job restored onto a backlog on a busy machine. A partition that is really"
                  + " empty holds the watermark this long after each start.");
  public static final ConfigOption<String> EVENTS_NOT_BEFORE =
      key("events.not-before")
          .stringType()
          .defaultValue("2000-01-01T00:00:00Z")
          .withDescription(
              "An event_time before this instant is bad input (dead-lettered): a clock in seconds read"
                  + " as milliseconds lands in 1970.");
  public static final ConfigOption<Duration> EVENTS_MAX_AHEAD =
      key("events.max-ahead")
          .durationType()
          .defaultValue(Duration.ofMinutes(5))
          .withDescription(
              "An event_time more than this after its Kafka record's timestamp (files: after the"
                  + " command started) is bad input (dead-lettered) and never moves a watermark.");
  public static final ConfigOption<String> EVENTS_LOCAL_TIME_ZONE =
      key("events.local-time-zone")
          .stringType()
          .defaultValue("Asia/Kolkata")
          .withDescription(
              "Time zone of writer schemas whose event_time is a local-timestamp-millis or -micros.");

  public static final ConfigOption<String> RECONCILIATION_TIME_ZONE =
      key("reconciliation.time-zone")
          .stringType()
          .defaultValue("Asia/Kolkata")
          .withDescription(
              "The time zone whose days the daily reconciliation closes (the sink job's"
                  + " daily_reconciliation rows and notify's daily summaries).");

  public static final ConfigOption<String> JOB_NAME =
      key("job.name")
          .stringType()
          .defaultValue("riskstream-detect")
          .withDescription("Flink job name.");
  public static final ConfigOption<Integer> JOB_PARALLELISM =
      key("job.parallelism")
          .intType()
          .defaultValue(2)
          .withDescription("Default parallelism of the job.");
  public static final ConfigOption<Integer> JOB_MAX_PARALLELISM =
      key("job.max-parallelism")
          .intType()
          .defaultValue(720)
          .withDescription(
              "Key groups of the keyed state: the highest parallelism a savepoint can ever be"
                  + " restored at. Fixed for the life of the state; 720 divides evenly by most"
                  + " parallelisms.");
  public static final ConfigOption<String> JOB_TRANSACTIONAL_ID_PREFIX =
      key("job.transactional-id-prefix")
          .stringType()
          .defaultValue("riskstream-detect")
          .withDescription("Prefix of the Kafka transactional ids; unique per job on a cluster.");

  public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
      key("checkpoints.interval")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription(
              "Checkpoint interval; alerts become visible to read_committed consumers at each one.");
  public static final ConfigOption<Duration> CHECKPOINT_TIMEOUT =
      key("checkpoints.timeout")
          .durationType()
          .defaultValue(Duration.ofMinutes(2))
          .withDescription(
              "A checkpoint that takes longer is aborted (and counts towards"
                  + " checkpoints.tolerable-failures).");
  public static final ConfigOption<Duration> CHECKPOINT_MIN_PAUSE =
      key("checkpoints.min-pause")
          .durationType()
          .defaultValue(Duration.ofSeconds(1))
          .withDescription(
              "Least time between the end of one checkpoint and the start of the next, so that a slow"
                  + " checkpoint during a backlog leaves the job time to process.");
  public static final ConfigOption<Integer> CHECKPOINT_TOLERABLE_FAILURES =
      key("checkpoints.tolerable-failures")
          .intType()
          .defaultValue(3)
          .withDescription(
              "Consecutive failed checkpoints tolerated before the job restarts from the last one.");
  public static final ConfigOption<String> CHECKPOINT_DIR =
      key("checkpoints.dir")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Durable checkpoint storage, e.g. s3://bucket/riskstream or file:///var/lib/rs.");

  /** Flink's keyed state backends riskstream runs on. */
  public enum StateBackend {
    ROCKSDB,
    HASHMAP;

    @Override
    public String toString() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public static final ConfigOption<StateBackend> STATE_BACKEND =
      key("state.backend")
          .enumType(StateBackend.class)
          .defaultValue(StateBackend.ROCKSDB)
          .withDescription("Flink state backend: rocksdb (production) or hashmap.");
  public static final ConfigOption<Boolean> STATE_INCREMENTAL =
      key("state.incremental")
          .booleanType()
          .defaultValue(true)
          .withDescription("Incremental RocksDB checkpoints.");

  public static final ConfigOption<Integer> STATE_CACHE_KEYS =
      key("state.cache-keys")
          .intType()
          .defaultValue(20_000)
          .withDescription(
              "Keys whose decoded values each detector subtask keeps on the heap in front of"
                  + " RocksDB, per keyed value, at most: written to RocksDB when they leave the"
                  + " cache and ahead of every checkpoint. Never more than a fifth of the"
                  + " TaskManager's heap per slot affords, at about 1.2 KB a key. A backlog drained"
                  + " 1.06 to 2.16 times as fast with it in the bench; 0 turns it off"
                  + " (docs/detection.md).");

  public static final ConfigOption<Integer> METRICS_PORT =
      key("metrics.port")
          .intType()
          .defaultValue(0)
          .withDescription(
              "Port a local run (and the demo) serves Prometheus metrics on, at /metrics, with"
                  + " Flink's Prometheus reporter; the address is printed at start. 0: a free port;"
                  + " -1: none. On a cluster, the cluster's metrics.reporter.* settings decide.");

  public static final ConfigOption<String> RULES_FILE =
      key("rules.file")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "YAML rules file; without it the built-in defaults of docs/contract.md (Alerts) apply.");

  public static final ConfigOption<Boolean> RULES_SHADOW =
      key("rules.shadow")
          .booleanType()
          .defaultValue(true)
          .withDescription(
              "Run a second set of detectors for SHADOW rule versions (docs/rules.md), whose alerts go to"
                  + " topics.alerts-shadow: about twice the detection state and CPU. With false, SHADOW"
                  + " versions are dead-lettered.");

  public static final ConfigOption<String> NOTIFY_FILE =
      key("notify.file")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "YAML file of notification routes, thresholds, delivery and rate limits (notify job).");
  public static final ConfigOption<String> POSTGRES_URL =
      key("postgres.url")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "JDBC URL of the analysts' PostgreSQL, e.g. jdbc:postgresql://db:5432/risk (sink and notify jobs).");
  public static final ConfigOption<String> POSTGRES_USER =
      key("postgres.user")
          .stringType()
          .defaultValue("riskstream")
          .withDescription("PostgreSQL user.");
  public static final ConfigOption<String> POSTGRES_PASSWORD =
      key("postgres.password")
          .stringType()
          .noDefaultValue()
          .withDescription("Secret: the PostgreSQL password (environment or -file only).");
  public static final ConfigOption<Integer> SINK_BATCH_SIZE =
      key("sink.batch-size").intType().defaultValue(500).withDescription("Rows per JDBC batch.");
  public static final ConfigOption<Duration> SINK_BATCH_INTERVAL =
      key("sink.batch-interval")
          .durationType()
          .defaultValue(Duration.ofSeconds(1))
          .withDescription(
              "Longest a row waits for its batch (batches are also flushed at every checkpoint).");
  public static final ConfigOption<Integer> SINK_MAX_RETRIES =
      key("sink.max-retries")
          .intType()
          .defaultValue(5)
          .withDescription(
              "Retries of a failed batch before the task fails and restarts from its checkpoint.");

  /**
   * Keys below these prefixes are passed on unchanged: to the Kafka clients, and to Flink's
   * configuration.
   */
  public static final List<String> PASS_THROUGH_PREFIXES = List.of("kafka.properties.", "flink.");

  /** All the options above, by reflection so that a new one cannot be forgotten. */
  public static List<ConfigOption<?>> all() {
    List<ConfigOption<?>> options = new ArrayList<>();
    for (Field field : RiskstreamOptions.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == ConfigOption.class) {
        try {
          options.add((ConfigOption<?>) field.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return options;
  }

  /**
   * Secrets may come from the environment or from a file named by {@code <key>-file}, never from
   * the YAML.
   */
  public static boolean isSecret(String key) {
    String k = key.toLowerCase(java.util.Locale.ROOT);
    if (k.endsWith("-file")) {
      return false; // the name of a file holding a secret is not itself one
    }
    return k.equals(REGISTRY_USER_INFO.key())
        || k.contains("password")
        || k.contains("secret")
        || k.contains("jaas")
        || k.contains("token")
        // A PEM private key given inline (ssl.keystore.key) is as secret as a password.
        || k.endsWith("ssl.keystore.key");
  }
}
