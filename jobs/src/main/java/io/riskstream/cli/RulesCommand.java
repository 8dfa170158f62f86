package io.riskstream.cli;

import io.riskstream.avro.RuleMode;
import io.riskstream.avro.RuleUpdate;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.detect.RuleBook;
import io.riskstream.detect.RuleSettings;
import io.riskstream.io.EventFiles;
import io.riskstream.kafka.TopicReader;
import io.riskstream.kafka.WireProducer;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.serde.AvroWireDeserializer;
import io.riskstream.serde.BadRecordException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "rules",
    mixinStandardHelpOptions = true,
    description = {
      "Check, compare, publish and list rule changes.",
      "A published change is a RuleUpdate per changed rule on the compacted risk-rules topic (docs/contract.md, Rules as data)."
    },
    subcommands = {
      RulesCommand.Validate.class,
      RulesCommand.Diff.class,
      RulesCommand.Publish.class,
      RulesCommand.History.class
    })
final class RulesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new UserException("rules needs a sub-command: validate, diff, publish or history");
  }

  @Command(
      name = "validate",
      mixinStandardHelpOptions = true,
      description = {
        "Check a rules file as the detect job does.",
        "One line per problem, with its path in the file; exit code 1 if there is any."
      })
  static final class Validate implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The rules file.")
    Path file;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      List<String> problems = RuleSettings.problems(file);
      PrintWriter out = spec.commandLine().getOut();
      problems.forEach(out::println);
      out.println(
          problems.isEmpty()
              ? file + ": valid"
              : problems.size()
                  + (problems.size() == 1 ? " problem" : " problems")
                  + " in "
                  + file);
      out.flush();
      return problems.isEmpty() ? 0 : 1;
    }
  }

  @Command(
      name = "diff",
      mixinStandardHelpOptions = true,
      description = {
        "Show the settings two rules files set differently, per rule and merchant.",
        "Both are read over the built-in defaults, so a setting a file leaves out is its default."
      })
  static final class Diff implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "OLD")
    Path before;

    @Parameters(index = "1", paramLabel = "NEW")
    Path after;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      List<String> lines =
          RuleSettings.diff(RuleSettings.byRule(before), RuleSettings.byRule(after));
      PrintWriter out = spec.commandLine().getOut();
      lines.forEach(out::println);
      if (lines.isEmpty()) {
        out.println("no rule settings differ");
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "publish",
      mixinStandardHelpOptions = true,
      description = {
        "Publish a rules file's changes to the risk-rules topic.",
        "Validates the file, then writes one RuleUpdate per rule whose settings or mode differ from its latest published version, numbered above it. Before a rule's first version, the job's rules file (rules.file of the configuration) is what it is compared with and numbered above. Prints what it wrote, with what changed against the live version."
      })
  static final class Publish implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The rules file.")
    Path file;

    @Option(names = "--author", required = true, description = "Who makes the change.")
    String author;

    @Option(names = "--reason", required = true, description = "Why, for the audit trail.")
    String reason;

    @Option(
        names = "--effective-from",
        converter = GenerateCommand.IsoInstant.class,
        description = "Event time from which the new versions decide (default: now).")
    Instant effectiveFrom;

    @Option(
        names = "--shadow",
        description =
            "Publish as SHADOW versions: they decide beside the active ones, to risk-alerts-shadow.")
    boolean shadow;

    @Mixin ConfigOptions config;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      List<String> problems = RuleSettings.problems(file);
      if (!problems.isEmpty()) {
        throw new UserException(
            "nothing published: " + String.join("; ", problems) + " (riskstream rules validate)");
      }
      if (author.isBlank() || reason.isBlank()) {
        throw new UserException("--author and --reason must not be blank");
      }
      RiskstreamConfig settings = config.load();
      Reachability.registry(settings);
      Reachability.kafka(settings, Map.of("topics.rules", settings.topics().rules()));
      SchemaRegistryClient registry = new SchemaRegistryClient(settings.registry());
      List<RuleUpdate> history = History.read(settings, registry);
      Map<String, RuleUpdate> latest = latest(history);
      Map<String, RuleUpdate> latestLive =
          latest(history.stream().filter(u -> u.getMode() != RuleMode.SHADOW).toList());
      // Before its first version on the topic, a rule is as the job's rules file has it (rules.file
      // of this configuration; none: the built-in rules), and its first version goes above the
      // file's: the job refuses one that is not above the version it started with.
      Map<String, String> inJob = RuleSettings.byRule(settings.rulesFile());
      RuleBook jobRules = RuleBook.of(settings.rulesFile());
      Map<String, String> before = new TreeMap<>();
      Instant now = Instant.now();
      List<RuleUpdate> updates = new ArrayList<>();
      for (Map.Entry<String, String> rule : RuleSettings.byRule(file).entrySet()) {
        RuleMode mode =
            shadow
                ? RuleMode.SHADOW
                : RuleSettings.enabled(rule.getValue()) ? RuleMode.ACTIVE : RuleMode.DISABLED;
        RuleUpdate last = latest.get(rule.getKey());
        // What decides now: the latest version that is not a trial, or the job's rules file.
        RuleUpdate live = latestLive.get(rule.getKey());
        String liveSettings = live != null ? live.getSettings() : inJob.get(rule.getKey());
        RuleMode liveMode =
            live != null
                ? live.getMode()
                : RuleSettings.enabled(liveSettings) ? RuleMode.ACTIVE : RuleMode.DISABLED;
        // Unchanged settings are not published again; nor as a shadow of themselves.
        if (liveSettings.equals(rule.getValue()) && (liveMode == mode || shadow)) {
          continue;
        }
        before.put(rule.getKey(), liveSettings);
        updates.add(
            RuleUpdate.newBuilder()
                .setRuleId(rule.getKey())
                .setVersion(
                    (last == null ? jobRules.fileVersion(rule.getKey()) : last.getVersion()) + 1)
                .setMode(mode)
                .setSettings(rule.getValue())
                .setEffectiveFrom(effectiveFrom == null ? now : effectiveFrom)
                .setAuthor(author)
                .setReason(reason)
                .setCreatedAt(now)
                .build());
      }
      PrintWriter out = spec.commandLine().getOut();
      try (WireProducer producer = new WireProducer(settings.kafkaProperties(), registry)) {
        for (RuleUpdate update : updates) {
          producer.send(settings.topics().rules(), update.getRuleId(), update);
        }
        producer.flush();
      }
      for (RuleUpdate update : updates) {
        out.printf(
            "%s v%d %s, effective %s%n",
            update.getRuleId(), update.getVersion(), update.getMode(), update.getEffectiveFrom());
        RuleSettings.diff(
                Map.of(update.getRuleId(), before.get(update.getRuleId())),
                Map.of(update.getRuleId(), update.getSettings()))
            .forEach(line -> out.println("  " + line));
      }
      out.println(
          updates.isEmpty()
              ? "nothing to publish: every rule is as its latest version on "
                  + settings.topics().rules()
              : updates.size()
                  + (updates.size() == 1 ? " rule version" : " rule versions")
                  + " published to "
                  + settings.topics().rules());
      out.flush();
      return 0;
    }

    private static Map<String, RuleUpdate> latest(List<RuleUpdate> history) {
      Map<String, RuleUpdate> latest = new TreeMap<>();
      for (RuleUpdate u : history) {
        latest.merge(u.getRuleId(), u, (a, b) -> a.getVersion() >= b.getVersion() ? a : b);
      }
      return latest;
    }
  }

  @Command(
      name = "history",
      mixinStandardHelpOptions = true,
      description = {
        "List the rule versions on the risk-rules topic.",
        "Compaction keeps every version for 31 days and each rule's latest for good (docs/operations.md, Topics)."
      })
  static final class History implements Callable<Integer> {
    @Parameters(paramLabel = "RULE", arity = "0..1", description = "Only this rule.")
    String rule;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description =
            "Also write the versions, in topic order, as JSON lines: what backtest --rule-history replays.")
    Path out;

    @Mixin ConfigOptions config;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      RiskstreamConfig settings = config.load();
      Reachability.registry(settings);
      Reachability.kafka(settings, Map.of("topics.rules", settings.topics().rules()));
      List<RuleUpdate> inTopicOrder =
          read(settings, new SchemaRegistryClient(settings.registry())).stream()
              .filter(u -> rule == null || u.getRuleId().equals(rule))
              .toList();
      if (out != null) {
        EventFiles.writeJsonLines(out, inTopicOrder);
      }
      List<RuleUpdate> history =
          inTopicOrder.stream()
              .sorted(
                  Comparator.comparing(RuleUpdate::getRuleId).thenComparing(RuleUpdate::getVersion))
              .toList();
      PrintWriter out = spec.commandLine().getOut();
      for (RuleUpdate u : history) {
        out.printf(
            "%-22s v%-3d %-8s effective %s  by %s: %s (published %s)%n",
            u.getRuleId(),
            u.getVersion(),
            u.getMode(),
            u.getEffectiveFrom(),
            u.getAuthor(),
            u.getReason(),
            u.getCreatedAt());
      }
      if (history.isEmpty()) {
        out.println(
            "no rule versions on "
                + settings.topics().rules()
                + (rule == null ? "" : " for " + rule)
                + ": the job runs on its rules file");
      }
      out.flush();
      return 0;
    }

    /** Every RuleUpdate on the topic, in topic order. */
    static List<RuleUpdate> read(RiskstreamConfig settings, SchemaRegistryClient registry) {
      AvroWireDeserializer<RuleUpdate> deserializer =
          new AvroWireDeserializer<>(registry, RuleUpdate.class);
      List<RuleUpdate> updates = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r :
          TopicReader.readAll(settings.kafkaProperties(), settings.topics().rules())) {
        try {
          updates.add(deserializer.deserialize(r.value()));
        } catch (BadRecordException e) {
          throw new UserException(
              settings.topics().rules()
                  + " holds a record that is no RuleUpdate at offset "
                  + r.offset()
                  + ": "
                  + e.getMessage());
        }
      }
      return updates;
    }
  }
}
