package io.riskstream.bench;

import io.riskstream.avro.Bill;
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
 * The peer: the core UTR and IP rules written in Flink SQL the way a user would (interval joins, a
 * left join with a time bound, a hopping window with COUNT(DISTINCT)), over the same topics,
 * decoded by the same source (Flink's avro-confluent format needs Confluent's client jars, which
 * are not on Maven Central, so a user bridges from the DataStream source as done here). Its
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

    tables.createTemporaryView(
        "claims",
        payments
            .filter(UtrRules::isClaim)
            .map(
                p ->
                    Row.of(
                        p.getEventId(),
                        p.getOrderNo(),
                        p.getUtr(),
                        p.getKind() == PaymentKind.COLLECT ? "CREDIT" : "DEBIT",
                        p.getAmount(),
                        UtrRules.wellFormed(p, rules)),
                rowType(
                    new String[] {
                      "event_id", "order_no", "utr", "bill_direction", "amount", "well_formed"
                    },
                    Types.STRING,
                    Types.STRING,
                    Types.STRING,
                    Types.STRING,
                    Types.BIG_DEC,
                    Types.BOOLEAN)),
        rowtime);
    tables.createTemporaryView(
        "bills",
        bills.map(
            b ->
                Row.of(
                    b.getBillId(),
                    b.getUtr(),
                    b.getDirection().name(),
                    b.getDeductStatus().name(),
                    b.getAmount()),
            rowType(
                new String[] {"bill_id", "utr", "direction", "deduct_status", "amount"},
                Types.STRING,
                Types.STRING,
                Types.STRING,
                Types.STRING,
                Types.BIG_DEC)),
        rowtime);
    tables.createTemporaryView(
        "ip_payments",
        payments
            .filter(p -> p.getIp() != null && !p.getIp().isEmpty())
            .filter(p -> IpBurstRules.payer(p) != null)
            .map(
                p -> Row.of(p.getIp(), IpBurstRules.payer(p)),
                rowType(new String[] {"ip", "payer"}, Types.STRING, Types.STRING)),
        rowtime);

    // A bill or claim counts however long before its partner it came (within the UTR retention, as
    // in riskstream), and at most W after: an interval join with those bounds.
    long w = rules.matchWindow().toMinutes();
    long retention = rules.utrRetention().toDays();
    long window = rules.ipBurst().window().toMinutes();
    String within =
        " BETWEEN %1$s.rowtime - INTERVAL '%3$d' DAY AND %1$s.rowtime + INTERVAL '%4$d' MINUTE";
    String sql =
        ("SELECT 'NO_BANK_RECORD|' || c.utr || '|' || c.order_no"
                + " FROM claims c LEFT JOIN bills b ON c.utr = b.utr"
                + "  AND c.bill_direction = b.direction AND b.rowtime"
                + within.formatted("c", "b", retention, w)
                + " WHERE c.well_formed AND b.bill_id IS NULL"
                + " UNION ALL"
                + " SELECT CASE WHEN b.amount < c.amount THEN 'UNDERPAID' ELSE 'OVERPAID' END"
                + "  || '|' || c.order_no || '|' || b.bill_id"
                + " FROM claims c JOIN bills b ON c.utr = b.utr"
                + "  AND c.bill_direction = b.direction AND b.rowtime"
                + within.formatted("c", "b", retention, w)
                + " WHERE c.well_formed AND c.amount <> b.amount"
                + " UNION ALL"
                + " SELECT 'BILL_WITHOUT_ORDER|' || b.bill_id"
                + " FROM bills b LEFT JOIN (SELECT * FROM claims WHERE well_formed) c"
                + "  ON b.utr = c.utr AND c.bill_direction = b.direction AND c.rowtime"
                + within.formatted("b", "c", retention, w)
                + " WHERE b.deduct_status = 'DEDUCTED' AND c.event_id IS NULL"
                + " UNION ALL"
                + " SELECT 'DISTINCT_ACCOUNTS|' || ip"
                + " FROM TABLE(HOP(TABLE ip_payments, DESCRIPTOR(rowtime),"
                + "  INTERVAL '1' MINUTE, INTERVAL '%d' MINUTE))"
                + " GROUP BY ip, window_start, window_end"
                + " HAVING COUNT(DISTINCT payer) >= %d")
            .formatted(window, rules.ipBurst().distinctPayers());
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
