package io.riskstream.demo;

import io.riskstream.avro.Alert;
import io.riskstream.cli.Riskstream;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.detect.Rules;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * The risk team's rule changes during the demo, published with {@code riskstream rules publish} as
 * a person would (docs/rules.md): a trial of a lower large-amount limit in shadow from the start,
 * and a live change of a severity half way through the traffic.
 */
final class DemoRules {
  /** The trial: large amounts from ₹50,000, on risk-alerts-shadow only. */
  static final String SHADOW = "rules:\n  large-amount: {limit: 50000.00}\n";

  /**
   * The live change: an underpayment becomes CRITICAL. It changes no alert's existence, so the
   * demo's check against the injected cases still holds; it changes what the alerts say.
   */
  static final String CHANGE = "rules:\n  amount-mismatch: {severity: {UNDERPAID: CRITICAL}}\n";

  /** What was published live, for the summary. */
  record Change(String rule, int version, Instant effectiveFrom) {}

  private final RiskstreamConfig config;
  private final Path dir;
  private final PrintStream out;

  DemoRules(RiskstreamConfig config, Path dir, PrintStream out) {
    this.config = config;
    this.dir = dir;
    this.out = out;
  }

  void trial(Instant from) throws IOException {
    publish("shadow.yaml", SHADOW, from, "arun", "trial: large amounts from 50,000", "--shadow");
  }

  Change change(Instant at) throws IOException {
    String printed = publish("change.yaml", CHANGE, at, "priya", "underpayments are chargebacks");
    // "amount-mismatch v2 ACTIVE, effective ...": the version the command numbered.
    Matcher version =
        Pattern.compile("^" + Rules.AMOUNT_MISMATCH + " v(\\d+) ", Pattern.MULTILINE)
            .matcher(printed);
    if (!version.find()) {
      throw new IllegalStateException("rules publish printed no version: " + printed);
    }
    return new Change(Rules.AMOUNT_MISMATCH, Integer.parseInt(version.group(1)), at);
  }

  /** Runs the command in this process and shows what it printed; returns that. */
  private String publish(
      String file, String yaml, Instant from, String author, String reason, String... more)
      throws IOException {
    Path rules = Files.writeString(dir.resolve(file), yaml);
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "rules",
                "publish",
                rules.toString(),
                "--author",
                author,
                "--reason",
                reason,
                "--effective-from",
                from.toString()));
    args.addAll(List.of(more));
    args.addAll(
        List.of(
            "--set",
            "kafka.bootstrap-servers=" + config.kafkaProperties().get("bootstrap.servers"),
            "--set",
            "registry.url=" + String.join(",", config.registry().urls())));
    StringWriter printed = new StringWriter();
    CommandLine cli = Riskstream.commandLine();
    cli.setOut(new PrintWriter(printed));
    cli.setErr(new PrintWriter(printed));
    int code = cli.execute(args.toArray(String[]::new));
    out.printf(
        "%n  $ riskstream rules publish %s --author %s ...%s%n",
        file, author, more.length > 0 ? " " + String.join(" ", more) : "");
    printed.toString().lines().forEach(l -> out.println("    " + l));
    if (code != 0) {
      throw new IllegalStateException("riskstream rules publish failed: " + printed);
    }
    return printed.toString();
  }

  /** The summary's lines: the live change's alerts before and after, and shadow against live. */
  static void print(Change change, List<Alert> live, List<Alert> shadow, PrintStream out) {
    List<Alert> underpaid = live.stream().filter(a -> a.getReason().equals("UNDERPAID")).toList();
    long after = underpaid.stream().filter(a -> a.getRuleVersion() == change.version()).count();
    out.printf(
        "Rules: %s v%d published mid-run, effective %s: %d of %d UNDERPAID alerts are after it"
            + " (v%d, CRITICAL), %d before (v1, HIGH)%n",
        change.rule(),
        change.version(),
        change.effectiveFrom(),
        after,
        underpaid.size(),
        change.version(),
        underpaid.size() - after);
    out.printf(
        "  shadow large-amount (limit 50,000.00): %d alerts on risk-alerts-shadow, against %d live"
            + " LARGE_AMOUNT alerts (limit 1,00,000.00); none went to on-call%n",
        shadow.size(), live.stream().filter(a -> a.getRuleId().equals(Rules.LARGE_AMOUNT)).count());
  }
}
