package io.riskstream.cli;

import io.riskstream.generate.Label;
import io.riskstream.generate.Traffic;
import io.riskstream.generate.TrafficGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = {
      "Write synthetic traffic with injected fraud as JSON lines.",
      "Payments, bills and balance-changes files, and labels.jsonl naming the alerts the injected cases must produce. Same seed, same bytes."
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
      converter = IsoInstant.class,
      description = "Event time of the first event, ISO-8601 (default ${DEFAULT-VALUE}).")
  Instant start;

  @Option(
      names = "--case-gap",
      defaultValue = "3 s",
      converter = DurationFlag.class,
      description =
          "Mean event time between two scenarios: the traffic's density. The default, about 1.5"
              + " events per second of event time, is easy to read; 1 ms is about 3,000, a busy"
              + " wallet's (default ${DEFAULT-VALUE}).")
  Duration caseGap;

  /** An instant as ISO-8601, refused in words a user can act on. */
  static final class IsoInstant implements CommandLine.ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
      try {
        return java.time.OffsetDateTime.parse(value).toInstant();
      } catch (java.time.format.DateTimeParseException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not an ISO-8601 instant, such as 2026-01-01T00:00:00Z");
      }
    }
  }

  @Override
  public Integer call() {
    if (events < 1) {
      throw new UserException("--events must be at least 1");
    }
    if (fraudRate < 0 || fraudRate > 1) {
      throw new UserException("--fraud-rate must be between 0 and 1, was " + fraudRate);
    }
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw UserException.cannotWrite(out, e);
    }
    long began = System.nanoTime();
    Traffic traffic =
        TrafficGenerator.generate(
            new TrafficGenerator.Settings(events, seed, fraudRate, start, caseGap));
    try {
      traffic.writeTo(out);
    } catch (UncheckedIOException e) {
      throw UserException.cannotWrite(out, e.getCause());
    }
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
