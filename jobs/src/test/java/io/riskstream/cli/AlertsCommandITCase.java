package io.riskstream.cli;

import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.payment;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertStatus;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.detect.LargeAmountRule;
import io.riskstream.detect.Rules;
import io.riskstream.kafka.KafkaTopics;
import io.riskstream.kafka.TopicReader;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.serde.AvroWireDeserializer;
import io.riskstream.sink.Migrations;
import io.riskstream.sink.RowBinder;
import io.riskstream.sink.SinkJob;
import io.riskstream.testing.KafkaStack;
import io.riskstream.testing.KafkaTestSupport;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code riskstream alerts ack|resolve|show} against a real broker, registry and PostgreSQL, with
 * the tables as the sink job writes them (its own upserts).
 */
class AlertsCommandITCase {
  @RegisterExtension static final KafkaStack STACK = new KafkaStack();

  private static EmbeddedPostgres postgres;
  private static RiskstreamConfig config;

  @BeforeAll
  static void start() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    config =
        KafkaTestSupport.config(
            STACK.kafka(),
            STACK.registry(),
            "postgres.url=" + postgres.getJdbcUrl("postgres", "postgres"),
            "postgres.user=postgres",
            "topics.alert-updates=ac-alert-updates");
    KafkaTopics.create(STACK.kafka().bootstrapServers(), Map.of("ac-alert-updates", 1));
    Migrations.apply(config.postgres());
  }

  @AfterAll
  static void stop() throws Exception {
    postgres.close();
  }

  private static CliRun alerts(String... args) {
    List<String> all = new ArrayList<>(List.of("alerts"));
    all.addAll(List.of(args));
    for (String set :
        List.of(
            "kafka.bootstrap-servers=" + STACK.kafka().bootstrapServers(),
            "registry.url=" + STACK.registry().url(),
            "postgres.url=" + postgres.getJdbcUrl("postgres", "postgres"),
            "postgres.user=postgres",
            "topics.alert-updates=ac-alert-updates")) {
      all.add("--set");
      all.add(set);
    }
    return CliRun.of(all.toArray(String[]::new));
  }

  /** Upserts {@code record} as the sink job does. */
  private static <T extends SpecificRecordBase> void sink(RowBinder<T> table, T record)
      throws Exception {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        PreparedStatement statement = c.prepareStatement(table.upsertSql())) {
      table.accept(statement, record);
      statement.executeUpdate();
    }
  }

  @Test
  void acknowledgesAndResolvesKnownAlertsShowsThemAndRefusesUnknownOnes() throws Exception {
    Payment big =
        payment("PE-1", "O-1", PaymentStatus.SUCCESS, "150000", BEGINNING).setIp(null).build();
    Alert alert = LargeAmountRule.check(big, Rules.defaults());
    alert.setDetectedAt(Instant.parse("2026-11-21T10:00:01Z"));
    sink(SinkJob.PAYMENTS, big);
    sink(SinkJob.ALERTS, alert);
    String id = alert.getAlertId();

    CliRun unknown = alerts("ack", "0000", "--actor", "asha");
    CliRun ack = alerts("ack", id, "--actor", "asha", "--note", "calling the merchant");
    CliRun noNote = alerts("resolve", id, "--actor", "asha");
    CliRun resolve = alerts("resolve", id, "--actor", "ravi", "--note", "refund booked");

    assertThat(unknown.mistake())
        .isEqualTo(
            "riskstream alerts ack: no alert 0000 in risk_alerts at "
                + postgres.getJdbcUrl("postgres", "postgres")
                + ": check the id (an alert is there once the sink job has written it)");
    assertThat(ack.exitCode()).as(ack.err()).isZero();
    assertThat(ack.out())
        .isEqualTo(
            id + " ACKNOWLEDGED by asha, written to ac-alert-updates" + System.lineSeparator());
    assertThat(noNote.exitCode()).isEqualTo(2);
    assertThat(noNote.err()).contains("Missing required option: '--note=<note>'");
    assertThat(resolve.exitCode()).as(resolve.err()).isZero();

    AvroWireDeserializer<AlertUpdate> read =
        new AvroWireDeserializer<>(new SchemaRegistryClient(config.registry()), AlertUpdate.class);
    List<AlertUpdate> written = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r :
        TopicReader.readAll(config.kafkaProperties(), "ac-alert-updates")) {
      assertThat(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(id);
      written.add(read.deserialize(r.value()));
    }
    assertThat(written)
        .extracting(
            AlertUpdate::getAlertId,
            AlertUpdate::getStatus,
            AlertUpdate::getReason,
            AlertUpdate::getActor,
            AlertUpdate::getNote,
            AlertUpdate::getEvidence)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                id,
                AlertStatus.ACKNOWLEDGED,
                "BY_PERSON",
                "asha",
                "calling the merchant",
                List.of()),
            org.assertj.core.groups.Tuple.tuple(
                id, AlertStatus.RESOLVED, "BY_PERSON", "ravi", "refund booked", List.of()));

    // The sink writes the updates; show reads the alert, its updates and its evidence rows.
    AlertUpdate first = withTime(written.get(0), "2026-11-21T11:00:00Z");
    AlertUpdate second = withTime(written.get(1), "2026-11-21T11:30:00Z");
    sink(SinkJob.ALERT_UPDATES, second);
    sink(SinkJob.ALERT_UPDATES, first);
    CliRun show = alerts("show", id);

    assertThat(show.exitCode()).as(show.err()).isZero();
    assertThat(show.out().lines())
        .containsExactly(
            id + " LARGE_AMOUNT / PAYMENT_OVER_LIMIT (MEDIUM), rule large-amount v1",
            "  Order O-1 of merchant M-1 for ₹1,50,000.00 (COLLECT, SUCCESS) is at or over the"
                + " large-amount limit of ₹1,00,000.00",
            "  event time 2026-11-21T10:00:00Z, detected 2026-11-21T10:00:01Z",
            "  status RESOLVED since 2026-11-21T11:30:00Z by ravi: refund booked",
            "updates:",
            "  2026-11-21T11:00:00Z ACKNOWLEDGED BY_PERSON by asha: calling the merchant",
            "  2026-11-21T11:30:00Z RESOLVED BY_PERSON by ravi: refund booked",
            "evidence:",
            "  PAYMENT PE-1 at 2026-11-21T10:00:00Z: SUCCESS, 150000.00, order O-1, UTR"
                + " 412345678901, worker CW-1, account WA-CW-1");
    assertThat(alerts("show", "0000").mistake())
        .startsWith("riskstream alerts show: no alert 0000 in risk_alerts");
  }

  private static AlertUpdate withTime(AlertUpdate update, String at) {
    return AlertUpdate.newBuilder(update)
        .setEventTime(Instant.parse(at))
        .setUpdatedAt(Instant.parse(at))
        .build();
  }
}
