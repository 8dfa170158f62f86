package io.riskstream.kafka;

import io.riskstream.config.Topics;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates riskstream's topics on a broker (single-broker development set-ups: replication 1). */
public final class KafkaTopics {
  private KafkaTopics() {}

  /** The input and alert topics with {@code partitions}, the others with one. */
  public static void create(String bootstrapServers, Topics topics, int partitions) {
    create(
        bootstrapServers,
        Map.of(
            topics.payments(), partitions,
            topics.bills(), partitions,
            topics.balanceChanges(), partitions,
            topics.alerts(), partitions,
            topics.deadLetters(), 1,
            topics.lateEvents(), 1,
            topics.rules(), 1));
  }

  /** Creates the topics (name to partition count) that do not exist yet. */
  public static void create(String bootstrapServers, Map<String, Integer> partitionsByTopic) {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      for (Map.Entry<String, Integer> topic : partitionsByTopic.entrySet()) {
        try {
          admin
              .createTopics(List.of(new NewTopic(topic.getKey(), topic.getValue(), (short) 1)))
              .all()
              .get();
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("cannot create topic " + topic.getKey(), e.getCause());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
