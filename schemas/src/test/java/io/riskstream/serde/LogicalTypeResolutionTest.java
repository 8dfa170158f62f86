package io.riskstream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.avro.Payment;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.testkit.RegistryServer;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Writer schemas whose logical types differ from the reader's, which Avro's resolution alone
 * misreads. Each body is the golden Payment of {@link WireFormatTest} with one field's bytes
 * written out by hand for the writer's type (zig-zag varints and two's-complement decimals, from
 * the Avro specification).
 */
class LogicalTypeResolutionTest {
  private static final String GOLDEN_AMOUNT = "060249f0"; // 1500.00 at scale 2
  private static final String GOLDEN_TIME = "a0e7d4d9bf68"; // 1795256130000 ms
  private static final Instant TIME = Instant.parse("2026-11-21T10:15:30Z");

  @RegisterExtension static final RegistryServer SERVER = new RegistryServer();
  private static SchemaRegistryClient registry;

  @BeforeAll
  static void client() {
    registry = new SchemaRegistryClient(SERVER.url());
  }

  @Test
  void aDecimalOfScale3IsRescaledNotReadAsTenTimesTheAmount() throws Exception {
    // 20000.000 at scale 3: unscaled 20,000,000 = 0x01312d00, four bytes.
    Payment read = read(amountOfScale(3), GOLDEN_AMOUNT, "0801312d00");

    assertThat(read.getAmount()).isEqualByComparingTo("20000.00");
    assertThat(read.getAmount().scale()).isEqualTo(2);
    assertThat(read).isEqualTo(with(new BigDecimal("20000.00"), TIME));
  }

  @Test
  void aDecimalThatWouldLoseADigitIsABadRecord() {
    // 20000.005 at scale 3: unscaled 20,000,005 = 0x01312d05.
    assertThatThrownBy(() -> read(amountOfScale(3), GOLDEN_AMOUNT, "0801312d05"))
        .isInstanceOf(BadRecordException.class)
        .hasMessage("amount 20000.005 has more than 2 decimal places");
  }

  @Test
  void aDecimalOfScale1IsWidened() throws Exception {
    // 2000.0 at scale 1: unscaled 20,000 = 0x4e20, three bytes with the sign byte.
    Payment read = read(amountOfScale(1), GOLDEN_AMOUNT, "04" + "4e20");

    assertThat(read.getAmount()).isEqualTo(new BigDecimal("2000.00"));
  }

  @Test
  void aDecimalBeyondTheReadersPrecisionIsABadRecord() {
    // decimal(20,2) writing 10^18.00 = unscaled 10^20 = 0x056bc75e2d63100000, nine bytes.
    Schema wide = replace("amount", decimal(20, 2));
    assertThatThrownBy(() -> read(wide, GOLDEN_AMOUNT, "12" + "056bc75e2d63100000"))
        .isInstanceOf(BadRecordException.class)
        .hasMessage("amount 1000000000000000000.00 has more than 18 digits (decimal(18,2))");
  }

  @Test
  void timestampMicrosAreReadAsTheSameInstant() throws Exception {
    // 1795256130000123 µs (123 µs past the golden instant) as a zig-zag varint.
    Payment read = read(replace("event_time", micros()), GOLDEN_TIME, "f6d3c6bed4b1b006");

    assertThat(read.getEventTime()).isEqualTo(TIME);
  }

  @Test
  void localTimestampsArePlacedInTheConfiguredZone() throws Exception {
    // 2026-11-21T15:45:30 wall-clock time in Kolkata (UTC+05:30) is 10:15:30Z; as a local
    // timestamp it is written as if it were UTC: 1795275930000 ms.
    Schema local = replace("event_time", localMillis());
    Payment read = read(local, GOLDEN_TIME, "a0e6c5ecbf68", ZoneId.of("Asia/Kolkata"));

    assertThat(read.getEventTime()).isEqualTo(TIME);
  }

  @Test
  void localTimestampsWithoutAZoneAreABadRecord() {
    Schema local = replace("event_time", localMillis());
    assertThatThrownBy(() -> read(local, GOLDEN_TIME, "a0e6c5ecbf68", null))
        .isInstanceOf(BadRecordException.class)
        .hasMessage("event_time is a local timestamp and no time zone is configured to place it");
  }

  @Test
  void aWriterWithTheReadersLogicalTypesReadsTheGoldenBytesUnchanged() throws Exception {
    Payment read = read(Payment.getClassSchema(), GOLDEN_AMOUNT, GOLDEN_AMOUNT);

    assertThat(read).isEqualTo(WireFormatTest.fixedPayment());
  }

  private static Payment read(Schema writer, String goldenPart, String replacement)
      throws Exception {
    return read(writer, goldenPart, replacement, null);
  }

  /** The golden Payment with {@code goldenPart} replaced, under {@code writer}'s schema id. */
  private static Payment read(Schema writer, String goldenPart, String replacement, ZoneId zone)
      throws Exception {
    String golden = WireFormatTest.GOLDEN_PAYMENT;
    assertThat(golden).containsOnlyOnce(goldenPart);
    int id = registry.register("logical-" + writer.hashCode() + "-value", writer);
    String body = golden.substring(10).replace(goldenPart, replacement);
    byte[] bytes = HexFormat.of().parseHex("00" + String.format("%08x", id) + body);
    return new AvroWireDeserializer<>(registry, Payment.class, zone).deserialize(bytes);
  }

  private static Payment with(BigDecimal amount, Instant time) {
    Payment p = WireFormatTest.fixedPayment();
    p.setAmount(amount);
    p.setEventTime(time);
    return p;
  }

  private static Schema amountOfScale(int scale) {
    return replace("amount", decimal(18, scale));
  }

  private static Schema decimal(int precision, int scale) {
    return LogicalTypes.decimal(precision, scale).addToSchema(Schema.create(Schema.Type.BYTES));
  }

  private static Schema micros() {
    return LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
  }

  private static Schema localMillis() {
    return LogicalTypes.localTimestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
  }

  /** Payment's schema with one field's type replaced, as another producer might have written it. */
  private static Schema replace(String field, Schema type) {
    Schema current = Payment.getClassSchema();
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : current.getFields()) {
      fields.add(new Schema.Field(f, f.name().equals(field) ? type : f.schema()));
    }
    return Schema.createRecord(current.getName(), null, current.getNamespace(), false, fields);
  }
}
