package io.riskstream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertType;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.EvidenceSource;
import io.riskstream.avro.Severity;
import io.riskstream.registry.RegistryException;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.testkit.RegistryServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The alert schema's evolution (docs/contract.md, "Evolving the alert schema"): the change that
 * added alert types gave {@code AlertType} the default {@code UNKNOWN}, so a consumer built on it
 * reads alerts of any type added later; a consumer of the very first schema, which had no default,
 * cannot, and must move to this one.
 */
class AlertEvolutionTest {
  @RegisterExtension static final RegistryServer SERVER = new RegistryServer();
  private static SchemaRegistryClient registry;

  /** The first alert schema, as released: seven types and no enum default. */
  private static Schema first;

  /** The schema released before UTR_TYPO, with the enum default: what consumers run today. */
  private static Schema previous;

  /** A later schema as the next change would write it: one more type, one more optional field. */
  private static Schema later;

  @BeforeAll
  static void schemas() throws IOException {
    registry = new SchemaRegistryClient(SERVER.url());
    try (InputStream in =
        AlertEvolutionTest.class.getResourceAsStream("/evolution/Alert-v1.avsc")) {
      first = new Schema.Parser().parse(in);
    }
    String now = Alert.getClassSchema().toString();
    later =
        new Schema.Parser()
            .parse(
                now.replace("\"UTR_TYPO\"]", "\"UTR_TYPO\",\"NEXT_TYPE\"]")
                    .replace(
                        "{\"name\":\"detected_at\"",
                        "{\"name\":\"ticket\",\"type\":[\"null\",\"string\"],\"default\":null},"
                            + "{\"name\":\"detected_at\""));
    assertThat(later.getField("ticket")).isNotNull();
    assertThat(later.getField("type").schema().getEnumSymbols()).endsWith("NEXT_TYPE");
    previous = new Schema.Parser().parse(now.replace(",\"UTR_TYPO\"", ""));
    assertThat(previous.getField("type").schema().getEnumSymbols()).endsWith("UNKNOWN");
  }

  @Test
  void theSchemaBeforeUtrTypoReadsAUtrTypoAlertAsUnknownAndTheRegistryTakesTheStep()
      throws IOException {
    GenericRecord read = readWith(previous, alert(AlertType.UTR_TYPO));
    assertThat(read.get("type").toString()).isEqualTo("UNKNOWN");
    assertThat(read.get("alert_id").toString()).isEqualTo("a1");

    String subject = "evolution-typo-alerts-value";
    registry.register(subject, previous);
    registry.setCompatibility(subject, "FULL_TRANSITIVE");
    registry.register(subject, Alert.getClassSchema());
    assertThat(registry.versions(subject)).containsExactly(1, 2);
  }

  @Test
  void aReaderOfThisSchemaReadsATypeAddedLaterAsUnknown() throws IOException {
    // Today's alert field by field (raw Avro values), then what the later schema adds.
    GenericRecord today = readWith(Alert.getClassSchema(), alert(AlertType.FORGED_UTR));
    GenericRecord future = new GenericData.Record(later);
    for (Schema.Field field : Alert.getClassSchema().getFields()) {
      future.put(field.name(), today.get(field.name()));
    }
    future.put("type", new GenericData.EnumSymbol(later.getField("type").schema(), "NEXT_TYPE"));
    future.put("ticket", "T-1");

    Alert read =
        new SpecificDatumReader<Alert>(later, Alert.getClassSchema())
            .read(null, DecoderFactory.get().binaryDecoder(genericBytes(later, future), null));

    assertThat(read.getType()).isEqualTo(AlertType.UNKNOWN);
    assertThat(read.getAlertId()).isEqualTo("a1");
    assertThat(read.getReason()).isEqualTo("NO_BANK_RECORD");
    assertThat(read.getAmount()).isEqualByComparingTo("2500.00");
  }

  @Test
  void theFirstSchemaReadsOldTypesWrittenNowButNotNewOnes() throws IOException {
    GenericRecord old = readWith(first, alert(AlertType.FORGED_UTR));
    assertThat(old.get("type").toString()).isEqualTo("FORGED_UTR");
    assertThat(old.get("alert_id").toString()).isEqualTo("a1");

    // What a consumer of the first schema sees, and why the README tells it to move on.
    assertThatThrownBy(() -> readWith(first, alert(AlertType.STATUS_MISMATCH)))
        .isInstanceOf(AvroTypeException.class)
        .hasMessageContaining("No match for STATUS_MISMATCH");
  }

  @Test
  void theRegistryTakesTheNextSchemaUnderFullTransitive() {
    String subject = "evolution-alerts-value";
    registry.register(subject, Alert.getClassSchema());
    registry.setCompatibility(subject, "FULL_TRANSITIVE");

    assertThat(registry.isCompatible(subject, "latest", later)).isTrue();
    registry.register(subject, later);
    assertThat(registry.versions(subject)).containsExactly(1, 2);
  }

  @Test
  void theFirstSchemaCannotFollowUnderFullButThisOneCanFollowItUnderBackward() {
    String subject = "evolution-first-alerts-value";
    registry.register(subject, first);
    registry.setCompatibility(subject, "FULL");
    assertThatThrownBy(() -> registry.register(subject, Alert.getClassSchema()))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("409");

    registry.setCompatibility(subject, "BACKWARD");
    registry.register(subject, Alert.getClassSchema());
    assertThat(registry.versions(subject)).containsExactly(1, 2);
  }

  private static Alert alert(AlertType type) {
    return Alert.newBuilder()
        .setAlertId("a1")
        .setType(type)
        .setReason("NO_BANK_RECORD")
        .setSeverity(Severity.HIGH)
        .setRuleId("forged-utr")
        .setRuleVersion(1)
        .setUtr("412345678901")
        .setAmount(new BigDecimal("2500.00"))
        .setSummary("s")
        .setEvidence(
            List.of(
                new Evidence(EvidenceSource.PAYMENT, "E-1", Instant.parse("2026-11-21T10:00:00Z"))))
        .setEventTime(Instant.parse("2026-11-21T10:30:00Z"))
        .setDetectedAt(Instant.parse("2026-11-21T10:31:00Z"))
        .build();
  }

  /** {@code alert} written with this schema, read with {@code reader}. */
  private static GenericRecord readWith(Schema reader, Alert alert) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<>(Alert.class).write(alert, encoder);
    encoder.flush();
    return new GenericDatumReader<GenericRecord>(Alert.getClassSchema(), reader)
        .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
  }

  private static byte[] genericBytes(Schema schema, GenericRecord record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
