package io.riskstream.cli;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.Payment;
import io.riskstream.avro.RuleUpdate;
import io.riskstream.backtest.Backtest;
import io.riskstream.backtest.GroundTruth;
import io.riskstream.backtest.RuleComparison;
import io.riskstream.detect.RuleBook;
import io.riskstream.generate.Label;
import io.riskstream.io.EventFiles;
import io.riskstream.io.EventJson;
import io.riskstream.kafka.EventTimeBounds;
import io.riskstream.kafka.RecordCheck;
import io.riskstream.kafka.RuleUpdateCheck;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.specific.SpecificRecordBase;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "backtest",
    mixinStandardHelpOptions = true,
    description = {
      "Run the detection over event files, a bounded run for testing rules on history.",
      "The files are JSON lines or CSV with the contract's field names; the run is a local Flink mini cluster. Writes the alerts as JSON lines and prints a table per type and reason; with --labels, also recall and precision against them. Unreadable lines are listed (exit code 1)."
    })
final class BacktestCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  /** Where the report goes: the command line's out, which tests capture. */
  private PrintWriter console;

  @Option(
      names = "--payments",
      paramLabel = "FILE",
      description = "Payments (.jsonl, .json or .csv).")
  Path payments;

  @Option(names = "--bills", paramLabel = "FILE", description = "Bills.")
  Path bills;

  @Option(names = "--balance-changes", paramLabel = "FILE", description = "Balance changes.")
  Path balanceChanges;

  @Option(
      names = "--rules",
      paramLabel = "FILE",
      description = "Rules file (default: the built-in rules).")
  Path rules;

  @Option(
      names = "--rule-history",
      paramLabel = "FILE",
      description =
          "Rule versions (JSON lines, as rules history --out writes them) applied over the rules file by event time, as the detect job applies them (docs/rules.md).")
  Path ruleHistory;

  @Option(
      names = "--parallelism",
      defaultValue = "2",
      description = "Parallelism (default ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(
      names = "--out",
      defaultValue = "alerts.jsonl",
      paramLabel = "FILE",
      description = "Where to write the alerts (default ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--labels",
      paramLabel = "FILE",
      description = "labels.jsonl to score the alerts against.")
  Path labels;

  @Option(
      names = "--compare",
      arity = "2",
      paramLabel = "RULES",
      description =
          "Two rules files: run both over the history in one pass and show, per type and reason, the alerts the second adds, removes and keeps; --out then gets the added and removed ones, each with its change.")
  List<Path> compare;

  @Option(
      names = "--max-out-of-orderness",
      defaultValue = "1 min",
      converter = DurationFlag.class,
      description = "Bounded disorder of event times in each file (default ${DEFAULT-VALUE}).")
  Duration maxOutOfOrderness;

  /**
   * {@code book} with the versions of {@code --rule-history} that the detect job would accept
   * (shadow versions ignored: a backtest's alerts are the live ones).
   */
  private RuleBook withHistory(RuleBook book) throws IOException {
    if (ruleHistory == null) {
      return book;
    }
    EventFiles.Read<RuleUpdate> read =
        EventFiles.read(ruleHistory, RuleUpdate.class, RecordCheck.RULE_UPDATE);
    if (!read.badLines().isEmpty()) {
      EventFiles.BadLine first = read.badLines().get(0);
      throw new UserException(
          first.file() + " line " + first.line() + " is no rule version: " + first.error());
    }
    RuleBook applied = RuleUpdateCheck.accepted(book, read.records(), true);
    console.printf(
        "Rule history: %d of %d versions applied by event time (the others are refused as the"
            + " detect job refuses them)%n",
        applied.size(), read.records().size());
    return applied;
  }

  @Override
  public Integer call() throws Exception {
    console = spec.commandLine().getOut();
    try {
      return run();
    } finally {
      console.flush();
    }
  }

  private int run() throws Exception {
    List<String> missing = new ArrayList<>();
    if (payments == null) {
      missing.add("--payments");
    }
    if (bills == null) {
      missing.add("--bills");
    }
    if (balanceChanges == null) {
      missing.add("--balance-changes");
    }
    if (!missing.isEmpty()) {
      // Without one stream the others' rules would raise alerts for all it should have held.
      throw new UserException(
          "missing "
              + String.join(", ", missing)
              + ": give all three inputs (an empty file for a stream there is none of)");
    }
    if (parallelism < 1) {
      throw new UserException("--parallelism must be at least 1");
    }
    if (compare != null && (rules != null || labels != null || ruleHistory != null)) {
      throw new UserException(
          "--compare takes its two rules files itself: leave out --rules, --rule-history and"
              + " --labels");
    }
    List<RuleBook> ruleSets =
        compare == null
            ? List.of(withHistory(RuleBook.of(rules)))
            : List.of(RuleBook.of(compare.get(0)), RuleBook.of(compare.get(1)));
    long started = System.currentTimeMillis();
    EventFiles.Read<Payment> paymentFile = read(payments, Payment.class, started);
    EventFiles.Read<Bill> billFile = read(bills, Bill.class, started);
    EventFiles.Read<BalanceChange> ledgerFile = read(balanceChanges, BalanceChange.class, started);
    List<EventFiles.BadLine> bad = new ArrayList<>();
    Path badLines = badLinesFile(out);
    for (EventFiles.Read<?> file : List.of(paymentFile, billFile, ledgerFile)) {
      bad.addAll(file.badLines());
    }
    if (!bad.isEmpty()) {
      writeBadLines(badLines, bad);
    }
    for (EventFiles.Read<?> file : List.of(paymentFile, billFile, ledgerFile)) {
      if (file.records().isEmpty() && !file.badLines().isEmpty()) {
        EventFiles.BadLine first = file.badLines().get(0);
        throw new UserException(
            "no line of "
                + first.file()
                + " could be read (line "
                + first.line()
                + ": "
                + first.error()
                + "); every line's reason is in "
                + badLines);
      }
    }
    Backtest.Inputs inputs =
        new Backtest.Inputs(paymentFile.records(), billFile.records(), ledgerFile.records());
    long events = inputs.payments().size() + inputs.bills().size() + inputs.balanceChanges().size();
    console.printf("Backtest of %,d events at parallelism %d...%n", events, parallelism);
    long began = System.nanoTime();
    if (compare != null) {
      return compared(inputs, ruleSets, began, bad, badLines);
    }
    List<Alert> alerts = Backtest.run(inputs, ruleSets.get(0), parallelism, maxOutOfOrderness);
    double seconds = (System.nanoTime() - began) / 1e9;
    EventFiles.writeJsonLines(out, alerts);
    List<Label> expected = labels == null ? List.of() : readLabels(labels);
    console.printf(
        "%,d alerts in %.1f s (%,.0f events/s), written to %s%n",
        alerts.size(), seconds, events / seconds, out);
    console.print(GroundTruth.table(alerts, expected));
    if (labels != null) {
      GroundTruth truth = GroundTruth.compare(alerts, expected);
      console.printf(
          "Against %s: recall %.4f (%d of %d labels found), precision %.4f (%d unlabelled alerts)%n",
          labels,
          truth.recall(),
          truth.found().size(),
          truth.found().size() + truth.missed().size(),
          truth.precision(alerts.size()),
          truth.unlabelled().size());
      truth.missed().stream().limit(20).forEach(l -> console.println("  missed: " + l));
      truth.unlabelled().stream()
          .limit(20)
          .forEach(a -> console.println("  unlabelled: " + Label.of(a) + " - " + a.getSummary()));
    }
    return reportBadLines(bad, badLines);
  }

  /** Both rule sets in one pass; the changes to --out. */
  private int compared(
      Backtest.Inputs inputs,
      List<RuleBook> ruleSets,
      long began,
      List<EventFiles.BadLine> bad,
      Path badLines)
      throws Exception {
    Backtest.Comparison run =
        Backtest.compare(inputs, ruleSets.get(0), ruleSets.get(1), parallelism, maxOutOfOrderness);
    RuleComparison comparison = RuleComparison.of(run.before(), run.after());
    StringBuilder lines = new StringBuilder();
    comparison
        .changes()
        .forEach(
            (change, alerts) ->
                alerts.forEach(
                    a ->
                        lines
                            .append(EventJson.toJson(a).put("change", change).toString())
                            .append('\n')));
    Files.writeString(out, lines);
    console.printf(
        "%s: %,d alerts; %s: %,d alerts; one pass in %.1f s%n",
        compare.get(0),
        run.before().size(),
        compare.get(1),
        run.after().size(),
        (System.nanoTime() - began) / 1e9);
    console.print(comparison.table());
    console.printf(
        "%,d added and %,d removed alerts, each with its summary, written to %s%n",
        comparison.added().size(), comparison.removed().size(), out);
    return reportBadLines(bad, badLines);
  }

  private static int reportBadLines(List<EventFiles.BadLine> bad, Path badLines) {
    bad.stream().limit(20).forEach(line -> System.err.println("not read: " + line));
    if (!bad.isEmpty()) {
      System.err.printf("%,d lines not read; each with its reason in %s%n", bad.size(), badLines);
    }
    return bad.isEmpty() ? 0 : 1;
  }

  /**
   * The records of {@code file}, checked as the detect job checks them; event times against the
   * moment the backtest started, with the default bounds (see {@link EventTimeBounds}).
   */
  private static <T extends SpecificRecordBase> EventFiles.Read<T> read(
      Path file, Class<T> type, long started) throws IOException {
    if (!Files.isReadable(file)) {
      throw new UserException(file + " does not exist or cannot be read");
    }
    return EventFiles.read(file, type, EventTimeBounds.DEFAULT, started);
  }

  /** The bad lines beside the alerts: alerts.jsonl → alerts.bad-lines.jsonl. */
  static Path badLinesFile(Path out) {
    String name = out.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return out.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".bad-lines.jsonl");
  }

  /** One JSON object per bad line: the file, the line number and the reason. */
  private static void writeBadLines(Path file, List<EventFiles.BadLine> bad) throws IOException {
    StringBuilder lines = new StringBuilder();
    for (EventFiles.BadLine line : bad) {
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("file", line.file().toString());
      fields.put("line", line.line());
      fields.put("error", line.error());
      lines.append(EventJson.MAPPER.writeValueAsString(fields)).append('\n');
    }
    Files.writeString(file, lines);
  }

  private static List<Label> readLabels(Path file) throws IOException {
    if (!Files.isReadable(file)) {
      throw new UserException(file + " does not exist or cannot be read");
    }
    return Label.read(file);
  }
}
