package io.riskstream.kafka;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.DailySummary;
import io.riskstream.avro.Payment;
import io.riskstream.avro.RuleUpdate;
import java.io.Serializable;
import java.math.BigDecimal;

/**
 * The rules of docs/contract.md (topics and wire format) that a schema cannot express (ids present,
 * amounts positive). A record that breaks one is bad input and goes to the dead-letter topic with
 * the returned reason.
 */
@FunctionalInterface
public interface RecordCheck<T> extends Serializable {
  /** Why {@code record} breaks the contract, or null when it does not. */
  String violation(T record);

  RecordCheck<Payment> PAYMENT =
      p ->
          firstOf(
              blank("event_id", p.getEventId()),
              blank("order_no", p.getOrderNo()),
              blank("merchant_id", p.getMerchantId()),
              positive("amount", p.getAmount()));

  RecordCheck<Bill> BILL =
      b ->
          firstOf(
              blank("bill_id", b.getBillId()),
              blank("utr", b.getUtr()),
              blank("cwid", b.getCwid()),
              positive("amount", b.getAmount()));

  RecordCheck<BalanceChange> BALANCE_CHANGE =
      c -> firstOf(blank("log_id", c.getLogId()), blank("account_id", c.getAccountId()));

  RecordCheck<Alert> ALERT =
      a -> firstOf(blank("alert_id", a.getAlertId()), blank("reason", a.getReason()));

  RecordCheck<AlertUpdate> ALERT_UPDATE =
      u -> firstOf(blank("alert_id", u.getAlertId()), blank("reason", u.getReason()));

  RecordCheck<DailySummary> DAILY_SUMMARY = d -> blank("summary", d.getSummary());

  RecordCheck<RuleUpdate> RULE_UPDATE =
      r -> firstOf(blank("rule_id", r.getRuleId()), blank("author", r.getAuthor()));

  /** This check, then {@code next} when this one passes. */
  default RecordCheck<T> and(RecordCheck<T> next) {
    return record -> {
      String violation = violation(record);
      return violation != null ? violation : next.violation(record);
    };
  }

  /** The contract's check of a record of {@code type}. */
  @SuppressWarnings("unchecked")
  static <T> RecordCheck<T> of(Class<T> type) {
    if (type == Payment.class) {
      return (RecordCheck<T>) PAYMENT;
    }
    if (type == Bill.class) {
      return (RecordCheck<T>) BILL;
    }
    if (type == BalanceChange.class) {
      return (RecordCheck<T>) BALANCE_CHANGE;
    }
    if (type == Alert.class) {
      return (RecordCheck<T>) ALERT;
    }
    throw new IllegalArgumentException("no record check for " + type);
  }

  private static String blank(String field, String value) {
    return value == null || value.isBlank() ? "missing " + field : null;
  }

  private static String positive(String field, BigDecimal value) {
    return value.signum() > 0 ? null : field + " must be > 0, was " + value.toPlainString();
  }

  private static String firstOf(String... violations) {
    for (String v : violations) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }
}
