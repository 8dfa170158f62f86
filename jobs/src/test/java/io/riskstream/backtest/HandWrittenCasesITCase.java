package io.riskstream.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.Payment;
import io.riskstream.detect.Reason;
import io.riskstream.detect.RuleBook;
import io.riskstream.io.EventFiles;
import io.riskstream.kafka.RecordCheck;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;

/**
 * An oracle independent of the traffic generator (which is co-designed with the detectors): a few
 * dozen events written by hand, one case per reason of docs/contract.md (Alerts), and the alerts
 * they must raise worked out by hand from the spec (src/test/resources/oracle/expected-alerts.txt).
 */
class HandWrittenCasesITCase {
  @Test
  void everyHandWrittenCaseRaisesExactlyWhatTheSpecSays() throws Exception {
    Backtest.Inputs inputs =
        new Backtest.Inputs(
            read("payments.jsonl", Payment.class),
            read("bills.jsonl", Bill.class),
            read("balance-changes.jsonl", BalanceChange.class));

    List<Alert> alerts = Backtest.run(inputs, RuleBook.defaults(), 2, Duration.ofMinutes(1));

    List<String> expected =
        Files.readAllLines(oracle("expected-alerts.txt")).stream()
            .map(line -> line.replaceAll("#.*", "").strip())
            .filter(line -> !line.isEmpty())
            .map(line -> line.replaceAll("\\s+", " "))
            .sorted()
            .toList();
    assertThat(expected.stream().map(line -> line.split(" ")[0]).distinct())
        .as("a case for every reason")
        .hasSize(Reason.values().length);
    assertThat(alerts)
        .extracting(a -> a.getReason() + " " + Reason.of(a).keyOf(a))
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  private static <T extends SpecificRecordBase> List<T> read(String name, Class<T> type)
      throws Exception {
    EventFiles.Read<T> read = EventFiles.read(oracle(name), type, RecordCheck.of(type));
    assertThat(read.badLines()).as(name).isEmpty();
    return read.records();
  }

  private static Path oracle(String name) throws URISyntaxException {
    return Path.of(
        Objects.requireNonNull(HandWrittenCasesITCase.class.getResource("/oracle/" + name))
            .toURI());
  }
}
