package io.riskstream.detect;

import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.payment;
import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentKind;
import io.riskstream.avro.PaymentStatus;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** A UTR's first claim is stored once when it is its order's claim, and kept when that changes. */
class UtrStateTest {
  private final TypeSerializer<UtrMatcher.UtrState> serializer =
      UtrMatcher.UtrState.type().createSerializer(new SerializerConfigImpl());

  private final Payment claim =
      payment("PE-2", "O-1", PaymentStatus.PAID, "2500", BEGINNING.plusSeconds(5))
          .setUtr("412345678901")
          .build();

  @Test
  void theFirstClaimOfItsOrderIsStoredOnce() throws Exception {
    UtrMatcher.UtrState state = new UtrMatcher.UtrState();
    state.putClaim(claim);
    state.firstClaim(PaymentKind.COLLECT, claim);

    UtrMatcher.UtrState read = roundTrip(state);

    assertThat(read.claims).containsOnlyKeys("O-1");
    assertThat(read.firstClaims).isEmpty();
    assertThat(read.firstClaimOrders).containsExactly(entry("COLLECT", "O-1"));
    assertThat(read.firstClaim(PaymentKind.COLLECT)).isEqualTo(claim);
    assertThat(read.firstClaim(PaymentKind.PAYOUT)).isNull();
    assertThat(read.firstClaims()).containsExactly(claim);
  }

  @Test
  void aFirstClaimReplacedAsItsOrdersClaimIsKeptApart() throws Exception {
    UtrMatcher.UtrState state = new UtrMatcher.UtrState();
    state.putClaim(claim);
    state.firstClaim(PaymentKind.COLLECT, claim);
    UtrMatcher.UtrState read = roundTrip(state);

    // The order's earlier claim arrives late (say, malformed): it becomes the order's claim, and
    // the first claim of its kind stays the one it was until the matcher decides otherwise.
    Payment earlier =
        payment("PE-1", "O-1", PaymentStatus.PAID, "2500", BEGINNING)
            .setUtr("41234567890X")
            .build();
    read.putClaim(earlier);
    UtrMatcher.UtrState after = roundTrip(read);

    assertThat(after.claims).containsExactly(entry("O-1", earlier));
    assertThat(after.firstClaimOrders).isEmpty();
    assertThat(after.firstClaim(PaymentKind.COLLECT)).isEqualTo(claim);

    after.firstClaim(PaymentKind.COLLECT, null);
    assertThat(roundTrip(after).firstClaims()).isEmpty();
  }

  private UtrMatcher.UtrState roundTrip(UtrMatcher.UtrState state) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(256);
    serializer.serialize(state, out);
    return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
  }
}
