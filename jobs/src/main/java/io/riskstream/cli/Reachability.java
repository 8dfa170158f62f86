package io.riskstream.cli;

import io.riskstream.config.RiskstreamConfig;
import io.riskstream.registry.RegistryException;
import io.riskstream.registry.RegistryUnavailableException;
import io.riskstream.registry.SchemaRegistryClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
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
    Properties props = config.kafkaProperties();
    int millis = (int) KAFKA_TIMEOUT.toMillis();
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
    // The client's own retries would log a warning per attempt; the check says it once.
    String kafkaLogger = "org.apache.kafka";
    Level before = LogManager.getLogger(kafkaLogger).getLevel();
    Configurator.setLevel(kafkaLogger, Level.ERROR);
    try (Admin admin = Admin.create(props)) {
      admin
          .describeTopics(List.copyOf(topicsByKey.values()))
          .allTopicNames()
          // The admin's own timeouts bound the call; this only guards against a client that hangs.
          .get(2L * millis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        throw new UserException(missingTopic(config, topicsByKey, props));
      }
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw new UserException(unreachable(config));
      }
      throw new UserException(
          "cannot use Kafka at "
              + config.bootstrapServers()
              + " ("
              + e.getCause().getMessage()
              + "); check kafka.bootstrap-servers and kafka.properties.*");
    } catch (TimeoutException e) {
      throw new UserException(unreachable(config));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserException("interrupted while checking Kafka");
    } finally {
      Configurator.setLevel(kafkaLogger, before);
    }
  }

  private static String unreachable(RiskstreamConfig config) {
    return "cannot reach Kafka at "
        + config.bootstrapServers()
        + " within "
        + KAFKA_TIMEOUT.toSeconds()
        + " s; set kafka.bootstrap-servers (and kafka.properties.security.protocol and the like if"
        + " the cluster needs them)";
  }

  /** Which of the topics is missing, one by one (Kafka's answer names none). */
  private static String missingTopic(
      RiskstreamConfig config, Map<String, String> topicsByKey, Properties props) {
    try (Admin admin = Admin.create(props)) {
      var existing =
          admin.listTopics().names().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      for (Map.Entry<String, String> topic : topicsByKey.entrySet()) {
        if (!existing.contains(topic.getValue())) {
          return "topic '"
              + topic.getValue()
              + "' does not exist on Kafka at "
              + config.bootstrapServers()
              + "; create it, or set "
              + topic.getKey()
              + " to the topic to use";
        }
      }
    } catch (ExecutionException | TimeoutException e) {
      // fall through to the general answer
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "a topic of " + topicsByKey.values() + " does not exist on " + config.bootstrapServers();
  }
}
