package io.riskstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.testing.KafkaStack;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code riskstream topics} against a real broker: it creates every topic of the contract with the
 * partitions and settings of docs/operations.md, checks them, and reports what differs.
 */
class TopicsCommandITCase {
  @RegisterExtension static final KafkaStack STACK = new KafkaStack();

  private static final List<String> KEYS =
      List.of(
          "payments",
          "bills",
          "balance-changes",
          "alerts",
          "alert-updates",
          "alerts-shadow",
          "daily-summaries",
          "rules",
          "late-events",
          "dead-letters");

  /** The command with every topic named "tc-<key>" on the test's broker. */
  private static CliRun topics(String... args) {
    List<String> all = new ArrayList<>(List.of("topics"));
    all.addAll(List.of(args));
    all.addAll(List.of("--set", "kafka.bootstrap-servers=" + STACK.kafka().bootstrapServers()));
    for (String key : KEYS) {
      all.addAll(List.of("--set", "topics." + key + "=tc-" + key));
    }
    return CliRun.of(all.toArray(String[]::new));
  }

  /** The printed table with its padding collapsed to " | ". */
  private static List<String> rows(CliRun run) {
    return run.out().lines().map(l -> l.strip().replaceAll(" {2,}", " | ")).toList();
  }

  @Test
  void createsEveryTopicAsPlannedThenChecksIt() throws Exception {
    CliRun before = topics("--check", "--replication", "1", "--partitions", "3");
    CliRun created = topics("--replication", "1", "--partitions", "3");
    CliRun checked = topics("--check", "--replication", "1", "--partitions", "3");
    CliRun otherPlan = topics("--check", "--replication", "1", "--partitions", "4");

    assertThat(before.exitCode()).isEqualTo(1);
    assertThat(rows(before)).filteredOn(r -> r.endsWith("| missing")).hasSize(10);
    assertThat(created.exitCode()).as(created.err()).isZero();
    assertThat(rows(created))
        .containsExactly(
            "tc-payments | 3 partitions × 1, deleted after 31 d | created",
            "tc-bills | 3 partitions × 1, deleted after 31 d | created",
            "tc-balance-changes | 3 partitions × 1, deleted after 31 d | created",
            "tc-alerts | 3 partitions × 1, deleted after 30 d | created",
            "tc-alert-updates | 3 partitions × 1, deleted after 30 d | created",
            "tc-alerts-shadow | 3 partitions × 1, deleted after 7 d | created",
            "tc-daily-summaries | 1 partition × 1, deleted after 30 d | created",
            "tc-rules | 1 partition × 1, compacted, versions kept 31 d | created",
            "tc-late-events | 1 partition × 1, deleted after 30 d | created",
            "tc-dead-letters | 1 partition × 1, deleted after 30 d | created");
    assertThat(checked.exitCode()).isZero();
    assertThat(rows(checked)).allMatch(r -> r.endsWith("| as planned")).hasSize(10);
    assertThat(otherPlan.exitCode()).isEqualTo(1);
    assertThat(rows(otherPlan))
        .contains(
            "tc-payments | 4 partitions × 1, deleted after 31 d | differs: 3 partitions, planned 4",
            "tc-rules | 1 partition × 1, compacted, versions kept 31 d | as planned",
            "6 of 10 topics not as planned on "
                + STACK.kafka().bootstrapServers()
                + " (see docs/operations.md, Topics)");

    // What the broker holds, not what the command says.
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, STACK.kafka().bootstrapServers()))) {
      List<ConfigResource> resources =
          Stream.of("tc-payments", "tc-rules", "tc-alerts-shadow")
              .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
              .toList();
      Map<String, Map<String, String>> settings =
          admin.describeConfigs(resources).all().get().entrySet().stream()
              .collect(
                  Collectors.toMap(
                      e -> e.getKey().name(),
                      e ->
                          e.getValue().entries().stream()
                              .filter(
                                  c ->
                                      List.of(
                                              "cleanup.policy",
                                              "retention.ms",
                                              "min.compaction.lag.ms",
                                              "min.insync.replicas")
                                          .contains(c.name()))
                              .collect(Collectors.toMap(c -> c.name(), c -> c.value()))));
      assertThat(settings.get("tc-payments"))
          .containsEntry("cleanup.policy", "delete")
          .containsEntry("retention.ms", Long.toString(31L * 24 * 3600 * 1000))
          .containsEntry("min.insync.replicas", "1");
      assertThat(settings.get("tc-rules"))
          .containsEntry("cleanup.policy", "compact")
          .containsEntry("min.compaction.lag.ms", Long.toString(31L * 24 * 3600 * 1000));
      assertThat(settings.get("tc-alerts-shadow"))
          .containsEntry("retention.ms", Long.toString(7L * 24 * 3600 * 1000));
      assertThat(
              admin
                  .describeTopics(List.of("tc-bills", "tc-dead-letters"))
                  .allTopicNames()
                  .get()
                  .values()
                  .stream()
                  .map(d -> d.name() + "=" + d.partitions().size()))
          .containsExactlyInAnyOrder("tc-bills=3", "tc-dead-letters=1");
    }
  }

  @Test
  void moreReplicasThanBrokersIsOneLine() {
    CliRun run = topics();

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip())
        .isEqualTo(
            "riskstream topics: Kafka at "
                + STACK.kafka().bootstrapServers()
                + " has 1 broker; --replication 3 needs as many (--replication 1 for this cluster)");
  }
}
