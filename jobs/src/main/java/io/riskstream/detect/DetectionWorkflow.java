package io.riskstream.detect;

import io.riskstream.Uids;
import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.LedgerState;
import io.riskstream.avro.Payment;
import io.riskstream.avro.RuleUpdate;
import io.riskstream.config.RiskstreamConfig;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.types.Either;

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
 * UtrMatcher's NO_BANK_RECORD and BILL_WITHOUT_ORDER ─keyBy(cwid)─▶ UtrTypoPairer UTR_TYPO
 * </pre>
 *
 * <p>Every detector also reads the rule versions of {@code risk-rules}, broadcast to all of them
 * ({@link WithRuleUpdates}), and decides each event with the version in force at its event time.
 * The two-input ones take their inputs as one stream of {@code Either}.
 *
 * <p>UtrMatcher also raises COUNTERPARTY_MISMATCH and BILL_PENDING; OrderMatcher STATUS_MISMATCH,
 * BANK_PENDING and FAST_REFUND.
 *
 * <p>UtrMatcher, OrderMatcher and LedgerPendingDetector retract or resolve their absence alerts
 * when the missing evidence arrives after the decision ({@link AlertUpdates}).
 *
 * <p>BalanceChainChecker, IpBurstDetector and LedgerPendingDetector put events behind what they
 * have already put in order on the side output {@link LateEvent#TAG}; the other two use late events
 * wherever a decision is still open.
 */
public final class DetectionWorkflow {
  private DetectionWorkflow() {}

  /**
   * What detection produces: alerts, the updates late evidence makes to them ({@link
   * AlertUpdates}), and the events a rule could no longer place.
   */
  public record Outputs(
      DataStream<Alert> alerts,
      DataStream<AlertUpdate> updates,
      DataStream<LateEvent> lateEvents) {}

  /**
   * The five keyed operators of the graph. Production's are the rules' detectors; the benchmark
   * passes no-op ones to measure what the graph costs without them (bench/README.md, "Skeleton").
   */
  public record Detectors(
      KeyedCoProcessFunction<String, Payment, Bill, Alert> byUtr,
      KeyedCoProcessFunction<String, Payment, BalanceChange, Alert> byOrder,
      KeyedProcessFunction<String, BalanceChange, Alert> byAccount,
      KeyedProcessFunction<String, Payment, Alert> byIp,
      KeyedProcessFunction<String, BalanceChange, Alert> byLogId,
      KeyedProcessFunction<String, TypoCandidate, Alert> byWorker) {
    /** The rules' detectors, deciding with {@code book}'s view. */
    public static Detectors of(RuleBook book) {
      RulesInForce rules = book.view();
      return new Detectors(
          new UtrMatcher(rules),
          new OrderMatcher(rules),
          new BalanceChainChecker(rules),
          new IpBurstDetector(rules),
          new LedgerPendingDetector(rules),
          new UtrTypoPairer(rules));
    }
  }

  /** The rules: what the job starts with, and the versions published since, as they arrive. */
  public record RuleFeed(DataStream<RuleUpdate> updates, RuleBook book) {}

  /** The graph with the rules' detectors. */
  public static Outputs define(
      DataStream<Payment> payments,
      DataStream<Bill> bills,
      DataStream<BalanceChange> balanceChanges,
      RuleFeed rules,
      String variant) {
    return define(payments, bills, balanceChanges, rules, Detectors.of(rules.book()), variant);
  }

  /**
   * The graph with {@code variant} appended to every uid and name: two graphs over the same inputs
   * in one job (the shadow detectors beside the live ones; {@code backtest --compare}'s two rule
   * sets in one pass).
   */
  public static Outputs define(
      DataStream<Payment> payments,
      DataStream<Bill> bills,
      DataStream<BalanceChange> balanceChanges,
      RuleFeed rules,
      Detectors detectors,
      String variant) {
    AvroTypeInfo<Payment> paymentType = new AvroTypeInfo<>(Payment.class);
    RuleBook book = rules.book();
    Keyed keyed =
        new Keyed(
            rules.updates().broadcast(),
            payments.getExecutionEnvironment().getConfiguration(),
            variant);

    DataStream<Payment> claims =
        payments
            .filter(UtrRules::isClaim)
            .uid(Uids.CLAIMS + variant)
            .name("claims" + variant)
            .setDescription("payments PAID or SUCCESS that claim a UTR");
    SingleOutputStreamOperator<Alert> byUtr =
        keyed.detect(
            either(
                    claims,
                    bills,
                    new EitherTypeInfo<>(paymentType, new AvroTypeInfo<>(Bill.class)),
                    Uids.UTR_INPUTS + variant)
                .keyBy(e -> e.isLeft() ? e.left().getUtr() : e.right().getUtr(), Types.STRING),
            WithRuleUpdates.of(detectors.byUtr(), book),
            "UTR",
            Uids.UTR_MATCHER);

    DataStream<BalanceChange> successfulLines =
        balanceChanges
            .filter(c -> c.getState() == LedgerState.SUCCESS)
            .uid(Uids.SUCCESSFUL_LEDGER_LINES + variant)
            .name("SUCCESS" + variant)
            .setDescription("ledger lines in state SUCCESS");
    SingleOutputStreamOperator<Alert> byOrder =
        keyed.detect(
            either(
                    payments,
                    successfulLines
                        .filter(c -> c.getOrderNo() != null && !c.getOrderNo().isEmpty())
                        .uid(Uids.LEDGER_LINES_WITH_ORDER + variant)
                        .name("with order" + variant)
                        .setDescription("SUCCESS ledger lines that name an order"),
                    new EitherTypeInfo<>(paymentType, new AvroTypeInfo<>(BalanceChange.class)),
                    Uids.ORDER_INPUTS + variant)
                .keyBy(
                    e -> e.isLeft() ? e.left().getOrderNo() : e.right().getOrderNo(), Types.STRING),
            WithRuleUpdates.of(detectors.byOrder(), book),
            "order",
            Uids.ORDER_MATCHER);

    SingleOutputStreamOperator<Alert> byAccount =
        keyed.detect(
            successfulLines.keyBy(BalanceChange::getAccountId),
            WithRuleUpdates.of(detectors.byAccount(), book),
            "account",
            Uids.BALANCE_CHAIN_CHECKER);

    SingleOutputStreamOperator<Alert> byIp =
        keyed.detect(
            payments
                .filter(IpBurstRules::counts)
                .uid(Uids.PAYMENTS_WITH_IP + variant)
                .name("with IP" + variant)
                .setDescription("payments with an IP and a payer: what an IP burst counts")
                .keyBy(Payment::getIp),
            WithRuleUpdates.of(detectors.byIp(), book),
            "IP",
            Uids.IP_BURST_DETECTOR);

    SingleOutputStreamOperator<Alert> byLogId =
        keyed.detect(
            balanceChanges.keyBy(BalanceChange::getLogId),
            WithRuleUpdates.of(detectors.byLogId(), book),
            "log_id",
            Uids.LEDGER_PENDING_DETECTOR);

    SingleOutputStreamOperator<Alert> byWorker =
        keyed.detect(
            byUtr.getSideOutput(TypoCandidate.TAG).keyBy(c -> c.cwid, Types.STRING),
            WithRuleUpdates.of(detectors.byWorker(), book),
            "worker",
            Uids.UTR_TYPO_PAIRER);

    return new Outputs(
        byUtr.union(byOrder, byAccount, byIp, byLogId, byWorker),
        byUtr
            .getSideOutput(AlertUpdates.TAG)
            .union(
                byOrder.getSideOutput(AlertUpdates.TAG),
                byLogId.getSideOutput(AlertUpdates.TAG),
                byWorker.getSideOutput(AlertUpdates.TAG)),
        byAccount
            .getSideOutput(LateEvent.TAG)
            .union(byIp.getSideOutput(LateEvent.TAG), byLogId.getSideOutput(LateEvent.TAG)));
  }

  /**
   * What every keyed detector of one graph shares: the rule versions, the job's settings, a uid
   * suffix.
   */
  private record Keyed(DataStream<RuleUpdate> versions, ReadableConfig flink, String variant) {
    /**
     * {@code detector} on {@code input}, named "UtrMatcher (by UTR)" in the web UI, logs and
     * metrics, its keyed values cached in front of RocksDB ({@code state.cache-keys}).
     */
    <IN> SingleOutputStreamOperator<Alert> detect(
        KeyedStream<IN, String> input, WithRuleUpdates<IN> detector, String key, String uid) {
      return input
          .connect(versions)
          .transform(
              detector.detectorName() + " (by " + key + ")" + variant,
              new AvroTypeInfo<>(Alert.class),
              new DetectorOperator<>(
                  detector,
                  flink.get(RiskstreamConfig.FLINK_STATE_CACHE_KEYS),
                  flink.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL).orElse(null)))
          .uid(uid + variant);
    }
  }

  /** A two-input detector's inputs as one stream: a keyed operator has one keyed input. */
  private static <A, B> DataStream<Either<A, B>> either(
      DataStream<A> left, DataStream<B> right, EitherTypeInfo<A, B> type, String uid) {
    return left.map(Either::<A, B>Left, type)
        .uid(uid + "-left")
        .name("⊕")
        .union(right.map(Either::<A, B>Right, type).uid(uid + "-right").name("⊕"));
  }
}
