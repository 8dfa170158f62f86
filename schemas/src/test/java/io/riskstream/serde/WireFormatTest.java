package io.riskstream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentKind;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.registry.RegistryUnavailableException;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.testkit.EmbeddedSchemaRegistry;
import io.riskstream.testkit.RegistryServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class WireFormatTest {
  @RegisterExtension static final RegistryServer SERVER = new RegistryServer();
  private static SchemaRegistryClient registry;

  @BeforeAll
  static void client() {
    registry = new SchemaRegistryClient(SERVER.url());
  }

  static Payment fixedPayment() {
    return Payment.newBuilder()
        .setEventId("E-1")
        .setOrderNo("O-1")
        .setMerchantId("M-1")
        .setUserId("U-1")
        .setKind(PaymentKind.COLLECT)
        .setStatus(PaymentStatus.PAID)
        .setAmount(new BigDecimal("1500.00"))
        .setUtr("412345678901")
        .setChannel("UPI")
        .setEventTime(Instant.parse("2026-11-21T10:15:30Z"))
        .build();
  }

  /**
   * The expected bytes, written out field by field from the Avro binary encoding rules, not from
   * our encoder.
   */
  static final String GOLDEN_PAYMENT =
      "00"
          + "00000001" // magic byte, schema id 1 (big-endian)
          + "06"
          + "452d31" // event_id "E-1": zig-zag length 3, bytes
          + "06"
          + "4f2d31" // order_no "O-1"
          + "06"
          + "4d2d31" // merchant_id "M-1"
          + "00" // cwid: union branch 0 (null)
          + "02"
          + "06"
          + "552d31" // user_id: union branch 1, "U-1"
          + "00" // account_id: null
          + "00" // kind: COLLECT (enum index 0)
          + "02" // status: PAID (enum index 1, zig-zag 2)
          + "06"
          + "0249f0" // amount 1500.00: unscaled 150000 as 3 two's-complement bytes
          + "06"
          + "494e52" // currency "INR"
          + "02"
          + "18"
          + "343132333435363738393031" // utr: branch 1, "412345678901"
          + "02"
          + "06"
          + "555049" // channel: branch 1, "UPI"
          + "00"
          + "00"
          + "00"
          + "00" // payer_vpa, payee_vpa, ip, device_id: null
          + "a0e7d4d9bf68"; // event_time 1795256130000 ms as a zig-zag varint

  @Test
  void fixedPaymentEncodesToTheGoldenBytesAndBack() throws Exception {
    // A fresh registry, so that the Payment schema gets id 1.
    try (EmbeddedSchemaRegistry fresh = EmbeddedSchemaRegistry.start(0)) {
      SchemaRegistryClient client = new SchemaRegistryClient(fresh.url());
      var serializer = new AvroWireSerializer<>(client, "payments-value", Payment.class, true);

      byte[] bytes = serializer.serialize(fixedPayment());

      assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(GOLDEN_PAYMENT);
      assertThat(new AvroWireDeserializer<>(client, Payment.class).deserialize(bytes))
          .isEqualTo(fixedPayment());
      assertThat(client.subjects()).containsExactly("payments-value");
    }
  }

  @Test
  void newerWriterWithAnExtraOptionalFieldIsReadIntoTheCurrentSchema() throws Exception {
    Schema current = Payment.getClassSchema();
    Schema newer =
        copyWith(
            current,
            new Schema.Field(
                "risk_score",
                nullable(Schema.create(Schema.Type.DOUBLE)),
                null,
                Schema.Field.NULL_DEFAULT_VALUE));
    GenericRecord record = genericCopy(fixedPayment(), newer);
    record.put("risk_score", 0.93);

    int id = registry.register("evolution-newer-value", newer);
    Payment read =
        new AvroWireDeserializer<>(registry, Payment.class).deserialize(encode(id, newer, record));

    assertThat(read).isEqualTo(fixedPayment());
  }

  @Test
  void olderWriterMissingAnOptionalFieldIsReadWithTheDefault() throws Exception {
    Schema current = Payment.getClassSchema();
    Schema older = copyWithout(current, "device_id");
    GenericRecord record = genericCopy(fixedPayment(), older);

    int id = registry.register("evolution-older-value", older);
    Payment read =
        new AvroWireDeserializer<>(registry, Payment.class).deserialize(encode(id, older, record));

    assertThat(read).isEqualTo(fixedPayment());
    assertThat(read.getDeviceId()).isNull();
  }

  @Test
  void writerMissingARequiredFieldIsABadRecord() throws Exception {
    Schema withoutOrderNo = copyWithout(Payment.getClassSchema(), "order_no");
    GenericRecord record = genericCopy(fixedPayment(), withoutOrderNo);
    int id = registry.register("evolution-broken-value", withoutOrderNo);

    assertThatThrownBy(
            () ->
                new AvroWireDeserializer<>(registry, Payment.class)
                    .deserialize(encode(id, withoutOrderNo, record)))
        .isInstanceOf(BadRecordException.class)
        .hasMessageContaining("order_no");
  }

  @Test
  void everyKindOfBrokenBytesIsABadRecordWithAReason() {
    var serializer = new AvroWireSerializer<>(registry, "payments-value", Payment.class, true);
    byte[] good = serializer.serialize(fixedPayment());
    var deserializer = new AvroWireDeserializer<>(registry, Payment.class);

    byte[] badMagic = good.clone();
    badMagic[0] = 7;
    byte[] unknownId = good.clone();
    unknownId[4] = 99;
    byte[] truncatedBody = java.util.Arrays.copyOf(good, good.length - 3);

    assertThatThrownBy(() -> deserializer.deserialize(badMagic))
        .hasMessage("unknown magic byte 0x07: expected 0x00 (Confluent wire format)");
    assertThatThrownBy(() -> deserializer.deserialize(new byte[] {0, 0, 1}))
        .hasMessage("truncated header: 3 bytes, expected at least 5");
    assertThatThrownBy(() -> deserializer.deserialize(unknownId))
        .isInstanceOf(BadRecordException.class)
        .hasMessageStartingWith("unknown schema id 99 (schema registry: 404/40403");
    assertThatThrownBy(() -> deserializer.deserialize(truncatedBody))
        .isInstanceOf(BadRecordException.class)
        .hasMessageStartingWith("truncated Avro body for schema id");
  }

  @Test
  void unreachableRegistryIsAnOutageNotABadRecord() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    SchemaRegistryClient down =
        new SchemaRegistryClient(
            new SchemaRegistryClient.Settings(
                List.of("http://127.0.0.1:" + closedPort), null, Duration.ofSeconds(1), 2));
    byte[] bytes =
        new AvroWireSerializer<>(registry, "payments-value", Payment.class, true)
            .serialize(fixedPayment());

    assertThatThrownBy(() -> new AvroWireDeserializer<>(down, Payment.class).deserialize(bytes))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessageContaining("after 2 attempts");
  }

  @Test
  void failsOverToTheNextRegistryUrl() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    SchemaRegistryClient client =
        new SchemaRegistryClient("http://127.0.0.1:" + closedPort + "," + SERVER.url());
    byte[] bytes =
        new AvroWireSerializer<>(client, "payments-value", Payment.class, true)
            .serialize(fixedPayment());

    assertThat(new AvroWireDeserializer<>(registry, Payment.class).deserialize(bytes))
        .isEqualTo(fixedPayment());
  }

  static Schema nullable(Schema schema) {
    return Schema.createUnion(Schema.create(Schema.Type.NULL), schema);
  }

  static Schema copyWith(Schema schema, Schema.Field extra) {
    List<Schema.Field> fields = new java.util.ArrayList<>();
    schema.getFields().forEach(f -> fields.add(new Schema.Field(f, f.schema())));
    fields.add(extra);
    return Schema.createRecord(schema.getName(), null, schema.getNamespace(), false, fields);
  }

  static Schema copyWithout(Schema schema, String dropped) {
    List<Schema.Field> fields = new java.util.ArrayList<>();
    schema.getFields().stream()
        .filter(f -> !f.name().equals(dropped))
        .forEach(f -> fields.add(new Schema.Field(f, f.schema())));
    return Schema.createRecord(schema.getName(), null, schema.getNamespace(), false, fields);
  }

  /** The specific record's values under another schema of the same record, by field name. */
  static GenericRecord genericCopy(Payment payment, Schema schema) {
    GenericData.Record record = new GenericData.Record(schema);
    for (Schema.Field f : schema.getFields()) {
      Schema.Field source = payment.getSchema().getField(f.name());
      if (source != null) {
        record.put(f.name(), payment.get(source.pos()));
      }
    }
    return record;
  }

  static byte[] encode(int schemaId, Schema schema, GenericRecord record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(java.nio.ByteBuffer.allocate(4).putInt(schemaId).array());
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    GenericData model = new GenericData();
    model.addLogicalTypeConversion(new org.apache.avro.Conversions.DecimalConversion());
    model.addLogicalTypeConversion(
        new org.apache.avro.data.TimeConversions.TimestampMillisConversion());
    new GenericDatumWriter<GenericRecord>(schema, model).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
