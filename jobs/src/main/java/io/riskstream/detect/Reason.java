package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertType;
import io.riskstream.avro.Severity;
import java.util.function.Function;

/**
 * Every reason of docs/contract.md (Alerts), with what belongs to it: the alert type it is a reason
 * of, the rule whose settings decide it, its severity unless the rules file says otherwise, and the
 * key an alert of it is about (what a label of generated traffic names). An alert's {@code reason}
 * field is the enum's name.
 */
public enum Reason {
  INVALID_FORMAT(AlertType.FORGED_UTR, Rules.FORGED_UTR, Severity.HIGH, Alert::getUtr),
  NO_BANK_RECORD(AlertType.FORGED_UTR, Rules.FORGED_UTR, Severity.HIGH, Alert::getUtr),
  UNDERPAID(AlertType.AMOUNT_MISMATCH, Rules.AMOUNT_MISMATCH, Severity.HIGH, Alert::getUtr),
  OVERPAID(AlertType.AMOUNT_MISMATCH, Rules.AMOUNT_MISMATCH, Severity.MEDIUM, Alert::getUtr),
  UTR_REUSED(
      AlertType.DUPLICATE_PAYMENT, Rules.DUPLICATE_PAYMENT, Severity.CRITICAL, Alert::getUtr),
  ORDER_PAID_TWICE(
      AlertType.DUPLICATE_PAYMENT, Rules.DUPLICATE_PAYMENT, Severity.HIGH, Alert::getOrderNo),
  LEDGER_DOUBLE_CREDIT(
      AlertType.DUPLICATE_PAYMENT, Rules.DUPLICATE_PAYMENT, Severity.CRITICAL, Alert::getOrderNo),
  BILL_WITHOUT_ORDER(AlertType.MISSING_ORDER, Rules.MISSING_ORDER, Severity.HIGH, Alert::getUtr),
  LEDGER_WITHOUT_ORDER(
      AlertType.MISSING_ORDER, Rules.MISSING_ORDER, Severity.HIGH, Alert::getOrderNo),
  /** Severity by how far over the limit (MEDIUM, 5× HIGH, 10× CRITICAL): the base is MEDIUM. */
  PAYMENT_OVER_LIMIT(
      AlertType.LARGE_AMOUNT, Rules.LARGE_AMOUNT, Severity.MEDIUM, Alert::getOrderNo),
  LEDGER_OVER_LIMIT(
      AlertType.LARGE_AMOUNT, Rules.LARGE_AMOUNT, Severity.MEDIUM, Alert::getAccountId),
  DISTINCT_ACCOUNTS(AlertType.IP_BURST, Rules.IP_BURST, Severity.MEDIUM, Alert::getIp),
  ARITHMETIC(
      AlertType.BALANCE_MISMATCH, Rules.BALANCE_MISMATCH, Severity.CRITICAL, Alert::getAccountId),
  CHAIN_BREAK(
      AlertType.BALANCE_MISMATCH, Rules.BALANCE_MISMATCH, Severity.HIGH, Alert::getAccountId),
  SUCCESS_WITHOUT_LEDGER(
      AlertType.STATUS_MISMATCH, Rules.STATUS_MISMATCH, Severity.HIGH, Alert::getOrderNo),
  /** Money credited for an order that did not succeed: money out of the wallet. */
  LEDGER_WITHOUT_SUCCESS(
      AlertType.STATUS_MISMATCH, Rules.STATUS_MISMATCH, Severity.CRITICAL, Alert::getOrderNo),
  REFUND_WITHOUT_LEDGER(
      AlertType.STATUS_MISMATCH, Rules.STATUS_MISMATCH, Severity.MEDIUM, Alert::getOrderNo),
  BANK_PENDING(
      AlertType.PENDING_TOO_LONG, Rules.PENDING_TOO_LONG, Severity.MEDIUM, Alert::getOrderNo),
  BILL_PENDING(AlertType.PENDING_TOO_LONG, Rules.PENDING_TOO_LONG, Severity.LOW, Alert::getUtr),
  LEDGER_PENDING(
      AlertType.PENDING_TOO_LONG, Rules.PENDING_TOO_LONG, Severity.MEDIUM, Alert::getAccountId),
  OTHER_WORKER(
      AlertType.COUNTERPARTY_MISMATCH, Rules.COUNTERPARTY_MISMATCH, Severity.HIGH, Alert::getUtr),
  OTHER_VPA(
      AlertType.COUNTERPARTY_MISMATCH, Rules.COUNTERPARTY_MISMATCH, Severity.MEDIUM, Alert::getUtr),
  FAST_REFUND(
      AlertType.SUSPICIOUS_REFUND, Rules.SUSPICIOUS_REFUND, Severity.HIGH, Alert::getOrderNo),
  /** A NO_BANK_RECORD and a BILL_WITHOUT_ORDER that are one payment with a mistyped UTR. */
  LIKELY_TYPO(AlertType.UTR_TYPO, Rules.UTR_TYPO, Severity.HIGH, Alert::getUtr);

  private final AlertType type;
  private final String ruleId;
  private final Severity defaultSeverity;
  private final Function<Alert, String> about;

  Reason(AlertType type, String ruleId, Severity defaultSeverity, Function<Alert, String> about) {
    this.type = type;
    this.ruleId = ruleId;
    this.defaultSeverity = defaultSeverity;
    this.about = about;
  }

  public AlertType type() {
    return type;
  }

  /** The id of the rule (in the rules file) that decides this reason. */
  public String ruleId() {
    return ruleId;
  }

  public Severity defaultSeverity() {
    return defaultSeverity;
  }

  /** The key an alert of this reason is about: its UTR, order number, account or IP. */
  public String keyOf(Alert alert) {
    return about.apply(alert);
  }

  /** The reason of an alert. */
  public static Reason of(Alert alert) {
    return valueOf(alert.getReason());
  }
}
