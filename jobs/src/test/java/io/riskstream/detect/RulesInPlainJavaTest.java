package io.riskstream.detect;

import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.bill;
import static io.riskstream.testing.TestEvents.ledger;
import static io.riskstream.testing.TestEvents.payment;
import static io.riskstream.testing.TestEvents.rupees;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.EvidenceSource;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.avro.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rules beside the operators, called directly: no Flink, no state, no watermarks. Expected
 * values come from docs/contract.md (Alerts) (W = 30 min, N = 5 payers per 10 min).
 */
class RulesInPlainJavaTest {
  private static final Rules RULES = Rules.defaults();
  private static final Instant DUE = BEGINNING.plus(Duration.ofMinutes(30));

  private static Payment claim(String id, String order, String utr, String amount, Instant at) {
    return payment(id, order, PaymentStatus.PAID, amount, at).setUtr(utr).build();
  }

  @Test
  void utrRulesDecideEachMomentOnOneClaimOrBill() {
    Payment claim = claim("PE-1", "O-1", "412345678901", "2500", BEGINNING);
    Bill atDeadline = bill("B-1", "412345678901", "2500", DUE).build();
    Bill afterDeadline = bill("B-2", "412345678901", "2500", DUE.plusMillis(1)).build();

    assertThat(UtrRules.atClaimDue(claim, List.of(atDeadline), Map.of(), RULES))
        .as("a bill at exactly claim + W is in time")
        .isNull();
    Finding late = UtrRules.atClaimDue(claim, List.of(afterDeadline), Map.of(), RULES);
    assertThat(late.alert().getReason()).isEqualTo("NO_BANK_RECORD");
    assertThat(late.alert().getEventTime()).isEqualTo(DUE);
    assertThat(late.alert().getSeverity()).isEqualTo(Severity.HIGH);

    List<Finding> pair =
        UtrRules.atPair(
            claim, bill("B-3", "412345678901", "2400", BEGINNING.plusSeconds(60)).build(), RULES);
    assertThat(pair).hasSize(1);
    Finding under = pair.get(0);
    assertThat(under.alert().getReason()).isEqualTo("UNDERPAID");
    assertThat(under.alert().getSummary())
        .isEqualTo(
            "Order O-1 claims ₹2,500.00 with UTR 412345678901 but bank statement line B-3 shows"
                + " ₹2,400.00 (underpaid by ₹100.00)");
    assertThat(under.alert().getEvidence())
        .extracting(Evidence::getSource, Evidence::getId)
        .containsExactly(tuple(EvidenceSource.PAYMENT, "PE-1"), tuple(EvidenceSource.BILL, "B-3"));

    Payment reuse = claim("PE-2", "O-2", "412345678901", "2500", BEGINNING.plusSeconds(30));
    assertThat(UtrRules.atClaim(reuse, claim, RULES).alert().getReason()).isEqualTo("UTR_REUSED");
    assertThat(UtrRules.atClaim(claim, claim, RULES)).as("the first claim itself").isNull();
    assertThat(
            UtrRules.atClaim(claim("PE-3", "O-3", "4123", "1", BEGINNING), null, RULES)
                .alert()
                .getReason())
        .isEqualTo("INVALID_FORMAT");
  }

  @Test
  void orderRulesFindWhatIsFinalAtTheWatermark() {
    Payment first = payment("PE-1", "O-1", PaymentStatus.SUCCESS, "2500", BEGINNING).build();
    Payment second =
        payment("PE-2", "O-1", PaymentStatus.SUCCESS, "2500", BEGINNING.plusSeconds(60))
            .setUtr("412345678999")
            .build();
    BalanceChange credit =
        ledger("L-1", "WA-1", 323, "2500", "0", BEGINNING.plusSeconds(5)).setOrderNo("O-1").build();
    BalanceChange again =
        ledger("L-2", "WA-1", 323, "2500", "2500", BEGINNING.plusSeconds(6))
            .setOrderNo("O-1")
            .build();

    OrderMatcher.OrderState order = new OrderMatcher.OrderState();
    order.firstPayment(first);
    order.firstSuccess(first);
    order.success(first.getUtr(), first);
    order.success(second.getUtr(), second);
    order.lines.put("L-1", credit);
    List<Finding> beforeSecond =
        OrderRules.evaluate("O-1", order, BEGINNING.plusSeconds(59).toEpochMilli(), RULES);
    order.lines.put("L-2", again);
    List<Finding> after =
        OrderRules.evaluate("O-1", order, BEGINNING.plusSeconds(60).toEpochMilli(), RULES);

    assertThat(beforeSecond).as("the second confirmation is not final yet").isEmpty();
    assertThat(after)
        .extracting(f -> f.alert().getReason(), f -> f.alert().getOrderNo())
        .containsExactlyInAnyOrder(
            tuple("ORDER_PAID_TWICE", "O-1"), tuple("LEDGER_DOUBLE_CREDIT", "O-1"));
  }

  @Test
  void balanceRulesCheckOneLineAgainstThePreviousOne() {
    BalanceChange previous = ledger("L-1", "WA-1", 321, "100", "0", BEGINNING).build();
    BalanceChange chained = ledger("L-2", "WA-1", 322, "-40", "100", BEGINNING).build();
    BalanceChange gap = ledger("L-3", "WA-1", 322, "-40", "90", BEGINNING).build();
    BalanceChange wrongSum =
        ledger("L-4", "WA-1", 322, "-40", "100", BEGINNING).setClosingBalance(rupees("70")).build();

    assertThat(BalanceRules.check(previous, chained, RULES)).isEmpty();
    assertThat(BalanceRules.check(null, gap, RULES)).as("nothing to chain on").isEmpty();
    List<Alert> broken = BalanceRules.check(previous, gap, RULES);
    assertThat(broken).extracting(Alert::getReason).containsExactly("CHAIN_BREAK");
    assertThat(broken.get(0).getSummary()).contains("₹90.00").contains("₹100.00");
    assertThat(BalanceRules.check(previous, wrongSum, RULES))
        .extracting(Alert::getReason, Alert::getSeverity)
        .containsExactly(tuple("ARITHMETIC", Severity.CRITICAL));
  }

  @Test
  void theIpWindowKeepsTheNMostRecentPayersAndForgetsTheOnesOutOfIt() {
    Map<String, Evidence> payers = new LinkedHashMap<>();
    for (int i = 1; i <= 7; i++) {
      payers.put(
          "U-" + i, new Evidence(EvidenceSource.PAYMENT, "PE-" + i, BEGINNING.plusSeconds(i)));
    }

    IpBurstRules.keepMostRecent(payers, 5);
    assertThat(payers).containsOnlyKeys("U-3", "U-4", "U-5", "U-6", "U-7");

    // The window is (t - window, t]: a payment exactly at the cutoff has left it.
    boolean changed = IpBurstRules.evictBefore(payers, BEGINNING.plusSeconds(4).toEpochMilli());
    assertThat(changed).isTrue();
    assertThat(payers).containsOnlyKeys("U-5", "U-6", "U-7");
    assertThat(IpBurstRules.evictBefore(payers, BEGINNING.toEpochMilli())).isFalse();

    Payment byAccount =
        payment("PE-9", "O-9", PaymentStatus.CREATED, "1", BEGINNING).setUserId(null).build();
    assertThat(IpBurstRules.payer(byAccount)).as("no user: the account").isEqualTo("WA-CW-1");
  }
}
