package io.riskstream.cli;

import io.riskstream.config.RiskstreamConfig;
import io.riskstream.kafka.KafkaTopics;
import io.riskstream.kafka.KafkaTopics.Plan;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.flink.util.TimeUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "topics",
    mixinStandardHelpOptions = true,
    description = {
      "Create or check every topic riskstream reads or writes.",
      "Partitions, replication, retention and compaction are those of docs/operations.md (Topics). With --check nothing is created. A topic that exists with other settings is reported, never changed; the exit code is then 1."
    })
final class TopicsCommand implements Callable<Integer> {
  @Option(
      names = "--check",
      description = "Create nothing; report what is missing or differs (exit code 1 if any).")
  boolean check;

  @Option(
      names = "--partitions",
      defaultValue = "6",
      description =
          "Partitions of the keyed topics: the most parallel detect can run (default ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--replication",
      defaultValue = "3",
      description = "Replicas of every topic (default ${DEFAULT-VALUE}; 1 for a single broker).")
  short replication;

  @Option(
      names = "--strimzi",
      paramLabel = "CLUSTER",
      description =
          "Print the plan as Strimzi KafkaTopic resources of the Kafka cluster CLUSTER and exit;"
              + " needs no broker (deploy/kubernetes/base/topics.yaml is this output).")
  String strimzi;

  @Mixin ConfigOptions config;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (config.printedHelp()) {
      return 0;
    }
    if (partitions < 1 || replication < 1) {
      throw new UserException("--partitions and --replication must be at least 1");
    }
    if (strimzi != null) {
      // Manifests name topics, not brokers: the servers are never used here, and a configuration
      // without them will do.
      RiskstreamConfig settings = config.load(List.of("kafka.bootstrap-servers=unused:9092"));
      PrintWriter out = spec.commandLine().getOut();
      out.print(
          KafkaTopics.strimzi(
              KafkaTopics.plan(settings.topics(), partitions, replication), strimzi));
      out.flush();
      return 0;
    }
    RiskstreamConfig settings = config.load(List.of());
    return Reachability.withKafka(settings, admin -> run(admin, settings));
  }

  private int run(Admin admin, RiskstreamConfig settings)
      throws ExecutionException, InterruptedException {
    String kafka = settings.bootstrapServers();
    int brokers = admin.describeCluster().nodes().get().size();
    if (replication > brokers) {
      throw new UserException(
          "Kafka at "
              + kafka
              + " has "
              + brokers
              + (brokers == 1 ? " broker" : " brokers")
              + "; --replication "
              + replication
              + " needs as many (--replication "
              + brokers
              + " for this cluster)");
    }
    List<Plan> plans = KafkaTopics.plan(settings.topics(), partitions, replication);
    Set<String> existing = admin.listTopics().names().get();
    PrintWriter out = spec.commandLine().getOut();
    List<String> problems = new ArrayList<>();
    int width = plans.stream().mapToInt(p -> p.name().length()).max().orElse(0);
    for (Plan plan : plans) {
      String verdict;
      if (existing.contains(plan.name())) {
        verdict = differences(admin, plan);
      } else if (check) {
        verdict = "missing";
      } else {
        admin.createTopics(List.of(plan.newTopic())).all().get();
        verdict = "created";
      }
      if (!verdict.equals("created") && !verdict.equals("as planned")) {
        problems.add(plan.name());
      }
      out.printf("%-" + width + "s  %-40s  %s%n", plan.name(), describe(plan), verdict);
    }
    if (!problems.isEmpty()) {
      out.println(
          problems.size()
              + " of "
              + plans.size()
              + " topics not as planned on "
              + kafka
              + (check ? "" : "; existing topics are never changed")
              + " (see docs/operations.md, Topics)");
      out.flush();
      return 1;
    }
    out.flush();
    return 0;
  }

  /** "as planned", or what differs from the plan. */
  private static String differences(Admin admin, Plan plan)
      throws ExecutionException, InterruptedException {
    TopicDescription topic =
        admin.describeTopics(List.of(plan.name())).topicNameValues().get(plan.name()).get();
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, plan.name());
    Config actual = admin.describeConfigs(List.of(resource)).values().get(resource).get();
    List<String> differences = new ArrayList<>();
    if (topic.partitions().size() != plan.partitions()) {
      differences.add(topic.partitions().size() + " partitions, planned " + plan.partitions());
    }
    int replicas = topic.partitions().get(0).replicas().size();
    if (replicas != plan.replication()) {
      differences.add("replication " + replicas + ", planned " + plan.replication());
    }
    for (Map.Entry<String, String> wanted : new TreeMap<>(plan.settings()).entrySet()) {
      ConfigEntry entry = actual.get(wanted.getKey());
      String value = entry == null ? null : entry.value();
      if (!wanted.getValue().equals(value)) {
        differences.add(wanted.getKey() + "=" + value + ", planned " + wanted.getValue());
      }
    }
    return differences.isEmpty() ? "as planned" : "differs: " + String.join("; ", differences);
  }

  /** "6 partitions × 3, deleted after 31 d" and the like. */
  private static String describe(Plan plan) {
    Map<String, String> s = plan.settings();
    String cleanup =
        s.get("cleanup.policy").equals("compact")
            ? "compacted, versions kept " + days(s.get("min.compaction.lag.ms"))
            : "deleted after " + days(s.get("retention.ms"));
    return plan.partitions()
        + (plan.partitions() == 1 ? " partition" : " partitions")
        + " × "
        + plan.replication()
        + ", "
        + cleanup;
  }

  private static String days(String millis) {
    return TimeUtils.formatWithHighestUnit(Duration.ofMillis(Long.parseLong(millis)));
  }
}
