package io.riskstream.kafka;

import static io.riskstream.testing.RuleUpdates.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.RuleMode;
import io.riskstream.avro.RuleUpdate;
import io.riskstream.detect.RuleBook;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** Refused rule updates go to the dead-letter topic as written, with the reason (docs/rules.md). */
class RuleUpdateCheckTest {
  private static final Instant T = Instant.parse("2026-12-02T00:00:00Z");
  private static final String REFUSED = "rule update refused, the rules in force stay: ";

  private long offset;

  /** The update as read from offset n of risk-rules (its bytes stand in for the wire format). */
  private RuleRecord read(RuleUpdate u) {
    DeadLetter raw =
        new DeadLetter(
            "risk-rules",
            0,
            offset++,
            T.toEpochMilli(),
            u.getRuleId().getBytes(StandardCharsets.UTF_8),
            ("v" + u.getVersion()).getBytes(StandardCharsets.UTF_8),
            null);
    RuleRecord r = new RuleRecord();
    r.raw = raw;
    r.update = u;
    return r;
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, RuleRecord, RuleUpdate> check(
      boolean shadowDetectors) throws Exception {
    return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
        new RuleUpdateCheck(RuleBook.defaults(), shadowDetectors),
        RuleUpdateCheck::key,
        Types.STRING);
  }

  @Test
  void refusedUpdatesAreDeadLetteredWithTheReasonAndTheValidOnesPass() throws Exception {
    var h = check(false);
    RuleUpdate v2 = update("large-amount", 2, RuleMode.ACTIVE, "limit: 75000.00\n", T);
    List<RuleUpdate> sent =
        List.of(
            update("large-amount", 1, RuleMode.ACTIVE, "limit: 75000.00\n", T),
            v2,
            update("large-amount", 2, RuleMode.ACTIVE, "limit: 50000.00\n", T),
            update("large-amount", 3, RuleMode.ACTIVE, "limit: -5\n", T),
            update("nope", 2, RuleMode.ACTIVE, "{}", T),
            update("ip-burst", 2, RuleMode.SHADOW, "distinct-payers: 3\n", T));
    for (RuleUpdate u : sent) {
      h.processElement(read(u), 0);
    }

    assertThat(h.extractOutputValues()).containsExactly(v2);
    assertThat(h.getSideOutput(DeadLetterSplitter.DEAD_LETTERS))
        .extracting(StreamRecord::getValue)
        .extracting(
            d -> d.sourceOffset + " " + new String(d.value, StandardCharsets.UTF_8), d -> d.error)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "0 v1", REFUSED + "large-amount version 1 is not above its last version, 1"),
            org.assertj.core.groups.Tuple.tuple(
                "2 v2", REFUSED + "large-amount version 2 is not above its last version, 2"),
            org.assertj.core.groups.Tuple.tuple(
                "3 v3",
                REFUSED
                    + "rule update large-amount v3: invalid 'rules.large-amount.limit': expected a"
                    + " positive amount such as 100000.00"),
            org.assertj.core.groups.Tuple.tuple(
                "4 v2",
                REFUSED
                    + "unknown rule 'nope'; known: amount-mismatch, balance-mismatch,"
                    + " counterparty-mismatch, duplicate-payment, forged-utr, ip-burst,"
                    + " large-amount, missing-order, pending-too-long, status-mismatch,"
                    + " suspicious-refund, utr-typo"),
            org.assertj.core.groups.Tuple.tuple(
                "5 v2",
                REFUSED
                    + "a SHADOW version needs the shadow detectors: set rules.shadow: true in the"
                    + " detect job's configuration"));
  }

  @Test
  void theVersionsReadAtStartAreTheOnesTheCheckAccepts() {
    RuleUpdate v2 = update("large-amount", 2, RuleMode.ACTIVE, "limit: 75000.00\n", T);
    RuleUpdate shadow = update("ip-burst", 2, RuleMode.SHADOW, "distinct-payers: 3\n", T);
    List<RuleUpdate> history =
        List.of(
            v2,
            update("large-amount", 2, RuleMode.ACTIVE, "limit: 50000.00\n", T),
            update("large-amount", 3, RuleMode.ACTIVE, "limit: -5\n", T),
            shadow);

    RuleBook withShadow = RuleUpdateCheck.accepted(RuleBook.defaults(), history, true);
    RuleBook without = RuleUpdateCheck.accepted(RuleBook.defaults(), history, false);

    long at = T.toEpochMilli();
    assertThat(withShadow.view().at(at).largeAmount(null).limit()).isEqualByComparingTo("75000.00");
    assertThat(withShadow.isShadowVersion("ip-burst", 2)).isTrue();
    assertThat(without.isShadowVersion("ip-burst", 2)).isFalse();
    assertThat(without.view().at(at).largeAmount(null).rule().version()).isEqualTo(2);
  }
}
