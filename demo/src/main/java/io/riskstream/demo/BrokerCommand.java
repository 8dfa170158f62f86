package io.riskstream.demo;

import io.riskstream.testkit.EmbeddedKafka;
import io.riskstream.testkit.EmbeddedSchemaRegistry;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "broker",
    mixinStandardHelpOptions = true,
    description = {
      "Run the demo's embedded Kafka broker (KRaft) and schema registry until stopped (Ctrl-C), for",
      "trying riskstream's commands against them and for the benchmark, which runs it in a child process.",
      "Prints one line of settings to pass on with --set."
    })
final class BrokerCommand implements Callable<Integer> {
  @Option(
      names = "--registry-port",
      defaultValue = "0",
      description = "Port of the schema registry; 0 picks a free one (default ${DEFAULT-VALUE}).")
  int registryPort;

  @Override
  public Integer call() throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.start();
    EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(registryPort);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  registry.close();
                  kafka.close();
                  stopped.countDown();
                }));
    System.out.println(
        "kafka.bootstrap-servers=" + kafka.bootstrapServers() + " registry.url=" + registry.url());
    System.out.flush();
    stopped.await();
    return 0;
  }
}
