package io.riskstream.cli;

import io.riskstream.config.ConfigLoader;
import io.riskstream.config.RiskstreamConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The configuration flags every Kafka command shares: the YAML file and {@code --set key=value}
 * overrides.
 */
public final class ConfigOptions {
  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
  Path file;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "Override one configuration key (repeatable); wins over the file and the environment.")
  List<String> sets = new ArrayList<>();

  @Option(
      names = "--help-config",
      usageHelp = false,
      description = "List every configuration key and exit.")
  boolean helpConfig;

  /**
   * The validated configuration, with {@code extra} settings (from command-specific flags) applied
   * last, in order.
   */
  @SafeVarargs
  final RiskstreamConfig load(List<String>... extra) {
    if (file != null && !Files.isReadable(file)) {
      throw new UserException("configuration file " + file + " does not exist or cannot be read");
    }
    List<String> all = new ArrayList<>(sets);
    for (List<String> more : extra) {
      all.addAll(more);
    }
    return RiskstreamConfig.load(file, System.getenv(), all);
  }

  /** Prints the keys when {@code --help-config} was given; true if it was. */
  boolean printedHelp() {
    if (helpConfig) {
      System.out.print(ConfigLoader.describe());
    }
    return helpConfig;
  }
}
