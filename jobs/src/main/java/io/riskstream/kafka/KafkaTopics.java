package io.riskstream.kafka;

import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.riskstream.config.Topics;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Every topic of the contract with the partitions, replication, retention and compaction it is
 * created with: the one source of the {@code topics} command, the demo's broker and the tests. Why
 * each is chosen is in docs/operations.md ("Topics").
 */
public final class KafkaTopics {
  private KafkaTopics() {}

  /** Inputs outlive the 30-day UTR retention by a day: a job started fresh can rebuild it. */
  static final Duration INPUT_RETENTION = Duration.ofDays(31);

  /** Outputs are kept a month: PostgreSQL is the archive, the topics feed the jobs behind them. */
  static final Duration OUTPUT_RETENTION = Duration.ofDays(30);

  /** Shadow alerts are compared within days of a rule change, then of no use. */
  static final Duration SHADOW_RETENTION = Duration.ofDays(7);

  /** One topic as planned: its configuration key, name, partitions, replication and settings. */
  public record Plan(
      String key, String name, int partitions, short replication, Map<String, String> settings) {
    public NewTopic newTopic() {
      return new NewTopic(name, partitions, replication).configs(settings);
    }
  }

  /**
   * The plan of every topic: {@code partitions} for the keyed streams (alert updates as many as the
   * alerts they update, both keyed by alert id), one for the rules (one total order of versions)
   * and for the rare dead letters and late events (read by people, in the order they happened);
   * {@code replication} for all.
   */
  public static List<Plan> plan(Topics topics, int partitions, short replication) {
    // Two in-sync replicas when there are three or more: an acknowledged write survives a broker.
    String minInsync = Integer.toString(replication >= 3 ? 2 : 1);
    Map<String, String> inputs = settings(deleteAfter(INPUT_RETENTION), minInsync);
    Map<String, String> outputs = settings(deleteAfter(OUTPUT_RETENTION), minInsync);
    // Compacted: the latest version of each rule forever; older versions stay readable as long as
    // the inputs they governed, so a replay of any history still in Kafka sees its rules.
    Map<String, String> rules =
        settings(
            Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG,
                Long.toString(INPUT_RETENTION.toMillis())),
            minInsync);
    return List.of(
        new Plan("topics.payments", topics.payments(), partitions, replication, inputs),
        new Plan("topics.bills", topics.bills(), partitions, replication, inputs),
        new Plan(
            "topics.balance-changes", topics.balanceChanges(), partitions, replication, inputs),
        new Plan("topics.alerts", topics.alerts(), partitions, replication, outputs),
        new Plan("topics.alert-updates", topics.alertUpdates(), partitions, replication, outputs),
        new Plan(
            "topics.alerts-shadow",
            topics.alertsShadow(),
            partitions,
            replication,
            settings(deleteAfter(SHADOW_RETENTION), minInsync)),
        // One partition: a few messages a day, read by notify in the order the days closed.
        new Plan("topics.daily-summaries", topics.dailySummaries(), 1, replication, outputs),
        new Plan("topics.rules", topics.rules(), 1, replication, rules),
        new Plan("topics.late-events", topics.lateEvents(), 1, replication, outputs),
        new Plan("topics.dead-letters", topics.deadLetters(), 1, replication, outputs));
  }

  private static Map<String, String> settings(Map<String, String> cleanup, String minInsync) {
    Map<String, String> settings = new LinkedHashMap<>(cleanup);
    settings.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, minInsync);
    return Map.copyOf(settings);
  }

  private static Map<String, String> deleteAfter(Duration retention) {
    return Map.of(
        TopicConfig.CLEANUP_POLICY_CONFIG,
        TopicConfig.CLEANUP_POLICY_DELETE,
        TopicConfig.RETENTION_MS_CONFIG,
        Long.toString(retention.toMillis()));
  }

  /**
   * The plan as Strimzi {@code KafkaTopic} resources of the Kafka cluster named {@code cluster},
   * one YAML document each: what {@code deploy/kubernetes/} applies, from the same plan as the
   * {@code topics} command, so that the two cannot drift apart.
   */
  public static String strimzi(List<Plan> plans, String cluster) {
    YAMLMapper yaml =
        YAMLMapper.builder()
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .build();
    StringBuilder out = new StringBuilder();
    for (Plan plan : plans) {
      Map<String, Object> config = new TreeMap<>();
      // Numbers as numbers, as Strimzi's own examples write them.
      plan.settings()
          .forEach((k, v) -> config.put(k, v.matches("\\d+") ? (Object) Long.valueOf(v) : v));
      Map<String, Object> topic = new LinkedHashMap<>();
      topic.put("apiVersion", "kafka.strimzi.io/v1beta2");
      topic.put("kind", "KafkaTopic");
      Map<String, Object> metadata = new LinkedHashMap<>();
      // A resource name is a DNS subdomain; the topic's own name is spec.topicName.
      metadata.put(
          "name", plan.name().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9.-]", "-"));
      metadata.put("labels", Map.of("strimzi.io/cluster", cluster));
      topic.put("metadata", metadata);
      Map<String, Object> spec = new LinkedHashMap<>();
      spec.put("topicName", plan.name());
      spec.put("partitions", plan.partitions());
      spec.put("replicas", (int) plan.replication());
      spec.put("config", config);
      topic.put("spec", spec);
      try {
        out.append("---\n").append(yaml.writeValueAsString(topic));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    return out.toString();
  }

  /**
   * Creates every planned topic that does not exist yet on a single broker (replication 1), as the
   * demo's broker and the tests do.
   */
  public static void create(String bootstrapServers, Topics topics, int partitions) {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      for (Plan plan : plan(topics, partitions, (short) 1)) {
        createIfMissing(admin, plan.newTopic());
      }
    }
  }

  /** Creates the topics (name to partition count) that do not exist yet, replication 1. */
  public static void create(String bootstrapServers, Map<String, Integer> partitionsByTopic) {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      partitionsByTopic.forEach(
          (name, partitions) -> createIfMissing(admin, new NewTopic(name, partitions, (short) 1)));
    }
  }

  private static void createIfMissing(Admin admin, NewTopic topic) {
    try {
      admin.createTopics(List.of(topic)).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException(
            "cannot create topic " + topic.name() + ": " + e.getCause().getMessage(), e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
