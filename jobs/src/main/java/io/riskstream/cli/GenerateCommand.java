package io.riskstream.cli;

import io.riskstream.generate.Label;
import io.riskstream.generate.Traffic;
import io.riskstream.generate.TrafficGenerator;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = {
      "Write realistic synthetic traffic as JSON lines (payments, bills, balance-changes) with injected fraud,",
      "and labels.jsonl naming the alerts the injected cases must produce. Same seed, same bytes."
    })
final class GenerateCommand implements Callable<Integer> {
  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Directory to write the files to.")
  Path out;

  @Option(
      names = "--events",
      defaultValue = "10000",
      description = "About how many events (default ${DEFAULT-VALUE}).")
  long events;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Random seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--fraud-rate",
      defaultValue = "0.02",
      description =
          "Share of scenarios that inject a fraud case, 0 to 1 (default ${DEFAULT-VALUE}).")
  double fraudRate;

  @Option(
      names = "--start",
      defaultValue = "2026-01-01T00:00:00Z",
      description = "Event time of the first event, ISO-8601 (default ${DEFAULT-VALUE}).")
  Instant start;

  @Override
  public Integer call() {
    if (events < 1) {
      throw new UserException("--events must be at least 1");
    }
    if (fraudRate < 0 || fraudRate > 1) {
      throw new UserException("--fraud-rate must be between 0 and 1, was " + fraudRate);
    }
    long began = System.nanoTime();
    Traffic traffic =
        TrafficGenerator.generate(new TrafficGenerator.Settings(events, seed, fraudRate, start));
    traffic.writeTo(out);
    System.out.printf(
        "Wrote %,d events to %s in %.1f s: %,d payments, %,d bills, %,d balance changes; %,d labels%n",
        traffic.size(),
        out,
        (System.nanoTime() - began) / 1e9,
        traffic.payments().size(),
        traffic.bills().size(),
        traffic.balanceChanges().size(),
        traffic.labels().size());
    Map<String, Integer> perReason = new TreeMap<>();
    for (Label label : traffic.labels()) {
      perReason.merge(label.type() + " / " + label.reason(), 1, Integer::sum);
    }
    perReason.forEach((reason, count) -> System.out.printf("  %-40s %,6d%n", reason, count));
    return 0;
  }
}
