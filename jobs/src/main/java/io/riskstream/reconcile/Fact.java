package io.riskstream.reconcile;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.BillDirection;
import io.riskstream.avro.DeductStatus;
import io.riskstream.avro.LedgerState;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentKind;
import io.riskstream.avro.PaymentStatus;
import java.math.BigDecimal;

/**
 * One record as the daily reconciliation counts it (a Flink POJO): what it is, the id that makes a
 * redelivery count once, when, for which merchant and worker ("" when the record names none), and
 * its amount. Only the versions the reconciliation counts become facts: SUCCESS and REFUNDED
 * payments, DEDUCTED bank lines, SUCCESS ledger lines, and every alert.
 */
public class Fact {
  public enum Kind {
    COLLECTION,
    PAYOUT,
    REFUND,
    BANK_CREDIT,
    BANK_DEBIT,
    LEDGER,
    ALERT
  }

  public Kind kind;
  public String id;
  public long eventTime;
  public String merchantId;
  public String cwid;
  public BigDecimal amount;
  public BigDecimal fee;

  /** A ledger line's type code; unused otherwise. */
  public int typeCode;

  /** An alert's type and reason; null otherwise. */
  public String alertType;

  public String alertReason;

  public Fact() {}

  private Fact(
      Kind kind, String id, long eventTime, String merchantId, String cwid, BigDecimal amount) {
    this.kind = kind;
    this.id = id;
    this.eventTime = eventTime;
    this.merchantId = merchantId == null ? "" : merchantId;
    this.cwid = cwid == null ? "" : cwid;
    this.amount = amount == null ? BigDecimal.ZERO.setScale(2) : amount;
  }

  /** The key of the row it counts in: merchant and worker. */
  public String rowKey() {
    return merchantId + "|" + cwid;
  }

  /** A SUCCESS payment (a collection or payout) or a REFUNDED one; null for the others. */
  public static Fact of(Payment p) {
    Kind kind;
    if (p.getStatus() == PaymentStatus.SUCCESS) {
      kind = p.getKind() == PaymentKind.COLLECT ? Kind.COLLECTION : Kind.PAYOUT;
    } else if (p.getStatus() == PaymentStatus.REFUNDED) {
      kind = Kind.REFUND;
    } else {
      return null;
    }
    return new Fact(
        kind,
        p.getEventId(),
        p.getEventTime().toEpochMilli(),
        p.getMerchantId(),
        p.getCwid(),
        p.getAmount());
  }

  /** A bank line's DEDUCTED version; null for a PENDING one. */
  public static Fact of(Bill b) {
    if (b.getDeductStatus() != DeductStatus.DEDUCTED) {
      return null;
    }
    Kind kind = b.getDirection() == BillDirection.CREDIT ? Kind.BANK_CREDIT : Kind.BANK_DEBIT;
    return new Fact(
        kind, b.getBillId(), b.getEventTime().toEpochMilli(), null, b.getCwid(), b.getAmount());
  }

  /** A ledger line's SUCCESS version; null for the others. */
  public static Fact of(BalanceChange line) {
    if (line.getState() != LedgerState.SUCCESS) {
      return null;
    }
    Fact fact =
        new Fact(
            Kind.LEDGER,
            line.getLogId(),
            line.getEventTime().toEpochMilli(),
            null,
            null,
            line.getAmount());
    fact.typeCode = line.getTypeCode();
    fact.fee = line.getFee();
    return fact;
  }

  public static Fact of(Alert a) {
    Fact fact =
        new Fact(
            Kind.ALERT,
            a.getAlertId(),
            a.getEventTime().toEpochMilli(),
            a.getMerchantId(),
            a.getCwid(),
            a.getAmount());
    fact.alertType = a.getType().name();
    fact.alertReason = a.getReason();
    return fact;
  }
}
