package io.riskstream.detect;

import static io.riskstream.testing.Harnesses.advance;
import static io.riskstream.testing.Harnesses.alerts;
import static io.riskstream.testing.Harnesses.reasons;
import static io.riskstream.testing.Harnesses.record;
import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.ONE_MINUTE_LATER;
import static io.riskstream.testing.TestEvents.bill;
import static io.riskstream.testing.TestEvents.payment;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertType;
import io.riskstream.avro.Bill;
import io.riskstream.avro.BillDirection;
import io.riskstream.avro.DeductStatus;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.EvidenceSource;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentKind;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.avro.Severity;
import io.riskstream.testing.Harnesses;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UtrMatcherTest {
  private static final Duration W = Duration.ofMinutes(30);
  private static final Instant CLAIM_DEADLINE = BEGINNING.plus(W);
  private static final Instant MUCH_LATER = BEGINNING.plus(Duration.ofHours(3));

  private static KeyedTwoInputStreamOperatorTestHarness<String, Payment, Bill, Alert> harness()
      throws Exception {
    return Harnesses.open(new UtrMatcher(Rules.defaults()), Payment::getUtr, Bill::getUtr);
  }

  private static Payment claim(String eventId, String order, String amount, Instant at) {
    return payment(eventId, order, PaymentStatus.PAID, amount, at).build();
  }

  /** A UTR with letters: malformed for UPI, well-formed for IMPS. */
  private static final String LETTERS = "ABCD12345678";

  /** A claim of ₹100 on {@link #LETTERS} through {@code channel}. */
  private static Payment lettersClaim(
      String eventId, String order, PaymentStatus status, Instant at, String channel) {
    return payment(eventId, order, status, "100", at).setUtr(LETTERS).setChannel(channel).build();
  }

  private static void send(
      KeyedTwoInputStreamOperatorTestHarness<String, Payment, Bill, Alert> h, Object... events)
      throws Exception {
    for (Object e : events) {
      if (e instanceof Payment p) {
        h.processElement1(record(p));
      } else {
        h.processElement2(record((Bill) e));
      }
    }
  }

  @Test
  void shouldRaiseNoBankRecordWhenTheWatermarkPassesClaimPlusW() throws Exception {
    try (var h = harness()) {
      send(h, claim("PE-1", "O-88", "2500", BEGINNING));
      advance(h, CLAIM_DEADLINE.minusMillis(1));
      assertThat(alerts(h)).isEmpty();

      advance(h, CLAIM_DEADLINE);

      assertThat(alerts(h))
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.getType()).isEqualTo(AlertType.FORGED_UTR);
                assertThat(a.getReason()).isEqualTo("NO_BANK_RECORD");
                assertThat(a.getSeverity()).isEqualTo(Severity.HIGH);
                assertThat(a.getRuleId()).isEqualTo("forged-utr");
                assertThat(a.getSummary())
                    .isEqualTo(
                        "UTR 412345678901 claimed by order O-88 (₹2,500.00) has no bank record within 30m");
                assertThat(a.getEventTime()).isEqualTo(CLAIM_DEADLINE);
                assertThat(a.getEvidence())
                    .containsExactly(new Evidence(EvidenceSource.PAYMENT, "PE-1", BEGINNING));
                assertThat(a.getOrderNo()).isEqualTo("O-88");
                assertThat(a.getUtr()).isEqualTo("412345678901");
                assertThat(a.getMerchantId()).isEqualTo("M-1");
              });
    }
  }

  @Test
  void shouldNotAlertWhenBillArrivesFirstOrWithinW() throws Exception {
    for (Instant billTime : List.of(BEGINNING.minus(Duration.ofMinutes(5)), CLAIM_DEADLINE)) {
      try (var h = harness()) {
        send(
            h,
            bill("B-1", "412345678901", "2500", billTime).build(),
            claim("PE-1", "O-1", "2500", BEGINNING));
        advance(h, MUCH_LATER);
        assertThat(alerts(h)).as("bill at " + billTime).isEmpty();
      }
    }
  }

  @Test
  void shouldRaiseNoBankRecordWhenTheBillIsJustOutsideW() throws Exception {
    try (var h = harness()) {
      send(
          h,
          claim("PE-1", "O-1", "2500", BEGINNING),
          bill("B-1", "412345678901", "2500", CLAIM_DEADLINE.plusMillis(1)).build());
      advance(h, MUCH_LATER);
      assertThat(reasons(h)).containsExactly("NO_BANK_RECORD");
      // Pinned (AlertIdTest says how it was computed): ids must not change across releases.
      assertThat(alerts(h))
          .extracting(Alert::getAlertId)
          .containsExactly("a2c283d375989a3a0124ca8a95d92fbc");
    }
  }

  @Test
  void shouldRaiseTheSameAmountMismatchInEitherArrivalOrder() throws Exception {
    Payment claim = claim("PE-1", "O-1", "2500", BEGINNING);
    Bill under = bill("B-1", "412345678901", "2400", ONE_MINUTE_LATER).build();
    String claimFirst;
    try (var h = harness()) {
      send(h, claim, under);
      advance(h, MUCH_LATER);
      assertThat(alerts(h))
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.getReason()).isEqualTo("UNDERPAID");
                assertThat(a.getSummary())
                    .isEqualTo(
                        "Order O-1 claims ₹2,500.00 with UTR 412345678901 but bank statement line B-1 shows ₹2,400.00"
                            + " (underpaid by ₹100.00)");
                assertThat(a.getEvidence())
                    .extracting(Evidence::getId)
                    .containsExactly("PE-1", "B-1");
                assertThat(a.getEventTime()).isEqualTo(ONE_MINUTE_LATER);
              });
      claimFirst = alerts(h).get(0).getAlertId();
    }
    try (var h = harness()) {
      send(h, under, claim);
      advance(h, MUCH_LATER);
      assertThat(alerts(h)).extracting(Alert::getAlertId).containsExactly(claimFirst);
    }
    try (var h = harness()) {
      send(h, claim, bill("B-1", "412345678901", "2600", ONE_MINUTE_LATER).build());
      advance(h, MUCH_LATER);
      assertThat(reasons(h)).containsExactly("OVERPAID");
    }
  }

  @Test
  void shouldMatchCollectsToCreditsAndPayoutsToDebits() throws Exception {
    try (var h = harness()) {
      send(
          h,
          payment("PE-1", "O-1", PaymentStatus.SUCCESS, "2500", BEGINNING)
              .setKind(PaymentKind.PAYOUT)
              .build(),
          bill("B-1", "412345678901", "2500", BEGINNING).build());
      advance(h, MUCH_LATER);
      assertThat(reasons(h)).containsExactlyInAnyOrder("NO_BANK_RECORD", "BILL_WITHOUT_ORDER");
    }
    try (var h = harness()) {
      send(
          h,
          payment("PE-1", "O-1", PaymentStatus.SUCCESS, "2500", BEGINNING)
              .setKind(PaymentKind.PAYOUT)
              .build(),
          bill("B-1", "412345678901", "2500", BEGINNING).setDirection(BillDirection.DEBIT).build());
      advance(h, MUCH_LATER);
      assertThat(alerts(h)).isEmpty();
    }
  }

  @Test
  void shouldRaiseOnlyInvalidFormatForAMalformedUtr() throws Exception {
    try (var h = harness()) {
      send(
          h,
          Payment.newBuilder(claim("PE-1", "O-1", "2500", BEGINNING))
              .setUtr("41234567890")
              .build());
      advance(h, BEGINNING);
      assertThat(alerts(h))
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.getReason()).isEqualTo("INVALID_FORMAT");
                assertThat(a.getSummary())
                    .isEqualTo(
                        "UTR 41234567890 claimed by order O-1 (₹2,500.00) is not a well-formed UPI UTR");
              });
      advance(h, MUCH_LATER);
      assertThat(reasons(h)).containsExactly("INVALID_FORMAT");
    }
    try (var h = harness()) {
      send(
          h,
          Payment.newBuilder(claim("PE-1", "O-1", "2500", BEGINNING))
              .setUtr("IMPS12345678AB")
              .setChannel("IMPS")
              .build(),
          bill("B-1", "IMPS12345678AB", "2500", BEGINNING).build());
      advance(h, MUCH_LATER);
      assertThat(alerts(h)).as("12-22 letters or digits are fine for IMPS").isEmpty();
    }
  }

  @Test
  void shouldRaiseUtrReusedForASecondOrderButNotForTheSameOrderAgain() throws Exception {
    try (var h = harness()) {
      send(
          h,
          claim("PE-1", "O-1", "2500", BEGINNING),
          payment("PE-2", "O-1", PaymentStatus.SUCCESS, "2500", ONE_MINUTE_LATER).build(),
          bill("B-1", "412345678901", "2500", BEGINNING).build());
      advance(h, MUCH_LATER);
      assertThat(alerts(h)).as("the same order claiming again").isEmpty();

      send(h, claim("PE-3", "O-2", "2500", MUCH_LATER.plusSeconds(60)));
      advance(h, MUCH_LATER.plusSeconds(60));
      assertThat(alerts(h))
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.getReason()).isEqualTo("UTR_REUSED");
                assertThat(a.getSeverity()).isEqualTo(Severity.CRITICAL);
                assertThat(a.getOrderNo()).isEqualTo("O-2");
                assertThat(a.getEvidence())
                    .extracting(Evidence::getId)
                    .containsExactly("PE-1", "PE-3");
              });
    }
  }

  @Test
  void aFirstClaimOvertakenByAnEarlierOneBeforeTheWatermarkIsTheReuse() throws Exception {
    // O-2's claim arrives first and is, for a while, the UTR's earliest; O-1's, 30 s earlier in
    // event time, arrives before the watermark reaches either. Claims are ordered by event time,
    // so O-2 is the reuse, whatever came first.
    Payment first = claim("PE-1", "O-1", "2500", BEGINNING);
    Payment second = claim("PE-2", "O-2", "2500", BEGINNING.plusSeconds(30));
    Bill line = bill("B-1", "412345678901", "2500", BEGINNING.plusSeconds(40)).build();
    for (List<Object> arrival :
        List.of(List.<Object>of(first, second, line), List.<Object>of(second, first, line))) {
      try (var h = harness()) {
        send(h, arrival.toArray());
        advance(h, MUCH_LATER);
        assertThat(alerts(h))
            .as(arrival.toString())
            .singleElement()
            .satisfies(
                a -> {
                  assertThat(a.getReason()).isEqualTo("UTR_REUSED");
                  assertThat(a.getOrderNo()).isEqualTo("O-2");
                  assertThat(a.getEventTime()).isEqualTo(BEGINNING.plusSeconds(30));
                  assertThat(a.getEvidence())
                      .extracting(Evidence::getId)
                      .containsExactly("PE-1", "PE-2");
                });
      }
    }
  }

  @Test
  void aLineWhoseOnlyClaimGivesWayToAnEarlierMalformedOneIsWithoutOrder() throws Exception {
    // O-1 claims the line's UTR well-formed (IMPS) 10 s after the line, then its earlier claim
    // arrives, malformed for UPI: the order's earliest claim speaks for it, a malformed claim
    // counts for nothing else, so the line has no claim by its time + W.
    Bill line = bill("B-1", LETTERS, "100", BEGINNING).build();
    Payment wellFormed =
        lettersClaim("PE-2", "O-1", PaymentStatus.SUCCESS, BEGINNING.plusSeconds(10), "IMPS");
    Payment malformed =
        lettersClaim("PE-1", "O-1", PaymentStatus.PAID, BEGINNING.plusSeconds(5), "UPI");
    try (var h = harness()) {
      send(h, line, wellFormed);
      advance(h, BEGINNING.plusSeconds(10));
      send(h, malformed);
      advance(h, MUCH_LATER);
      assertThat(alerts(h))
          .extracting(Alert::getReason, Alert::getEventTime)
          .containsExactlyInAnyOrder(
              Tuple.tuple("INVALID_FORMAT", BEGINNING.plusSeconds(5)),
              Tuple.tuple("BILL_WITHOUT_ORDER", BEGINNING.plus(W)));
    }
  }

  @Test
  void anOrdinaryUtrWaitsOnlyForItsPairOnceTheLineIsInTime() throws Exception {
    // A claim, then its line 5 min later: NO_BANK_RECORD and BILL_WITHOUT_ORDER can no longer be
    // raised, and the claim is the UTR's first (no UTR_REUSED): the amounts are the one decision
    // left, at the line's time, and the UTR's one timer is for it.
    Instant lineTime = BEGINNING.plusSeconds(300);
    try (var h = harness()) {
      send(
          h,
          claim("PE-1", "O-1", "2500", BEGINNING),
          bill("B-1", "412345678901", "2400", lineTime).build());
      assertThat(state(h).decisions).containsOnlyKeys(lineTime.toEpochMilli());
      assertThat(h.numEventTimeTimers()).isOne();
      advance(h, lineTime.minusMillis(1));
      assertThat(alerts(h)).isEmpty();
      advance(h, lineTime);
      assertThat(reasons(h)).containsExactly("UNDERPAID");
      assertThat(state(h).decisions).isEmpty();
      assertThat(h.numEventTimeTimers()).as("the cleanup's").isOne();
      advance(h, MUCH_LATER);
      assertThat(reasons(h)).containsExactly("UNDERPAID");
    }
  }

  @Test
  void anOrdinaryUtrWhoseLineAgreesWithItsClaimWaitsOnlyToBeForgotten() throws Exception {
    // The same claim and line as above, but the amounts agree too (and the worker, and the line
    // names no UPI id): the pair cannot raise anything, so nothing is scheduled, and the UTR's
    // one timer is its cleanup at the 30-day retention, not a wakeup at the line's time.
    Instant lineTime = BEGINNING.plusSeconds(300);
    try (var h = harness()) {
      send(
          h,
          claim("PE-1", "O-1", "2500", BEGINNING),
          bill("B-1", "412345678901", "2500", lineTime).build());
      assertThat(state(h).decisions).isEmpty();
      assertThat(state(h).wakeups[0])
          .as("the registered timer")
          .isEqualTo(lineTime.plus(Duration.ofDays(30)).toEpochMilli());
      assertThat(h.numEventTimeTimers()).isOne();
      advance(h, MUCH_LATER);
      assertThat(alerts(h)).isEmpty();
    }
  }

  @Test
  void aLineWhoseDeductedVersionDiffersFromItsClaimWhereThePendingOneDidNotIsStillDecided()
      throws Exception {
    // The PENDING version agrees with the claim, so their pair is not scheduled; the DEDUCTED
    // version, here before the watermark reaches the pair's time, shows ₹100 less. The pair is
    // decided with the line's version of its time, as if it had waited: UNDERPAID, at the later
    // of the claim's time and the DEDUCTED version's.
    Instant pendingAt = BEGINNING.plusSeconds(60);
    Instant deductedAt = BEGINNING.plusSeconds(120);
    try (var h = harness()) {
      send(
          h,
          claim("PE-1", "O-1", "2500", BEGINNING),
          bill("B-1", "412345678901", "2500", pendingAt)
              .setDeductStatus(DeductStatus.PENDING)
              .build());
      assertThat(state(h).decisions)
          .as("BILL_PENDING's decision only")
          .containsOnlyKeys(pendingAt.plus(Duration.ofHours(2)).toEpochMilli());
      send(h, bill("B-1", "412345678901", "2400", deductedAt).build());
      advance(h, MUCH_LATER);
      assertThat(alerts(h))
          .extracting(Alert::getReason, Alert::getEventTime)
          .containsExactly(Tuple.tuple("UNDERPAID", deductedAt));
    }
  }

  /** UTR 412345678901's state value. */
  private static UtrMatcher.UtrState state(
      KeyedTwoInputStreamOperatorTestHarness<String, Payment, Bill, Alert> h) throws Exception {
    return Harnesses.value(h, "412345678901", "utr", UtrMatcher.UtrState.type());
  }

  @Test
  void shouldRaiseBillWithoutOrderOnlyForDeductedBills() throws Exception {
    try (var h = harness()) {
      send(
          h,
          bill("B-1", "412345678901", "2500", BEGINNING).build(),
          bill("B-2", "412345678901", "2500", BEGINNING)
              .setDeductStatus(DeductStatus.PENDING)
              .build());
      advance(h, CLAIM_DEADLINE);
      assertThat(alerts(h))
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.getReason()).isEqualTo("BILL_WITHOUT_ORDER");
                assertThat(a.getSummary())
                    .isEqualTo(
                        "Bank statement line B-1 of worker CW-1: ₹2,500.00 credited with UTR"
                            + " 412345678901, deducted, but no order claims it within 30m");
                assertThat(a.getCwid()).isEqualTo("CW-1");
              });
    }
  }

  /**
   * A statement line first PENDING (at the start), then DEDUCTED ten minutes later, arriving in
   * either order and redelivered: BILL_WITHOUT_ORDER reads the DEDUCTED version, so it is decided
   * at its event time + W, once.
   */
  @ParameterizedTest(name = "arrival order {0}")
  @CsvSource({"PD", "DP", "PDPD", "DPDP", "PPDD"})
  void aPendingLineLaterDeductedIsDecidedOnItsDeductedVersion(String order) throws Exception {
    Bill pending =
        bill("B-1", "412345678901", "2500", BEGINNING)
            .setDeductStatus(DeductStatus.PENDING)
            .build();
    Instant deductedAt = BEGINNING.plus(Duration.ofMinutes(10));
    Bill deducted = bill("B-1", "412345678901", "2500", deductedAt).build();
    try (var h = harness()) {
      for (char c : order.toCharArray()) {
        send(h, c == 'P' ? pending : deducted);
      }
      advance(h, deductedAt.plus(W).minusMillis(1));
      assertThat(alerts(h)).isEmpty();

      advance(h, deductedAt.plus(W));

      assertThat(alerts(h))
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.getReason()).isEqualTo("BILL_WITHOUT_ORDER");
                assertThat(a.getEventTime()).isEqualTo(deductedAt.plus(W));
                assertThat(a.getEvidence())
                    .singleElement()
                    .satisfies(e -> assertThat(e.getEventTime()).isEqualTo(deductedAt));
              });
      advance(h, MUCH_LATER);
      assertThat(alerts(h)).hasSize(1);
    }
  }

  @Test
  void aClaimWithinWOfTheDeductedVersionMatchesALineThatWasPendingBefore() throws Exception {
    Bill pending =
        bill("B-1", "412345678901", "2500", BEGINNING)
            .setDeductStatus(DeductStatus.PENDING)
            .build();
    Instant deductedAt = BEGINNING.plus(Duration.ofMinutes(10));
    try (var h = harness()) {
      send(h, pending, bill("B-1", "412345678901", "2500", deductedAt).build());
      // After the PENDING version's W, within the DEDUCTED version's.
      send(h, claim("PE-1", "O-1", "2500", BEGINNING.plus(Duration.ofMinutes(35))));

      advance(h, MUCH_LATER);

      assertThat(alerts(h)).isEmpty();
    }
  }

  @Test
  void shouldIgnoreRedeliveriesAndClearStateAfterTheRetention() throws Exception {
    try (var h = harness()) {
      Payment c = claim("PE-1", "O-1", "2500", BEGINNING);
      Bill b = bill("B-1", "412345678901", "2400", BEGINNING).build();
      send(h, c, b, c, b);
      advance(h, MUCH_LATER);
      send(h, c, b);
      advance(h, MUCH_LATER.plusSeconds(1));
      assertThat(reasons(h)).containsExactly("UNDERPAID");

      advance(h, BEGINNING.plus(Duration.ofDays(30)));

      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void aUtrHoldingMoreClaimsInItsValueThanAreKeptThereNowDecidesEveryClaimOnce() throws Exception {
    // Until 2026-12-05 a UTR kept 32 claims in its value, now MAX_INLINE: a UTR restored from a
    // savepoint of then holds more there than this version would put, and must still take them.
    String utr = "412345678901";
    int orders = UtrMatcher.MAX_INLINE + 4;
    try (var h = harness()) {
      for (int i = 0; i < orders; i++) {
        send(h, claim("PE-" + i, "O-" + i, "2500", BEGINNING.plusSeconds(i)));
      }
      var backend = h.getOperator().<String>getKeyedStateBackend();
      backend.setCurrentKey(utr);
      ValueState<UtrMatcher.UtrState> value =
          backend.getPartitionedState(
              VoidNamespace.INSTANCE,
              VoidNamespaceSerializer.INSTANCE,
              new ValueStateDescriptor<>("utr", UtrMatcher.UtrState.type()));
      MapState<String, Payment> spilled =
          backend.getPartitionedState(
              VoidNamespace.INSTANCE,
              VoidNamespaceSerializer.INSTANCE,
              new MapStateDescriptor<>("claims", Types.STRING, new AvroTypeInfo<>(Payment.class)));
      UtrMatcher.UtrState state = value.value();
      assertThat(state.claims).as("kept in the value now").hasSize(UtrMatcher.MAX_INLINE);
      for (Map.Entry<String, Payment> claim : spilled.entries()) {
        state.claims.put(claim.getKey(), claim.getValue());
      }
      spilled.clear();
      state.hot = false;
      value.update(state); // the layout the older version wrote

      send(
          h,
          claim("PE-X", "O-X", "2500", BEGINNING.plusSeconds(orders)),
          bill("B-1", utr, "2000", BEGINNING.plusSeconds(30)).build());
      backend.setCurrentKey(utr);
      assertThat(value.value().claims).hasSize(orders);
      assertThat(spilled.keys()).containsExactly("O-X");
      advance(h, MUCH_LATER);

      assertThat(reasons(h))
          .filteredOn("UTR_REUSED"::equals)
          .as("every order after the first")
          .hasSize(orders);
      assertThat(reasons(h)).filteredOn("UNDERPAID"::equals).as("every claim").hasSize(orders + 1);
      assertThat(reasons(h)).hasSize(2 * orders + 1);
      assertThat(alerts(h)).extracting(Alert::getAlertId).doesNotHaveDuplicates();
    }
  }

  @ParameterizedTest(name = "watermark following the claims: {0}, then past the retention: {1}")
  @CsvSource({"false, false", "true, false", "false, true"})
  void aUtrClaimedByAThousandOrdersRaisesEachFindingOnce(
      boolean watermarkFollows, boolean pastRetention) throws Exception {
    try (var h = harness()) {
      // Screenshot reuse at scale: 1,000 orders a second apart claim one UTR; its bank line shows
      // 2,000.00 against 2,500.00 claimed, and arrives after the first 500 claims. The UTR waits
      // for more times than its one timer tracks (Wakeups.MAX_WAITING): the rest get timers of
      // their own, firing between the tracked ones when the watermark follows the claims. A
      // watermark that jumps past the retention (the end of a bounded input) must still take
      // every decision before the UTR is forgotten.
      for (int i = 0; i < 1_000; i++) {
        if (i == 500) {
          send(h, bill("B-1", "412345678901", "2000", BEGINNING.plusSeconds(30)).build());
        }
        send(h, claim("PE-" + i, "O-" + i, "2500", BEGINNING.plusSeconds(i)));
        if (watermarkFollows && i % 7 == 0) {
          advance(h, BEGINNING.plusSeconds(i - 5));
        }
      }
      advance(h, pastRetention ? BEGINNING.plus(Duration.ofDays(31)) : MUCH_LATER);

      assertThat(reasons(h))
          .filteredOn("UTR_REUSED"::equals)
          .as("every order after the first")
          .hasSize(999);
      assertThat(reasons(h)).filteredOn("UNDERPAID"::equals).as("every claim").hasSize(1_000);
      assertThat(reasons(h)).hasSize(1_999);
      assertThat(alerts(h)).extracting(Alert::getAlertId).doesNotHaveDuplicates();
      assertThat(alerts(h))
          .filteredOn(a -> a.getOrderNo().equals("O-999") && a.getReason().equals("UTR_REUSED"))
          .singleElement()
          .satisfies(
              a ->
                  assertThat(a.getEvidence())
                      .extracting(Evidence::getId)
                      .containsExactly("PE-0", "PE-999"));
      if (pastRetention) { // the claims beyond the value's were in the map state
        assertThat(h.numKeyedStateEntries()).isZero();
      }
    }
  }

  @Test
  void anOrdersEarlierMalformedClaimTakesItOutOfTheUtrsClaimsInEitherOrder() throws Exception {
    // Order O-1 first claims with channel UPI and a UTR with letters (malformed for UPI), then with
    // IMPS (well-formed there); order O-2 claims later. O-1's earliest claim speaks for it: one
    // INVALID_FORMAT, and O-2 is the UTR's first well-formed claim, so no UTR_REUSED.
    Payment malformed = lettersClaim("PE-1", "O-1", PaymentStatus.PAID, BEGINNING, "UPI");
    Payment wellFormed =
        lettersClaim("PE-2", "O-1", PaymentStatus.SUCCESS, BEGINNING.plusSeconds(10), "IMPS");
    Payment other =
        lettersClaim("PE-3", "O-2", PaymentStatus.PAID, BEGINNING.plusSeconds(20), "IMPS");
    Bill statement = bill("B-1", LETTERS, "100", BEGINNING.plusSeconds(5)).build();
    for (List<Object> order :
        List.of(
            List.<Object>of(malformed, wellFormed, other, statement),
            List.<Object>of(wellFormed, other, statement, malformed))) {
      try (var h = harness()) {
        send(h, order.toArray());
        advance(h, MUCH_LATER);
        assertThat(reasons(h)).as(order.toString()).containsExactly("INVALID_FORMAT");
      }
    }
  }
}
