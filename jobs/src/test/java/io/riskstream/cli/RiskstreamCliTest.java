package io.riskstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RiskstreamCliTest {
  @Test
  void userMistakesGiveOneLineAndExitCode2() {
    CliRun unknownKey = CliRun.of("detect", "--set", "kafka.bootstrap=x:9092");
    CliRun badValue = CliRun.of("detect", "--set", "job.parallelism=many");
    CliRun missingFile = CliRun.of("detect", "--config", "/nope/riskstream.yaml");
    CliRun badFlag = CliRun.of("generate", "--out", "x", "--events", "lots");

    assertThat(unknownKey.mistake())
        .isEqualTo(
            "riskstream detect: unknown configuration key 'kafka.bootstrap' (--set); did you mean"
                + " 'kafka.bootstrap-servers'?; keys under [kafka.properties., flink.] are passed through");
    assertThat(badValue.exitCode()).isEqualTo(2);
    assertThat(badValue.err())
        .startsWith("riskstream detect: invalid value 'many' for 'job.parallelism'")
        .doesNotContain("Exception");
    assertThat(missingFile.mistake())
        .isEqualTo(
            "riskstream detect: configuration file /nope/riskstream.yaml does not exist or cannot be read");
    assertThat(badFlag.mistake())
        .isEqualTo(
            "riskstream generate: Invalid value for option '--events': 'lots' is not a long"
                + " (see riskstream generate --help)");
  }

  @Test
  void theMistakesANewUserMadeAreOneLineEach(@TempDir Path dir) throws Exception {
    Path empty = Files.createFile(dir.resolve("payments.jsonl"));
    Path aFile = Files.writeString(dir.resolve("taken"), "x");
    CliRun oneInput = CliRun.of("backtest", "--payments", empty.toString());
    CliRun missingRules =
        backtest(empty, empty, empty, "--rules", dir.resolve("missing.yaml").toString());
    CliRun badDuration = backtest(empty, empty, empty, "--max-out-of-orderness", "soon");
    CliRun outIsAFile = CliRun.of("generate", "--out", aFile.toString(), "--events", "10");
    CliRun outUnderAFile =
        CliRun.of("generate", "--out", aFile.resolve("sub").toString(), "--events", "10");
    CliRun badInstant = CliRun.of("generate", "--out", dir.toString(), "--start", "yesterday");
    CliRun noGap = CliRun.of("generate", "--out", dir.toString(), "--case-gap", "0 ms");
    CliRun unknownOption = CliRun.of("detect", "--bootstrap", "x:1");

    assertThat(oneInput.mistake())
        .isEqualTo(
            "riskstream backtest: missing --bills, --balance-changes: give all three inputs (an"
                + " empty file for a stream there is none of)");
    assertThat(missingRules.mistake())
        .isEqualTo(
            "riskstream backtest: rules file "
                + dir.resolve("missing.yaml")
                + " does not exist; give the path of a rules file (docs/detection.md), or none for"
                + " the built-in rules");
    assertThat(outIsAFile.mistake())
        .isEqualTo(
            "riskstream generate: cannot write to "
                + aFile
                + ": "
                + aFile
                + " exists and is not a directory");
    assertThat(outUnderAFile.exitCode()).isEqualTo(2);
    assertThat(outUnderAFile.err())
        .startsWith("riskstream generate: cannot write to ")
        .hasLineCount(1);
    assertThat(badInstant.mistake())
        .isEqualTo(
            "riskstream generate: Invalid value for option '--start': 'yesterday' is not an"
                + " ISO-8601 instant, such as 2026-01-01T00:00:00Z (see riskstream generate --help)");
    assertThat(noGap.mistake())
        .isEqualTo(
            "riskstream generate: Invalid value for option '--case-gap': '0 ms' is not a positive"
                + " duration such as 10 s or 1 min (see riskstream generate --help)");
    assertThat(badDuration.mistake())
        .isEqualTo(
            "riskstream backtest: Invalid value for option '--max-out-of-orderness': 'soon' is not a"
                + " positive duration such as 10 s or 1 min (see riskstream backtest --help)");
    assertThat(unknownOption.mistake())
        .isEqualTo(
            "riskstream detect: Unknown options: '--bootstrap', 'x:1' (see riskstream detect"
                + " --help)");
  }

  @Test
  void aBacktestOfEmptyFilesFindsNothingAndSaysSo(@TempDir Path dir) throws Exception {
    Path empty = Files.createFile(dir.resolve("empty.jsonl"));
    Path out = dir.resolve("alerts.jsonl");

    CliRun run = backtest(empty, empty, empty, "--out", out.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(out).isEmptyFile();
  }

  @Test
  void aComparisonWritesTheAlertsTheSecondRuleSetAddsWithTheirChange(@TempDir Path dir)
      throws Exception {
    Path payments =
        Files.writeString(
            dir.resolve("payments.jsonl"),
            "{\"event_id\":\"PE-1\",\"order_no\":\"O-1\",\"merchant_id\":\"M\",\"kind\":"
                + "\"COLLECT\",\"status\":\"CREATED\",\"amount\":\"60000\",\"event_time\":"
                + "\"2026-11-21T10:00:00Z\"}\n");
    Path empty = Files.createFile(dir.resolve("empty.jsonl"));
    Path before = Files.writeString(dir.resolve("before.yaml"), "");
    Path after =
        Files.writeString(dir.resolve("after.yaml"), "rules:\n  large-amount: {limit: 50000}\n");
    Path out = dir.resolve("changes.jsonl");

    CliRun run =
        backtest(
            payments,
            empty,
            empty,
            "--compare",
            before.toString(),
            after.toString(),
            "--out",
            out.toString());
    String mixed =
        backtest(
                payments,
                empty,
                empty,
                "--compare",
                before.toString(),
                after.toString(),
                "--rules",
                after.toString())
            .mistake();

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out().lines())
        .contains(
            "| LARGE_AMOUNT / PAYMENT_OVER_LIMIT        |        1 |        0 |         0 |",
            "1 added and 0 removed alerts, each with its summary, written to " + out);
    assertThat(Files.readAllLines(out))
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .contains("\"reason\":\"PAYMENT_OVER_LIMIT\"")
                    .contains("\"order_no\":\"O-1\"")
                    .endsWith("\"change\":\"added\"}"));
    assertThat(mixed)
        .isEqualTo(
            "riskstream backtest: --compare takes its two rules files itself: leave out --rules,"
                + " --rule-history and --labels");
  }

  @Test
  void aRuleHistoryDecidesEachEventWithTheVersionOfItsTime(@TempDir Path dir) throws Exception {
    Path payments =
        Files.writeString(
            dir.resolve("payments.jsonl"),
            payment("O-1", "2026-11-21T10:00:00Z") + payment("O-2", "2026-11-21T11:00:00Z"));
    Path empty = Files.createFile(dir.resolve("empty.jsonl"));
    // Version 2 from 10:30 with a limit of 50,000; version 1 again, refused (not above the file's).
    Path history =
        Files.writeString(
            dir.resolve("rule-history.jsonl"),
            version(2, "2026-11-21T10:30:00Z") + version(1, "2026-11-21T09:00:00Z"));
    Path out = dir.resolve("alerts.jsonl");

    CliRun run =
        backtest(
            payments, empty, empty, "--rule-history", history.toString(), "--out", out.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains(
            "Rule history: 1 of 2 versions applied by event time (the others are refused as the"
                + " detect job refuses them)");
    assertThat(Files.readAllLines(out))
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .contains("\"order_no\":\"O-2\"")
                    .contains("\"rule_id\":\"large-amount\",\"rule_version\":2,"));
  }

  private static String payment(String order, String at) {
    return "{\"event_id\":\"PE-"
        + order
        + "\",\"order_no\":\""
        + order
        + "\",\"merchant_id\":\"M\",\"kind\":\"COLLECT\",\"status\":\"CREATED\","
        + "\"amount\":\"60000\",\"event_time\":\""
        + at
        + "\"}\n";
  }

  private static String version(int version, String effectiveFrom) {
    return "{\"rule_id\":\"large-amount\",\"version\":"
        + version
        + ",\"mode\":\"ACTIVE\",\"settings\":\"limit: 50000.00\\n\",\"effective_from\":\""
        + effectiveFrom
        + "\",\"author\":\"priya\",\"reason\":\"test\",\"created_at\":\""
        + effectiveFrom
        + "\"}\n";
  }

  @Test
  void aBacktestListsItsBadLinesInAFileBesideTheAlertsAndFinishesTheRest(@TempDir Path dir)
      throws Exception {
    String created =
        "{\"event_id\":\"PE-1\",\"order_no\":\"O-1\",\"merchant_id\":\"M\",\"kind\":\"COLLECT\","
            + "\"status\":\"CREATED\",\"amount\":\"10\",\"event_time\":\"2026-11-21T10:00:00Z\"}";
    Path payments = Files.writeString(dir.resolve("payments.jsonl"), created + "\n{\"nope\n");
    Path empty = Files.createFile(dir.resolve("empty.jsonl"));
    Path allBad = Files.writeString(dir.resolve("bills.jsonl"), "x\n\ny\n");
    Path out = dir.resolve("alerts.jsonl");

    CliRun someBad = backtest(payments, empty, empty, "--out", out.toString());
    List<String> badLines = Files.readAllLines(dir.resolve("alerts.bad-lines.jsonl"));
    CliRun everyLineBad = backtest(payments, allBad, empty, "--out", out.toString());

    assertThat(someBad.exitCode()).as(someBad.err()).isEqualTo(1);
    assertThat(out).isEmptyFile();
    assertThat(badLines)
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .startsWith(
                        "{\"file\":\""
                            + payments
                            + "\",\"line\":2,\"error\":\"Unexpected end-of-input"));
    assertThat(everyLineBad.mistake())
        .startsWith("riskstream backtest: no line of " + allBad + " could be read (line 1: ")
        .endsWith("); every line's reason is in " + dir.resolve("alerts.bad-lines.jsonl"));
  }

  private static CliRun backtest(Path payments, Path bills, Path balanceChanges, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "backtest",
                "--payments",
                payments.toString(),
                "--bills",
                bills.toString(),
                "--balance-changes",
                balanceChanges.toString()));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  @Test
  void helpListsEveryCommandWithAWholeSentenceAndVersionNamesTheCommit() {
    CommandLine cli = Riskstream.commandLine();
    CliRun version = CliRun.of("--version");

    for (CommandLine command : cli.getSubcommands().values()) {
      String[] description = command.getCommandSpec().usageMessage().description();
      assertThat(description[0]).as(command.getCommandName()).endsWith(".");
    }
    assertThat(version.out().strip())
        .matches(
            "riskstream \\S+, commit [0-9a-f]{7,} \\(\\d{4}-\\d\\d-\\d\\d\\)( with local changes)?");
  }

  @Test
  void anUnreachableRegistryIsOneLineBeforeTheJobStarts() throws Exception {
    int closed = CliRun.closedPort();
    String url = "http://127.0.0.1:" + closed;
    CliRun down =
        CliRun.of(
            "detect",
            "--set",
            "kafka.bootstrap-servers=127.0.0.1:9092",
            "--set",
            "registry.url=" + url,
            "--set",
            "registry.timeout=1 s");

    assertThat(down.exitCode()).isEqualTo(2);
    assertThat(down.err().lines()).hasSize(1);
    assertThat(down.err())
        .startsWith("riskstream detect: cannot reach the schema registry at " + url + " (")
        .endsWith("); set registry.url" + System.lineSeparator())
        .doesNotContain("\tat ");
  }

  @Test
  void generateWritesTheFiles(@TempDir Path dir) {
    CliRun ok = CliRun.of("generate", "--out", dir.toString(), "--events", "500", "--seed", "2");

    assertThat(ok.exitCode()).isZero();
    assertThat(dir.resolve("payments.jsonl")).isNotEmptyFile();
    assertThat(dir.resolve("bills.jsonl")).isNotEmptyFile();
    assertThat(dir.resolve("balance-changes.jsonl")).isNotEmptyFile();
    assertThat(Files.exists(dir.resolve("labels.jsonl"))).isTrue();
  }

  @Test
  void everyCommandHasHelp() {
    assertThat(Riskstream.commandLine().getSubcommands().keySet())
        .contains("demo", "detect", "backtest", "sink", "notify", "generate", "produce", "broker");
    for (String command : Riskstream.commandLine().getSubcommands().keySet()) {
      assertThat(CliRun.of(command, "--help").exitCode()).as(command).isZero();
    }
  }

  @Test
  void theProductionJarSaysInOneLineWhereTheDemoIs() {
    CliRun demo = CliRun.of("demo", "--duration", "20s");
    CliRun broker = CliRun.of("broker");

    assertThat(demo.mistake())
        .isEqualTo(
            "riskstream demo: not in this jar, which holds no Kafka broker, registry or database;"
                + " run java -jar demo/target/riskstream-demo.jar demo (built by mvn -B -ntp"
                + " -DskipTests package)");
    assertThat(broker.exitCode()).isEqualTo(2);
    assertThat(broker.err()).startsWith("riskstream broker: not in this jar").hasLineCount(1);
  }

  @Test
  void addressesAndKafkaSettingsOfTheWrongFormFailInOneLineBeforeAnythingConnects() {
    CliRun noPort =
        CliRun.of(
            "detect",
            "--set",
            "kafka.bootstrap-servers=localhost",
            "--set",
            "registry.url=http://r:8081");
    CliRun notAUrl =
        CliRun.of(
            "detect", "--set", "kafka.bootstrap-servers=b:9092", "--set", "registry.url=registry");
    CliRun badProtocol =
        CliRun.of(
            "detect",
            "--set",
            "kafka.bootstrap-servers=b:9092",
            "--set",
            "registry.url=http://r:8081",
            "--set",
            "kafka.properties.security.protocol=SSLX");

    assertThat(noPort.mistake())
        .isEqualTo(
            "riskstream detect: invalid value 'localhost' in 'kafka.bootstrap-servers': expected"
                + " host:port, such as broker-1:9092");
    assertThat(notAUrl.mistake())
        .isEqualTo(
            "riskstream detect: invalid value 'registry' in 'registry.url': expected an http or"
                + " https URL, such as http://registry:8081");
    assertThat(badProtocol.exitCode()).isEqualTo(2);
    assertThat(badProtocol.err().lines()).hasSize(1);
    assertThat(badProtocol.err())
        .startsWith(
            "riskstream detect: invalid Kafka client setting: Invalid value SSLX for configuration"
                + " security.protocol");
  }
}
