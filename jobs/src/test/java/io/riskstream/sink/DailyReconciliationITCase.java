package io.riskstream.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.avro.DailySummary;
import io.riskstream.backtest.Backtest;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.config.Topics;
import io.riskstream.detect.Money;
import io.riskstream.detect.RuleBook;
import io.riskstream.generate.Traffic;
import io.riskstream.generate.TrafficGenerator;
import io.riskstream.kafka.KafkaTopics;
import io.riskstream.kafka.TopicReader;
import io.riskstream.kafka.WireProducer;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.serde.AvroWireDeserializer;
import io.riskstream.testing.KafkaStack;
import io.riskstream.testing.KafkaTestSupport;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The daily reconciliation of the sink job on real parts, across a day boundary in Asia/Kolkata:
 * traffic from 2026-01-01T16:00Z (21:30 IST) over the midnight at 18:30Z into 2026-01-02, and a
 * closing order late on 2026-01-02 (UTC) so that both days close. Every figure of the
 * daily_reconciliation table must equal the same sum over the raw tables the same job wrote, in
 * SQL, grouped by the day in Asia/Kolkata; and each closed day's summaries reach their topic.
 */
class DailyReconciliationITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = KafkaStack.miniCluster(4);

  private static final Set<LocalDate> CLOSED =
      Set.of(LocalDate.parse("2026-01-01"), LocalDate.parse("2026-01-02"));
  private static final String DAY = "(event_time AT TIME ZONE 'Asia/Kolkata')::date";

  @RegisterExtension static final KafkaStack STACK = new KafkaStack();
  private static EmbeddedPostgres postgres;

  @BeforeAll
  static void start() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stop() throws Exception {
    postgres.close();
  }

  @Test
  void everyFigureOfAClosedDayEqualsTheSumOverTheRawTables() throws Exception {
    RiskstreamConfig config = SinkJobITCase.config(STACK.kafka(), STACK.registry(), postgres);
    Topics topics = config.topics();
    KafkaTopics.create(STACK.kafka().bootstrapServers(), topics, 2);
    Migrations.apply(MigrationsITCase.connection(postgres));
    Traffic traffic =
        TrafficGenerator.generate(
            new TrafficGenerator.Settings(6_000, 11, 0.1, Instant.parse("2026-01-01T16:00:00Z")));
    Traffic closing = TrafficGenerator.closing(Instant.parse("2026-01-02T16:30:00Z"));
    List<Alert> alerts =
        Backtest.run(
            StreamExecutionEnvironment.getExecutionEnvironment(),
            new Backtest.Inputs(traffic.payments(), traffic.bills(), traffic.balanceChanges()),
            RuleBook.defaults(),
            Duration.ofMinutes(1));
    assertThat(alerts).hasSizeGreaterThan(20);
    SchemaRegistryClient client = new SchemaRegistryClient(STACK.registry().url());
    try (WireProducer producer = new WireProducer(config.kafkaProperties(), client)) {
      KafkaTestSupport.produce(producer, topics, traffic);
      alerts.forEach(a -> producer.send(topics.alerts(), a.getAlertId(), a));
      KafkaTestSupport.produce(producer, topics, closing);
    }

    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(config.flinkConfiguration());
    SinkJob.build(env, config);
    JobClient job = env.executeAsync("reconciliation-it");
    try {
      KafkaTestSupport.await(
          "both days' summaries and every record in the tables",
          Duration.ofMinutes(2),
          () ->
              summaries(config, client).stream().map(DailySummary::getDay).distinct().count() == 2
                  && KafkaTestSupport.committedToTheEnd(
                      config,
                      config.groupId() + "-sink",
                      topics.alerts(),
                      topics.payments(),
                      topics.bills(),
                      topics.balanceChanges()));
    } finally {
      job.cancel().get();
    }

    assertThat(query("SELECT DISTINCT day FROM daily_reconciliation ORDER BY day"))
        .as("the day of the closing order (2026-01-03 in Kolkata) is not closed")
        .containsExactly("2026-01-01", "2026-01-02");
    String days = " AND " + DAY + " IN ('2026-01-01', '2026-01-02')";
    assertSame(
        "collections",
        rows("collections_count", "collections_amount"),
        raw(
            "count(*), sum(amount)",
            "payments WHERE status = 'SUCCESS' AND kind = 'COLLECT'" + days,
            "merchant_id",
            "coalesce(cwid, '')"));
    assertSame(
        "payouts",
        rows("payouts_count", "payouts_amount"),
        raw(
            "count(*), sum(amount)",
            "payments WHERE status = 'SUCCESS' AND kind = 'PAYOUT'" + days,
            "merchant_id",
            "coalesce(cwid, '')"));
    assertSame(
        "refunds",
        rows("refunds_count", "refunds_amount"),
        raw(
            "count(*), sum(amount)",
            "payments WHERE status = 'REFUNDED'" + days,
            "merchant_id",
            "coalesce(cwid, '')"));
    assertSame(
        "bank credits",
        rows("bank_credits_count", "bank_credits_amount"),
        raw(
            "count(*), sum(amount)",
            "bills WHERE deduct_status = 'DEDUCTED' AND direction = 'CREDIT'" + days,
            "''",
            "cwid"));
    assertSame(
        "bank debits",
        rows("bank_debits_count", "bank_debits_amount"),
        raw(
            "count(*), sum(amount)",
            "bills WHERE deduct_status = 'DEDUCTED' AND direction = 'DEBIT'" + days,
            "''",
            "cwid"));
    assertSame(
        "ledger",
        query(
            "SELECT day || ' ' || merchant_id || '|' || cwid || ' ' || l.key || ' '"
                + " || (l.value->>'count') || ' ' || (l.value->>'amount')::numeric(18, 2)"
                + " FROM daily_reconciliation, jsonb_each(ledger) l"),
        raw(
            "count(*), sum(amount)",
            "balance_changes WHERE state = 'SUCCESS'" + days,
            "''",
            "''",
            "type_code"));
    assertSame(
        "net balance change",
        rows("net_balance_change"),
        raw("sum(amount)", "balance_changes WHERE state = 'SUCCESS'" + days, "''", "''"));
    assertSame(
        "alerts",
        rows("alerts_count"),
        raw(
            "count(*)",
            "risk_alerts WHERE true" + days,
            "coalesce(merchant_id, '')",
            "coalesce(cwid, '')"));
    assertSame(
        "unmatched collections",
        rows("unmatched_collections_count", "unmatched_collections_amount"),
        raw(
            "count(*), sum(amount)",
            "risk_alerts WHERE reason = 'NO_BANK_RECORD'" + days,
            "coalesce(merchant_id, '')",
            "coalesce(cwid, '')"));
    assertSame(
        "unmatched bank lines",
        rows("unmatched_bank_count", "unmatched_bank_amount"),
        raw(
            "count(*), sum(amount)",
            "risk_alerts WHERE reason = 'BILL_WITHOUT_ORDER'" + days,
            "coalesce(merchant_id, '')",
            "coalesce(cwid, '')"));

    // One summary per closed day and merchant, and one for the lines that name none.
    List<DailySummary> summaries = summaries(config, client);
    for (LocalDate day : CLOSED) {
      assertThat(
              summaries.stream()
                  .filter(s -> s.getDay().equals(day))
                  .map(s -> s.getMerchantId() == null ? "" : s.getMerchantId())
                  .toList())
          .as(day.toString())
          .containsExactlyInAnyOrderElementsOf(
              query(
                  "SELECT DISTINCT merchant_id FROM daily_reconciliation WHERE day = '"
                      + day
                      + "'"));
    }
    DailySummary m101 =
        summaries.stream()
            .filter(
                s ->
                    "M-101".equals(s.getMerchantId())
                        && s.getDay().equals(LocalDate.parse("2026-01-01")))
            .findFirst()
            .orElseThrow();
    BigDecimal collected =
        new BigDecimal(
            query(
                    "SELECT coalesce(sum(amount), 0) FROM payments WHERE status = 'SUCCESS' AND"
                        + " kind = 'COLLECT' AND merchant_id = 'M-101' AND "
                        + DAY
                        + " = '2026-01-01'")
                .get(0));
    assertThat(m101.getSummary())
        .startsWith("2026-01-01 · M-101: collections " + Money.format(collected) + " (");
  }

  /** Non-zero figures of the closed days' rows: "day merchant|cwid figures...". */
  private static List<String> rows(String... columns) throws Exception {
    String figures = String.join(" || ' ' || ", columns);
    return query(
        "SELECT day || ' ' || merchant_id || '|' || cwid || ' ' || "
            + figures
            + " FROM daily_reconciliation WHERE "
            + columns[0]
            + " <> 0");
  }

  /**
   * The same figures summed over a raw table, grouped by the day in Kolkata and the row's merchant
   * and worker ({@code keys}: two expressions, or three with the ledger's type code).
   */
  private static List<String> raw(String figures, String from, String... keys) throws Exception {
    StringBuilder label =
        new StringBuilder(DAY + " || ' ' || " + keys[0] + " || '|' || " + keys[1]);
    if (keys.length > 2) {
      label.append(" || ' ' || ").append(keys[2]);
    }
    String sums = figures.replace(", ", " || ' ' || ");
    return query(
        "SELECT "
            + label
            + " || ' ' || "
            + sums
            + " FROM "
            + from
            + " GROUP BY "
            // a constant ('' for what the records do not name) is not grouped by
            + String.join(
                ", ",
                java.util.stream.Stream.concat(
                        java.util.stream.Stream.of(DAY),
                        java.util.Arrays.stream(keys).filter(k -> !k.startsWith("'")))
                    .toList()));
  }

  private static void assertSame(String what, List<String> table, List<String> raw) {
    assertThat(table).as(what + ": none at all would prove nothing").isNotEmpty();
    assertThat(table).as(what).containsExactlyInAnyOrderElementsOf(raw);
  }

  private static List<String> query(String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static List<DailySummary> summaries(RiskstreamConfig config, SchemaRegistryClient client)
      throws Exception {
    AvroWireDeserializer<DailySummary> deserializer =
        new AvroWireDeserializer<>(client, DailySummary.class);
    List<DailySummary> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r :
        TopicReader.readAll(config.kafkaProperties(), config.topics().dailySummaries())) {
      out.add(deserializer.deserialize(r.value()));
    }
    return out;
  }
}
