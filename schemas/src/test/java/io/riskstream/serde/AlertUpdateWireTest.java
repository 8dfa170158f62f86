package io.riskstream.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.AlertStatus;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.EvidenceSource;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.testkit.EmbeddedSchemaRegistry;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The alert lifecycle's record (spec section 6, docs/contract.md): the fields in the contract's
 * order and the bytes a consumer in another language must read.
 */
class AlertUpdateWireTest {
  static AlertUpdate retraction() {
    return AlertUpdate.newBuilder()
        .setAlertId("a1")
        .setStatus(AlertStatus.RETRACTED)
        .setReason("LATE")
        .setEvidence(
            List.of(
                Evidence.newBuilder()
                    .setSource(EvidenceSource.BILL)
                    .setId("B-1")
                    .setEventTime(Instant.ofEpochMilli(1000))
                    .build()))
        .setEventTime(Instant.ofEpochMilli(1000))
        .setUpdatedAt(Instant.ofEpochMilli(2000))
        .build();
  }

  /** Written out field by field from the Avro binary encoding rules, not from our encoder. */
  static final String GOLDEN_RETRACTION =
      "00"
          + "00000001" // magic byte, schema id 1
          + "04"
          + "6131" // alert_id "a1"
          + "04" // status RETRACTED: enum index 2
          + "08"
          + "4c415445" // reason "LATE"
          + "00" // note: null
          + "00" // actor: null (the job)
          + "02" // evidence: a block of 1 item
          + "02" // source BILL: enum index 1
          + "06"
          + "422d31" // id "B-1"
          + "d00f" // event_time 1000 ms: zig-zag 2000 as a varint
          + "00" // end of the array
          + "d00f" // event_time 1000 ms
          + "a01f"; // updated_at 2000 ms: zig-zag 4000

  @Test
  void itsFieldsAreTheContractsInItsOrder() {
    assertThat(AlertUpdate.getClassSchema().getFields())
        // Without the Java code generator's string property, which is no part of the contract.
        .extracting(
            f ->
                f.name()
                    + ":"
                    + f.schema()
                        .toString()
                        .replace(
                            "{\"type\":\"string\",\"avro.java.string\":\"String\"}", "\"string\""))
        .containsExactly(
            "alert_id:\"string\"",
            "status:{\"type\":\"enum\",\"name\":\"AlertStatus\",\"namespace\":\"io.riskstream.avro\","
                + "\"symbols\":[\"ACKNOWLEDGED\",\"RESOLVED\",\"RETRACTED\",\"REOPENED\"]}",
            "reason:\"string\"",
            "note:[\"null\",\"string\"]",
            "actor:[\"null\",\"string\"]",
            "evidence:{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":\"Evidence\","
                + "\"namespace\":\"io.riskstream.avro\",\"fields\":[{\"name\":\"source\",\"type\":"
                + "{\"type\":\"enum\",\"name\":\"EvidenceSource\",\"symbols\":[\"PAYMENT\",\"BILL\","
                + "\"BALANCE_CHANGE\"]}},{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"event_time\","
                + "\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}}]}}",
            "event_time:{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}",
            "updated_at:{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}");
  }

  @Test
  void aRetractionEncodesToTheGoldenBytesAndBack() throws Exception {
    try (EmbeddedSchemaRegistry fresh = EmbeddedSchemaRegistry.start(0)) {
      SchemaRegistryClient client = new SchemaRegistryClient(fresh.url());
      var serializer =
          new AvroWireSerializer<>(client, "risk-alert-updates-value", AlertUpdate.class, true);

      byte[] bytes = serializer.serialize(retraction());

      assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(GOLDEN_RETRACTION);
      assertThat(new AvroWireDeserializer<>(client, AlertUpdate.class).deserialize(bytes))
          .isEqualTo(retraction());
    }
  }
}
