package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.Payment;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The detection graph as a pure function of its input streams (with event-time timestamps and
 * watermarks already assigned): production passes Kafka sources, tests pass collections. No I/O
 * here.
 *
 * <pre>
 * payments ─keyBy(order_no)─▶ LargeAmountDetector (PAYMENT_OVER_LIMIT, once per order) ─┐
 * ledger   ─keyBy(log_id)───▶ LargeAmountDetector (LEDGER_OVER_LIMIT, once per line)  ─┴─▶ alerts
 * </pre>
 */
public final class DetectionWorkflow {
  private DetectionWorkflow() {}

  public static DataStream<Alert> define(
      DataStream<Payment> payments,
      DataStream<Bill> bills,
      DataStream<BalanceChange> balanceChanges,
      Rules rules) {
    AvroTypeInfo<Alert> alertType = new AvroTypeInfo<>(Alert.class);

    DataStream<Alert> largePayments =
        payments
            .keyBy(Payment::getOrderNo)
            .process(
                new LargeAmountDetector<Payment>(
                    rules, LargeAmountRule::check, rules.orderRetention()),
                alertType)
            .uid(Uids.LARGE_PAYMENTS)
            .name("LARGE_AMOUNT payments (per order)");

    DataStream<Alert> largeLedgerLines =
        balanceChanges
            .keyBy(BalanceChange::getLogId)
            .process(
                new LargeAmountDetector<BalanceChange>(
                    rules, LargeAmountRule::check, rules.orderRetention()),
                alertType)
            .uid(Uids.LARGE_LEDGER_LINES)
            .name("LARGE_AMOUNT ledger lines (per line)");

    return largePayments.union(largeLedgerLines);
  }
}
