package io.riskstream.demo;

import io.riskstream.config.RiskstreamConfig;
import io.riskstream.kafka.KafkaTopics;
import io.riskstream.testkit.EmbeddedKafka;
import io.riskstream.testkit.EmbeddedSchemaRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "broker",
    mixinStandardHelpOptions = true,
    description = {
      "Run the demo's Kafka broker and schema registry until stopped.",
      "An embedded KRaft broker and registry with riskstream's topics created, for trying riskstream's commands, the local cluster, the benchmark and the fault suite against them. Stops on Ctrl-C. Prints its settings as --set flags to paste."
    })
final class BrokerCommand implements Callable<Integer> {
  @Option(
      names = "--kafka-port",
      defaultValue = "0",
      description = "Port of the broker; 0 picks a free one (default ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(
      names = "--registry-port",
      defaultValue = "0",
      description = "Port of the schema registry; 0 picks a free one (default ${DEFAULT-VALUE}).")
  int registryPort;

  @Option(
      names = "--no-registry",
      description = "Run the broker alone (the registry is elsewhere).")
  boolean noRegistry;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = {
        "Keep the broker's logs here, across restarts on the same --kafka-port; without it they",
        "are temporary and deleted on stop."
      })
  Path dataDir;

  @Option(
      names = "--partitions",
      defaultValue = "2",
      description = "Partitions of the input and alert topics (default ${DEFAULT-VALUE}).")
  int partitions;

  @Override
  public Integer call() throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.start(kafkaPort, dataDir);
    EmbeddedSchemaRegistry registry =
        noRegistry ? null : EmbeddedSchemaRegistry.start(registryPort);
    // The topics under their configured names, as the jobs will look them up.
    RiskstreamConfig config =
        RiskstreamConfig.load(
            null,
            System.getenv(),
            List.of(
                "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "registry.url=" + (registry == null ? "http://127.0.0.1:8081" : registry.url())));
    KafkaTopics.create(kafka.bootstrapServers(), config.topics(), partitions);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (registry != null) {
                    registry.close();
                  }
                  kafka.close();
                  stopped.countDown();
                }));
    System.out.println(
        "--set kafka.bootstrap-servers="
            + kafka.bootstrapServers()
            + (registry == null ? "" : " --set registry.url=" + registry.url()));
    System.out.flush();
    stopped.await();
    return 0;
  }
}
