package io.riskstream.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
  void aShorterGapBetweenCasesGivesTheSameCasesCloserTogether() {
    TrafficGenerator.Settings sparse =
        new TrafficGenerator.Settings(
            20_000, 1, 0.05, TrafficGenerator.Settings.DEFAULT_START, Duration.ofSeconds(3));
    TrafficGenerator.Settings dense =
        new TrafficGenerator.Settings(
            20_000, 1, 0.05, TrafficGenerator.Settings.DEFAULT_START, Duration.ofMillis(30));
    Traffic a = TrafficGenerator.generate(sparse);
    Traffic b = TrafficGenerator.generate(dense);

    // The same random draws in the same order: the same cases, only their start times differ.
    assertThat(b.labels()).isEqualTo(a.labels());
    assertThat(versions(b)).isEqualTo(versions(a));
    // Most cases start with an order's CREATED payment, a gap after the case before: its median
    // is ln 2 of the mean, 2,080 ms against 21 ms (whole milliseconds, at least one apart), 97
    // times as dense.
    assertThat(medianGapBetweenOrders(a) / medianGapBetweenOrders(b)).isBetween(90.0, 110.0);
  }

  /**
   * Every payment version by order and status, once: the redeliveries (a random 1 %, drawn from the
   * stream in event-time order) differ where cases interleave.
   */
  private static List<String> versions(Traffic traffic) {
    return traffic.payments().stream()
        .map(p -> p.getOrderNo() + "/" + p.getStatus())
        .distinct()
        .sorted()
        .toList();
  }

  /** The median of the milliseconds between one order's CREATED payment and the next one's. */
  private static double medianGapBetweenOrders(Traffic traffic) {
    long[] created =
        traffic.payments().stream()
            .filter(p -> p.getStatus() == PaymentStatus.CREATED)
            .mapToLong(p -> p.getEventTime().toEpochMilli())
            .sorted()
            .toArray();
    long[] gaps = new long[created.length - 1];
    for (int i = 1; i < created.length; i++) {
      gaps[i - 1] = created[i] - created[i - 1];
    }
    Arrays.sort(gaps);
    return gaps[gaps.length / 2];
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
