package io.riskstream.testing;

import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.BillDirection;
import io.riskstream.avro.DeductStatus;
import io.riskstream.avro.LedgerState;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentKind;
import io.riskstream.avro.PaymentStatus;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

/** Named instants and event factories shared by every test: one place, no copies per test class. */
public final class TestEvents {
  private TestEvents() {}

  public static final Instant BEGINNING = Instant.parse("2026-11-21T10:00:00Z");
  public static final Instant ONE_MINUTE_LATER = BEGINNING.plus(Duration.ofMinutes(1));
  public static final Instant TWO_MINUTES_LATER = BEGINNING.plus(Duration.ofMinutes(2));

  public static BigDecimal rupees(String amount) {
    return new BigDecimal(amount).setScale(2);
  }

  /**
   * A COLLECT payment of order {@code order} by user U-1 from 49.36.0.1; change what a test needs.
   */
  public static Payment.Builder payment(
      String eventId, String order, PaymentStatus status, String amount, Instant at) {
    return Payment.newBuilder()
        .setEventId(eventId)
        .setOrderNo(order)
        .setMerchantId("M-1")
        .setCwid("CW-1")
        .setUserId("U-1")
        .setAccountId("WA-CW-1")
        .setKind(PaymentKind.COLLECT)
        .setStatus(status)
        .setAmount(rupees(amount))
        .setUtr(status == PaymentStatus.CREATED ? null : "412345678901")
        .setChannel("UPI")
        .setPayerVpa("user1@okhdfc")
        .setIp("49.36.0.1")
        .setEventTime(at);
  }

  /** A DEDUCTED CREDIT bill of worker CW-1. */
  public static Bill.Builder bill(String billId, String utr, String amount, Instant at) {
    return Bill.newBuilder()
        .setBillId(billId)
        .setUtr(utr)
        .setCwid("CW-1")
        .setDirection(BillDirection.CREDIT)
        .setAmount(rupees(amount))
        .setCurrency("INR")
        .setDeductStatus(DeductStatus.DEDUCTED)
        .setPickedUp(true)
        .setEventTime(at);
  }

  /** A SUCCESS ledger line with chained balances from {@code opening}. */
  public static BalanceChange.Builder ledger(
      String logId, String account, int type, String amount, String opening, Instant at) {
    BigDecimal open = rupees(opening);
    return BalanceChange.newBuilder()
        .setLogId(logId)
        .setAccountId(account)
        .setTypeCode(type)
        .setAmount(rupees(amount))
        .setOpeningBalance(open)
        .setClosingBalance(open.add(rupees(amount)))
        .setState(LedgerState.SUCCESS)
        .setEventTime(at);
  }
}
