package io.riskstream.bench;

import io.riskstream.avro.Bill;
import io.riskstream.avro.DeductStatus;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentKind;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.detect.DetectJob;
import io.riskstream.detect.IpBurstRules;
import io.riskstream.detect.Rules;
import io.riskstream.detect.UtrRules;
import io.riskstream.kafka.EventTimes;
import io.riskstream.kafka.KafkaConnectors;
import io.riskstream.kafka.RecordCheck;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * The peer: the core UTR and IP rules written in Flink SQL as a strong SQL engineer would (one LEFT
 * interval join, one anti interval join, an OVER window with COUNT(DISTINCT)), over the same
 * topics, decoded by the same source (Flink's avro-confluent format needs Confluent's client jars,
 * which are not on Maven Central, so a user bridges from the DataStream source as done here). Its
 * findings come back as "REASON|key" strings for {@link Agreement}.
 */
final class SqlPeer {
  private SqlPeer() {}

  /** Runs the peer until the bounded sources are drained; returns its distinct findings. */
  static Set<String> run(RiskstreamConfig config, Rules rules) throws Exception {
    StreamExecutionEnvironment env = DetectJob.environment(config);
    StreamTableEnvironment tables = StreamTableEnvironment.create(env);
    KafkaConnectors kafka = new KafkaConnectors(config, "peer");
    var payments =
        kafka.read(
            env,
            config.topics().payments(),
            Payment.class,
            RecordCheck.PAYMENT,
            EventTimes.PAYMENT,
            "peer-source-payments",
            "peer-split-payments");
    var bills =
        kafka.read(
            env,
            config.topics().bills(),
            Bill.class,
            RecordCheck.BILL,
            EventTimes.BILL,
            "peer-source-bills",
            "peer-split-bills");
    Schema rowtime =
        Schema.newBuilder()
            .columnByMetadata("rowtime", "TIMESTAMP_LTZ(3)")
            .watermark("rowtime", "SOURCE_WATERMARK()")
            .build();

    // Only well-formed claims are claims, on both sides of every join: filtered before the view so
    // that no join carries rows it will drop.
    tables.createTemporaryView(
        "claims",
        payments
            .filter(p -> UtrRules.isClaim(p) && UtrRules.wellFormed(p, rules))
            .map(
                p ->
                    Row.of(
                        p.getOrderNo(),
                        p.getUtr(),
                        p.getKind() == PaymentKind.COLLECT ? "CREDIT" : "DEBIT",
                        p.getAmount()),
                rowType(
                    new String[] {"order_no", "utr", "bill_direction", "amount"},
                    Types.STRING,
                    Types.STRING,
                    Types.STRING,
                    Types.BIG_DEC)),
        rowtime);
    tables.createTemporaryView(
        "bills",
        bills.map(
            b ->
                Row.of(
                    b.getBillId(),
                    b.getUtr(),
                    b.getDirection().name(),
                    b.getDeductStatus() == DeductStatus.DEDUCTED,
                    b.getAmount()),
            rowType(
                new String[] {"bill_id", "utr", "direction", "deducted", "amount"},
                Types.STRING,
                Types.STRING,
                Types.STRING,
                Types.BOOLEAN,
                Types.BIG_DEC)),
        rowtime);
    tables.createTemporaryView(
        "ip_payments",
        payments
            .filter(IpBurstRules::counts)
            .map(
                p -> Row.of(p.getIp(), IpBurstRules.payer(p)),
                rowType(new String[] {"ip", "payer"}, Types.STRING, Types.STRING)),
        rowtime);

    // A bill or claim counts however long before its partner it came (within the UTR retention, as
    // in riskstream), and at most W after: interval joins with those bounds. One LEFT join of the
    // claims classifies all three claim-side reasons (no bill, less, more); the anti join (a LEFT
    // join keeping the bills without a partner) finds the bills without an order; the IP rule is an
    // OVER window of W per IP, the one form whose state is the rows of the window itself.
    long w = rules.matchWindow().toMinutes();
    long retention = rules.utrRetention().toDays();
    String within =
        " BETWEEN %1$s.rowtime - INTERVAL '%3$d' DAY AND %1$s.rowtime + INTERVAL '%4$d' MINUTE";
    String sql =
        ("SELECT CASE WHEN b.bill_id IS NULL THEN 'NO_BANK_RECORD|' || c.utr || '|' || c.order_no"
                + "  WHEN b.amount < c.amount THEN 'UNDERPAID|' || c.order_no || '|' || b.bill_id"
                + "  ELSE 'OVERPAID|' || c.order_no || '|' || b.bill_id END"
                + " FROM claims c LEFT JOIN bills b ON c.utr = b.utr"
                + "  AND c.bill_direction = b.direction AND b.rowtime"
                + within.formatted("c", "b", retention, w)
                + " WHERE b.bill_id IS NULL OR b.amount <> c.amount"
                + " UNION ALL"
                + " SELECT 'BILL_WITHOUT_ORDER|' || b.bill_id"
                + " FROM bills b LEFT JOIN claims c"
                + "  ON b.utr = c.utr AND c.bill_direction = b.direction AND c.rowtime"
                + within.formatted("b", "c", retention, w)
                + " WHERE b.deducted AND c.order_no IS NULL"
                + " UNION ALL"
                + " SELECT 'DISTINCT_ACCOUNTS|' || ip FROM ("
                + "  SELECT ip, COUNT(DISTINCT payer) OVER (PARTITION BY ip ORDER BY rowtime"
                + "   RANGE BETWEEN INTERVAL '%d' MINUTE PRECEDING AND CURRENT ROW) AS payers"
                + "  FROM ip_payments)"
                + " WHERE payers >= %d")
            .formatted(rules.ipBurst().window().toMinutes(), rules.ipBurst().distinctPayers());
    Table findings = tables.sqlQuery(sql);
    Set<String> distinct = new HashSet<>();
    try (CloseableIterator<Row> rows = tables.toDataStream(findings).executeAndCollect()) {
      rows.forEachRemaining(r -> distinct.add((String) r.getField(0)));
    }
    return distinct;
  }

  private static TypeInformation<Row> rowType(String[] names, TypeInformation<?>... types) {
    return Types.ROW_NAMED(names, types);
  }
}
