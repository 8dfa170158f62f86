package io.riskstream.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Payment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrafficGeneratorTest {
  private static Traffic generate(long events, long seed, double fraudRate) {
    return TrafficGenerator.generate(
        new TrafficGenerator.Settings(
            events, seed, fraudRate, TrafficGenerator.Settings.DEFAULT_START));
  }

  @Test
  void sameSeedGivesTheSameBytes(@TempDir Path dir) throws Exception {
    generate(3_000, 7, 0.05).writeTo(dir.resolve("a"));
    generate(3_000, 7, 0.05).writeTo(dir.resolve("b"));
    generate(3_000, 8, 0.05).writeTo(dir.resolve("c"));

    for (String file :
        List.of(
            Traffic.PAYMENTS_FILE,
            Traffic.BILLS_FILE,
            Traffic.BALANCE_CHANGES_FILE,
            Traffic.LABELS_FILE)) {
      assertThat(Files.readAllBytes(dir.resolve("b").resolve(file)))
          .as(file)
          .isEqualTo(Files.readAllBytes(dir.resolve("a").resolve(file)));
    }
    assertThat(Files.readAllBytes(dir.resolve("c").resolve(Traffic.PAYMENTS_FILE)))
        .isNotEqualTo(Files.readAllBytes(dir.resolve("a").resolve(Traffic.PAYMENTS_FILE)));
  }

  @Test
  void injectsAndLabelsEveryCaseOfTheSpec() {
    Traffic traffic = generate(20_000, 1, 0.05);

    Set<String> reasons =
        traffic.labels().stream().map(l -> l.type() + "/" + l.reason()).collect(Collectors.toSet());
    assertThat(reasons)
        .containsExactlyInAnyOrder(
            "FORGED_UTR/INVALID_FORMAT",
            "FORGED_UTR/NO_BANK_RECORD",
            "AMOUNT_MISMATCH/UNDERPAID",
            "AMOUNT_MISMATCH/OVERPAID",
            "DUPLICATE_PAYMENT/UTR_REUSED",
            "DUPLICATE_PAYMENT/ORDER_PAID_TWICE",
            "DUPLICATE_PAYMENT/LEDGER_DOUBLE_CREDIT",
            "MISSING_ORDER/BILL_WITHOUT_ORDER",
            "MISSING_ORDER/LEDGER_WITHOUT_ORDER",
            "LARGE_AMOUNT/PAYMENT_OVER_LIMIT",
            "LARGE_AMOUNT/LEDGER_OVER_LIMIT",
            "IP_BURST/DISTINCT_ACCOUNTS",
            "BALANCE_MISMATCH/ARITHMETIC",
            "BALANCE_MISMATCH/CHAIN_BREAK",
            "STATUS_MISMATCH/SUCCESS_WITHOUT_LEDGER",
            "STATUS_MISMATCH/LEDGER_WITHOUT_SUCCESS",
            "STATUS_MISMATCH/REFUND_WITHOUT_LEDGER",
            "PENDING_TOO_LONG/BANK_PENDING",
            "PENDING_TOO_LONG/BILL_PENDING",
            "PENDING_TOO_LONG/LEDGER_PENDING",
            "COUNTERPARTY_MISMATCH/OTHER_WORKER",
            "COUNTERPARTY_MISMATCH/OTHER_VPA",
            "SUSPICIOUS_REFUND/FAST_REFUND",
            "UTR_TYPO/LIKELY_TYPO");
    assertThat(new HashSet<>(traffic.labels()))
        .as("labels are distinct")
        .hasSameSizeAs(traffic.labels());
    assertThat(traffic.size()).isBetween(19_800, 20_200);
  }

  @Test
  void withoutFraudNothingIsLabelledAndEveryStreamIsInEventTimeOrder() {
    Traffic traffic = generate(5_000, 3, 0);

    assertThat(traffic.labels()).isEmpty();
    assertThat(traffic.payments())
        .isSortedAccordingTo(java.util.Comparator.comparing(Payment::getEventTime));
    List<Traffic.Event> merged = traffic.inEventTimeOrder();
    assertThat(merged).hasSize(traffic.size());
    assertThat(merged)
        .isSortedAccordingTo(java.util.Comparator.comparing(Traffic.Event::eventTime));
    assertThat(Arrays.stream(Traffic.Stream.values()))
        .allMatch(s -> merged.stream().anyMatch(e -> e.stream() == s));
  }
}
