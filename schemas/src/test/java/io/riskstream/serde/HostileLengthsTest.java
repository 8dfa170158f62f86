package io.riskstream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.avro.Alert;
import io.riskstream.avro.Payment;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.testkit.RegistryServer;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Records whose Avro lengths declare far more than they carry (a corrupt or hostile producer) are
 * bad input, found before anything of that length is allocated: Avro would allocate what the prefix
 * says, and a 2 GB prefix restarted the job for ever on a 1 GB heap. The bodies are written out by
 * hand from the Avro encoding rules.
 */
class HostileLengthsTest {
  @RegisterExtension static final RegistryServer SERVER = new RegistryServer();
  private static SchemaRegistryClient registry;

  @BeforeAll
  static void client() {
    registry = new SchemaRegistryClient(SERVER.url());
  }

  private static byte[] wire(int schemaId, String bodyHex) {
    byte[] body = HexFormat.of().parseHex(bodyHex);
    return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(schemaId).put(body).array();
  }

  @Test
  void aStringLengthOfAGigabyteInASmallRecordIsRefusedBeforeItIsAllocated() throws Exception {
    int id = registry.register("hostile-payments-value", Payment.getClassSchema());
    // event_id: zig-zag varint of 1,073,741,824 (2,147,483,648 = 80 80 80 80 08), then 3 bytes.
    byte[] record = wire(id, "8080808008" + "452d31");

    assertThatThrownBy(
            () -> new AvroWireDeserializer<>(registry, Payment.class).deserialize(record))
        .isInstanceOf(BadRecordException.class)
        .hasMessage(
            "truncated Avro body for schema id "
                + id
                + ": a length, item count or field runs past its 8 bytes");
  }

  @Test
  void anArrayOfAHundredMillionItemsInASmallRecordIsRefusedBeforeItIsAllocated() throws Exception {
    int id = registry.register("hostile-alerts-value", Alert.getClassSchema());
    // alert_id "a", type FORGED_UTR (0), reason "r", severity LOW (0), rule_id "x", rule_version
    // 1, the seven nullable keys null, amount null, summary "s", then evidence: a block of
    // 100,000,000 items (zig-zag 200,000,000 = 80 84 af 5f) and one byte.
    String body =
        "0261"
            + "00"
            + "0272"
            + "00"
            + "0278"
            + "02"
            + "00000000000000"
            + "00"
            + "0273"
            + "8084af5f"
            + "00";
    byte[] record = wire(id, body);

    assertThatThrownBy(() -> new AvroWireDeserializer<>(registry, Alert.class).deserialize(record))
        .isInstanceOf(BadRecordException.class)
        .hasMessageEndingWith(": a length, item count or field runs past its 24 bytes");
  }

  @Test
  void aWellFormedRecordStillReads() throws Exception {
    var serializer = new AvroWireSerializer<>(registry, "hostile-good-value", Payment.class, true);
    Payment payment = WireFormatTest.fixedPayment();

    assertThat(
            new AvroWireDeserializer<>(registry, Payment.class)
                .deserialize(serializer.serialize(payment)))
        .isEqualTo(payment);
  }
}
