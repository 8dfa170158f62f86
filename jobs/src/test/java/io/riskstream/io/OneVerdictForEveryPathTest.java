package io.riskstream.io;

import static io.riskstream.testing.TestEvents.bill;
import static io.riskstream.testing.TestEvents.payment;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Bill;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.kafka.DeadLetter;
import io.riskstream.kafka.EventTimeBounds;
import io.riskstream.kafka.EventTimes;
import io.riskstream.kafka.RecordCheck;
import io.riskstream.kafka.WireRecordDeserializer;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.serde.AvroWireSerializer;
import io.riskstream.testkit.EmbeddedSchemaRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.types.Either;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same records through the two ways in: as JSON lines (what {@code produce} and {@code
 * backtest} read) and as Kafka records in the wire format (what {@code detect} reads). Each gets
 * the same verdict, so a backtest cannot disagree with the live job about what is bad input. The
 * expected reasons are the contract's, written out here.
 */
class OneVerdictForEveryPathTest {
  /** When the records were written: the Kafka timestamp, and the moment the files are read. */
  private static final Instant WRITTEN = Instant.parse("2026-11-21T12:00:00Z");

  private static final Instant AT = WRITTEN.minus(Duration.ofMinutes(1));

  private EmbeddedSchemaRegistry registry;

  @BeforeEach
  void start() throws Exception {
    registry = EmbeddedSchemaRegistry.start(0);
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  @Test
  void paymentsGetTheSameVerdictFromFilesAndFromKafka(@TempDir Path dir) throws Exception {
    List<Payment> payments =
        List.of(
            payment("PE-1", "O-1", PaymentStatus.PAID, "10", AT).build(),
            payment("PE-2", "O-2", PaymentStatus.PAID, "-10", AT).build(),
            payment("PE-3", " ", PaymentStatus.PAID, "10", AT).build(),
            payment("PE-4", "O-4", PaymentStatus.PAID, "10", AT).setMerchantId(" ").build(),
            payment("PE-5", "O-5", PaymentStatus.PAID, "10", Instant.ofEpochSecond(1_764_000_000))
                .build(),
            payment("PE-6", "O-6", PaymentStatus.PAID, "10", Instant.ofEpochMilli(1_764_000_000))
                .build(),
            payment("PE-7", "O-7", PaymentStatus.PAID, "10", WRITTEN.plus(Duration.ofHours(1)))
                .build());

    List<String> files = fromFiles(dir.resolve("payments.jsonl"), Payment.class, payments);
    List<String> kafka = fromKafka("payments", Payment.class, EventTimes.PAYMENT, payments);

    assertThat(files)
        .containsExactly(
            "ok",
            "amount must be > 0, was -10.00",
            "missing order_no",
            "missing merchant_id",
            "ok",
            "event_time 1970-01-21T10:00:00Z is before 2000-01-01T00:00:00Z (events.not-before)",
            "event_time 2026-11-21T13:00:00Z is more than 5 min (events.max-ahead) after the record"
                + " was written at 2026-11-21T12:00:00Z");
    assertThat(kafka).isEqualTo(files);
  }

  @Test
  void billsGetTheSameVerdictFromFilesAndFromKafka(@TempDir Path dir) throws Exception {
    List<Bill> bills =
        List.of(
            bill("B-1", "412345678901", "10", AT).build(),
            bill("B-2", "412345678902", "0", AT).build(),
            bill("B-3", " ", "10", AT).build(),
            bill("B-4", "412345678904", "10", AT).setCwid("").build());

    List<String> files = fromFiles(dir.resolve("bills.jsonl"), Bill.class, bills);
    List<String> kafka = fromKafka("bills", Bill.class, EventTimes.BILL, bills);

    assertThat(files)
        .containsExactly("ok", "amount must be > 0, was 0.00", "missing utr", "missing cwid");
    assertThat(kafka).isEqualTo(files);
  }

  /** "ok" or the reason, per record, as produce and backtest read them from a file. */
  private static <T extends SpecificRecordBase> List<String> fromFiles(
      Path file, Class<T> type, List<T> records) throws Exception {
    List<String> lines = records.stream().map(EventJson::toJsonLine).toList();
    Files.write(file, lines);
    EventFiles.Read<T> read =
        EventFiles.read(file, type, EventTimeBounds.DEFAULT, WRITTEN.toEpochMilli());
    List<String> verdicts = new ArrayList<>();
    for (int line = 1; line <= records.size(); line++) {
      long number = line;
      verdicts.add(
          read.badLines().stream()
              .filter(b -> b.line() == number)
              .map(EventFiles.BadLine::error)
              .findFirst()
              .orElse("ok"));
    }
    assertThat(read.records()).hasSize((int) verdicts.stream().filter("ok"::equals).count());
    return verdicts;
  }

  /** "ok" or the reason, per record, as detect reads them from Kafka in the wire format. */
  private <T extends SpecificRecordBase> List<String> fromKafka(
      String topic, Class<T> type, SerializableTimestampAssigner<T> eventTime, List<T> records)
      throws Exception {
    SchemaRegistryClient.Settings settings = SchemaRegistryClient.Settings.of(registry.url());
    AvroWireSerializer<T> serializer =
        new AvroWireSerializer<>(new SchemaRegistryClient(settings), topic + "-value", type, true);
    WireRecordDeserializer<T> deserializer =
        new WireRecordDeserializer<>(
            settings,
            type,
            RecordCheck.of(type),
            eventTime,
            EventTimeBounds.DEFAULT,
            ZoneId.of("Asia/Kolkata"));
    deserializer.open(
        new DeserializationSchema.InitializationContext() {
          @Override
          public MetricGroup getMetricGroup() {
            return new UnregisteredMetricsGroup();
          }

          @Override
          public UserCodeClassLoader getUserCodeClassLoader() {
            return SimpleUserCodeClassLoader.create(getClass().getClassLoader());
          }
        });
    List<String> verdicts = new ArrayList<>();
    long offset = 0;
    for (T record : records) {
      List<Either<DeadLetter, T>> out = new ArrayList<>();
      deserializer.deserialize(
          new ConsumerRecord<>(
              topic,
              0,
              offset++,
              WRITTEN.toEpochMilli(),
              TimestampType.CREATE_TIME,
              0,
              0,
              new byte[0],
              serializer.serialize(record),
              new RecordHeaders(),
              java.util.Optional.empty()),
          new org.apache.flink.util.Collector<>() {
            @Override
            public void collect(Either<DeadLetter, T> value) {
              out.add(value);
            }

            @Override
            public void close() {}
          });
      Either<DeadLetter, T> verdict = out.get(0);
      verdicts.add(verdict.isLeft() ? verdict.left().error : "ok");
    }
    return verdicts;
  }
}
