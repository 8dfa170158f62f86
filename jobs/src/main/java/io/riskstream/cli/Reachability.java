package io.riskstream.cli;

import io.riskstream.config.RiskstreamConfig;
import io.riskstream.registry.RegistryException;
import io.riskstream.registry.RegistryUnavailableException;
import io.riskstream.registry.SchemaRegistryClient;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.flink.util.TimeUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * Checks, before a job is submitted, that what it will depend on answers: a job started against a
 * wrong address would otherwise fail its tasks again and again instead of saying so once.
 */
final class Reachability {
  private Reachability() {}

  /**
   * One request per registry URL, no retries; a {@link UserException} naming the key if none
   * answers.
   */
  static void registry(RiskstreamConfig config) {
    SchemaRegistryClient.Settings settings = config.registry();
    try {
      new SchemaRegistryClient(settings).checkReachable();
    } catch (RegistryUnavailableException | RegistryException e) {
      throw new UserException(
          "cannot reach the schema registry at "
              + String.join(",", settings.urls())
              + " ("
              + e.getMessage()
              + "); set registry.url");
    }
  }

  /** How long Kafka gets to answer before the check says it cannot be reached. */
  static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Kafka answers at {@code kafka.bootstrap-servers} and has every topic the job reads or writes; a
   * {@link UserException} naming the key otherwise. Without it a wrong address or a missing topic
   * made a job retry for minutes with nothing a user could act on.
   */
  static void kafka(RiskstreamConfig config, Map<String, String> topicsByKey) {
    Set<String> existing = withKafka(config, admin -> admin.listTopics().names().get());
    for (Map.Entry<String, String> topic : topicsByKey.entrySet()) {
      if (!existing.contains(topic.getValue())) {
        throw new UserException(
            "topic '"
                + topic.getValue()
                + "' does not exist on Kafka at "
                + config.bootstrapServers()
                + "; create it (riskstream topics), or set "
                + topic.getKey()
                + " to the topic to use");
      }
    }
  }

  /**
   * {@code kafka.transaction-timeout} is within the brokers' {@code transaction.max.timeout.ms}: a
   * longer one is refused by the broker when the job's first transaction starts, after the job was
   * submitted. Skipped when the cluster does not let this client read broker settings.
   */
  static void transactions(RiskstreamConfig config) {
    long brokerMax =
        withKafka(
            config,
            admin -> {
              String node = admin.describeCluster().nodes().get().iterator().next().idString();
              ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, node);
              try {
                ConfigEntry entry =
                    admin
                        .describeConfigs(List.of(broker))
                        .values()
                        .get(broker)
                        .get()
                        .get("transaction.max.timeout.ms");
                return entry == null ? Long.MAX_VALUE : Long.parseLong(entry.value());
              } catch (ExecutionException e) {
                if (e.getCause() instanceof AuthorizationException) {
                  return Long.MAX_VALUE;
                }
                throw e;
              }
            });
    if (config.transactionTimeout().toMillis() > brokerMax) {
      throw new UserException(
          "kafka.transaction-timeout ("
              + TimeUtils.formatWithHighestUnit(config.transactionTimeout())
              + ") is above the brokers' transaction.max.timeout.ms ("
              + TimeUtils.formatWithHighestUnit(Duration.ofMillis(brokerMax))
              + ") at "
              + config.bootstrapServers()
              + ": lower it, or raise the brokers' limit");
    }
  }

  /**
   * What {@code call} asks of Kafka's admin API at {@code kafka.bootstrap-servers}, in bounded
   * time; a {@link UserException} naming the key if Kafka does not answer or refuses.
   */
  static <T> T withKafka(RiskstreamConfig config, AdminCall<T> call) {
    Properties props = config.kafkaProperties();
    int millis = (int) KAFKA_TIMEOUT.toMillis();
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
    // The client's own retries would log a warning per attempt; the check says it once.
    String kafkaLogger = "org.apache.kafka";
    Level before = LogManager.getLogger(kafkaLogger).getLevel();
    Configurator.setLevel(kafkaLogger, Level.ERROR);
    try (Admin admin = Admin.create(props)) {
      return call.apply(admin);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw new UserException(unreachable(config));
      }
      throw new UserException(
          "cannot use Kafka at "
              + config.bootstrapServers()
              + " ("
              + e.getCause().getMessage()
              + "); check kafka.bootstrap-servers and kafka.properties.*");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserException("interrupted while asking Kafka");
    } finally {
      Configurator.setLevel(kafkaLogger, before);
    }
  }

  /** Requests to Kafka's admin API, each bounded by the admin client's own timeouts (set above). */
  interface AdminCall<T> {
    T apply(Admin admin) throws ExecutionException, InterruptedException;
  }

  private static String unreachable(RiskstreamConfig config) {
    return "cannot reach Kafka at "
        + config.bootstrapServers()
        + " within "
        + KAFKA_TIMEOUT.toSeconds()
        + " s; set kafka.bootstrap-servers (and kafka.properties.security.protocol and the like if"
        + " the cluster needs them)";
  }

  /** How long PostgreSQL gets to answer before the check says it cannot be reached. */
  static final Duration POSTGRES_TIMEOUT = Duration.ofSeconds(10);

  /**
   * PostgreSQL at {@code postgres.url} accepts a login as {@code postgres.user}; a {@link
   * UserException} naming the keys otherwise (the driver would retry inside Flyway and the sink).
   */
  static void postgres(RiskstreamConfig config) {
    try (Connection connection = postgresConnection(config)) {
      // connected and logged in: that is all the check asks
    } catch (SQLException e) {
      // closing failed: the check had passed
    }
  }

  /** A connection to {@code postgres.url}, or a {@link UserException} as {@link #postgres} says. */
  static Connection postgresConnection(RiskstreamConfig config) {
    RiskstreamConfig.Postgres postgres = config.postgres();
    Properties props = new Properties();
    props.setProperty("user", postgres.user());
    if (postgres.password() != null) {
      props.setProperty("password", postgres.password());
    }
    String seconds = Long.toString(POSTGRES_TIMEOUT.toSeconds());
    props.setProperty("connectTimeout", seconds);
    props.setProperty("loginTimeout", seconds);
    props.setProperty("socketTimeout", seconds);
    try {
      return new org.postgresql.Driver().connect(postgres.url(), props);
    } catch (SQLException e) {
      boolean login = e.getSQLState() != null && e.getSQLState().startsWith("28");
      throw new UserException(
          (login
                  ? "PostgreSQL at " + postgres.url() + " refused user " + postgres.user()
                  : "cannot reach PostgreSQL at " + postgres.url())
              + " ("
              + e.getMessage().lines().findFirst().orElse("")
              + "); "
              + (login
                  ? "set postgres.user and the password (RISKSTREAM_POSTGRES_PASSWORD or postgres.password-file)"
                  : "set postgres.url"));
    }
  }
}
