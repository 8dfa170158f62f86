package io.riskstream.detect;

import io.riskstream.Uids;
import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.LedgerState;
import io.riskstream.avro.Payment;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;

/**
 * The detection graph as a pure function of its input streams (with event-time timestamps and
 * watermarks already assigned): production passes Kafka sources, tests and backtests pass bounded
 * streams. No I/O here.
 *
 * <pre>
 * claims (PAID/SUCCESS with a UTR) ─keyBy(utr)──┐
 * bills ──────────────────────────keyBy(utr)────┴▶ UtrMatcher          FORGED_UTR, AMOUNT_MISMATCH, UTR_REUSED,
 *                                                                       BILL_WITHOUT_ORDER
 * payments ───────────────────────keyBy(order)──┐
 * SUCCESS ledger lines with order ─keyBy(order)─┴▶ OrderMatcher        ORDER_PAID_TWICE, LEDGER_DOUBLE_CREDIT,
 *                                                                       LEDGER_WITHOUT_ORDER, PAYMENT_OVER_LIMIT
 * SUCCESS ledger lines ───────────keyBy(account)─▶ BalanceChainChecker ARITHMETIC, CHAIN_BREAK, LEDGER_OVER_LIMIT
 * payments with IP and payer ─────keyBy(ip)──────▶ IpBurstDetector     IP_BURST
 * ledger lines, every version ────keyBy(log_id)──▶ LedgerPendingDetector LEDGER_PENDING
 * </pre>
 *
 * <p>UtrMatcher also raises COUNTERPARTY_MISMATCH and BILL_PENDING; OrderMatcher STATUS_MISMATCH,
 * BANK_PENDING and FAST_REFUND.
 *
 * <p>BalanceChainChecker, IpBurstDetector and LedgerPendingDetector put events behind what they
 * have already put in order on the side output {@link LateEvent#TAG}; the other two use late events
 * wherever a decision is still open.
 */
public final class DetectionWorkflow {
  private DetectionWorkflow() {}

  /** What detection produces: alerts, and the events a rule could no longer place. */
  public record Outputs(DataStream<Alert> alerts, DataStream<LateEvent> lateEvents) {}

  /**
   * The five keyed operators of the graph. Production's are the rules' detectors; the benchmark
   * passes no-op ones to measure what the graph costs without them (bench/README.md, "Skeleton").
   */
  public record Detectors(
      KeyedCoProcessFunction<String, Payment, Bill, Alert> byUtr,
      KeyedCoProcessFunction<String, Payment, BalanceChange, Alert> byOrder,
      KeyedProcessFunction<String, BalanceChange, Alert> byAccount,
      KeyedProcessFunction<String, Payment, Alert> byIp,
      KeyedProcessFunction<String, BalanceChange, Alert> byLogId) {
    public static Detectors of(Rules rules) {
      return new Detectors(
          new UtrMatcher(rules),
          new OrderMatcher(rules),
          new BalanceChainChecker(rules),
          new IpBurstDetector(rules),
          new LedgerPendingDetector(rules));
    }
  }

  public static Outputs define(
      DataStream<Payment> payments,
      DataStream<Bill> bills,
      DataStream<BalanceChange> balanceChanges,
      Rules rules) {
    return define(payments, bills, balanceChanges, Detectors.of(rules));
  }

  public static Outputs define(
      DataStream<Payment> payments,
      DataStream<Bill> bills,
      DataStream<BalanceChange> balanceChanges,
      Detectors detectors) {
    return define(payments, bills, balanceChanges, detectors, "");
  }

  /**
   * The graph with {@code variant} appended to every uid and name: two graphs over the same inputs
   * in one job ({@code backtest --compare} runs two rule sets in one pass).
   */
  public static Outputs define(
      DataStream<Payment> payments,
      DataStream<Bill> bills,
      DataStream<BalanceChange> balanceChanges,
      Detectors detectors,
      String variant) {
    AvroTypeInfo<Alert> alertType = new AvroTypeInfo<>(Alert.class);

    DataStream<Payment> claims =
        payments
            .filter(UtrRules::isClaim)
            .uid(Uids.CLAIMS + variant)
            .name("claims" + variant)
            .setDescription("payments PAID or SUCCESS that claim a UTR");
    DataStream<Alert> byUtr =
        claims
            .keyBy(Payment::getUtr)
            .connect(bills.keyBy(Bill::getUtr))
            .process(detectors.byUtr(), alertType)
            .uid(Uids.UTR_MATCHER + variant)
            .name(name(detectors.byUtr(), "UTR") + variant);

    DataStream<BalanceChange> successfulLines =
        balanceChanges
            .filter(c -> c.getState() == LedgerState.SUCCESS)
            .uid(Uids.SUCCESSFUL_LEDGER_LINES + variant)
            .name("SUCCESS" + variant)
            .setDescription("ledger lines in state SUCCESS");
    DataStream<Alert> byOrder =
        payments
            .keyBy(Payment::getOrderNo)
            .connect(
                successfulLines
                    .filter(c -> c.getOrderNo() != null && !c.getOrderNo().isEmpty())
                    .uid(Uids.LEDGER_LINES_WITH_ORDER + variant)
                    .name("with order" + variant)
                    .setDescription("SUCCESS ledger lines that name an order")
                    .keyBy(BalanceChange::getOrderNo))
            .process(detectors.byOrder(), alertType)
            .uid(Uids.ORDER_MATCHER + variant)
            .name(name(detectors.byOrder(), "order") + variant);

    SingleOutputStreamOperator<Alert> byAccount =
        successfulLines
            .keyBy(BalanceChange::getAccountId)
            .process(detectors.byAccount(), alertType)
            .uid(Uids.BALANCE_CHAIN_CHECKER + variant)
            .name(name(detectors.byAccount(), "account") + variant);

    SingleOutputStreamOperator<Alert> byIp =
        payments
            .filter(IpBurstRules::counts)
            .uid(Uids.PAYMENTS_WITH_IP + variant)
            .name("with IP" + variant)
            .setDescription("payments with an IP and a payer: what an IP burst counts")
            .keyBy(Payment::getIp)
            .process(detectors.byIp(), alertType)
            .uid(Uids.IP_BURST_DETECTOR + variant)
            .name(name(detectors.byIp(), "IP") + variant);

    SingleOutputStreamOperator<Alert> byLogId =
        balanceChanges
            .keyBy(BalanceChange::getLogId)
            .process(detectors.byLogId(), alertType)
            .uid(Uids.LEDGER_PENDING_DETECTOR + variant)
            .name(name(detectors.byLogId(), "log_id") + variant);

    return new Outputs(
        byUtr.union(byOrder, byAccount, byIp, byLogId),
        byAccount
            .getSideOutput(LateEvent.TAG)
            .union(byIp.getSideOutput(LateEvent.TAG), byLogId.getSideOutput(LateEvent.TAG)));
  }

  /** "UtrMatcher (by UTR)": the operator's name in the web UI, logs and metrics. */
  private static String name(Object detector, String key) {
    return detector.getClass().getSimpleName() + " (by " + key + ")";
  }
}
