package io.riskstream.cli;

import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.Payment;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.config.Topics;
import io.riskstream.generate.Traffic;
import io.riskstream.io.EventFiles;
import io.riskstream.kafka.EventTimeBounds;
import io.riskstream.kafka.WireProducer;
import io.riskstream.registry.SchemaRegistryClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.avro.specific.SpecificRecordBase;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    description = {
      "Load JSON-lines or CSV files into the topics in the Confluent wire format.",
      "DIR holds payments, bills and balance-changes files (.jsonl, .json or .csv); missing ones are skipped. Records are sent in event-time order. Lines that cannot be read are listed with file and line number, and the exit code is then 1."
    })
final class ProduceCommand implements Callable<Integer> {
  @Parameters(
      paramLabel = "DIR",
      description = "Directory with the event files (as written by generate).")
  Path dir;

  @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
  String bootstrap;

  @Option(names = "--registry", paramLabel = "URL", description = "Schema registry URL.")
  String registry;

  @Mixin ConfigOptions config;

  @Override
  public Integer call() throws IOException {
    if (config.printedHelp()) {
      return 0;
    }
    List<String> extra = new ArrayList<>();
    if (bootstrap != null) {
      extra.add("kafka.bootstrap-servers=" + bootstrap);
    }
    if (registry != null) {
      extra.add("registry.url=" + registry);
    }
    RiskstreamConfig settings = config.load(extra);
    if (!Files.isDirectory(dir)) {
      throw new UserException(dir + " is not a directory");
    }
    Reachability.registry(settings);
    Reachability.kafka(settings, settings.topics().ofProduce());
    List<EventFiles.BadLine> bad = new ArrayList<>();
    long started = System.currentTimeMillis();
    EventTimeBounds bounds = settings.eventTimeBounds();
    Traffic traffic =
        new Traffic(
            read(dir, "payments", Payment.class, bounds, started, bad),
            read(dir, "bills", Bill.class, bounds, started, bad),
            read(dir, "balance-changes", BalanceChange.class, bounds, started, bad),
            List.of());
    if (traffic.size() == 0 && bad.isEmpty()) {
      throw new UserException(
          "no payments, bills or balance-changes file (.jsonl, .json, .csv) in " + dir);
    }
    Topics topics = settings.topics();
    Progress progress = new Progress("produced", traffic.size());
    try (WireProducer producer =
        new WireProducer(
            settings.kafkaProperties(), new SchemaRegistryClient(settings.registry()))) {
      for (Traffic.Event event : traffic.inEventTimeOrder()) {
        producer.send(event.topic(topics), event.key(), event.record());
        progress.step();
      }
      producer.flush();
    }
    progress.done();
    for (EventFiles.BadLine line : bad) {
      System.err.println("not produced: " + line);
    }
    return bad.isEmpty() ? 0 : 1;
  }

  /**
   * The records of the file {@code name} in {@code dir}, checked as the detect job will check them
   * (so nothing is produced that it would dead-letter), event times as written at {@code started}.
   */
  private static <T extends SpecificRecordBase> List<T> read(
      Path dir,
      String name,
      Class<T> type,
      EventTimeBounds bounds,
      long started,
      List<EventFiles.BadLine> bad)
      throws IOException {
    for (String extension : List.of(".jsonl", ".json", ".csv")) {
      Path file = dir.resolve(name + extension);
      if (Files.exists(file)) {
        EventFiles.Read<T> read = EventFiles.read(file, type, bounds, started);
        bad.addAll(read.badLines());
        return read.records();
      }
    }
    return List.of();
  }
}
