package io.riskstream.detect;

import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.payment;
import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentKind;
import io.riskstream.avro.PaymentStatus;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * A payment that plays several parts in a key's state value is stored once, the parts survive a
 * round trip through the value's serializer, and a payment no part names any more is dropped.
 */
class StoredOnceTest {
  private static final TypeInformation<OrderMatcher.OrderState> ORDER =
      OrderMatcher.OrderState.type();
  private static final TypeInformation<UtrMatcher.UtrState> UTR = UtrMatcher.UtrState.type();

  private final Payment paid =
      payment("PE-1", "O-1", PaymentStatus.PAID, "2500", BEGINNING).build();
  private final Payment success =
      payment("PE-2", "O-1", PaymentStatus.SUCCESS, "2500", BEGINNING.plusSeconds(5))
          .setUtr("412345678901")
          .build();

  /** Claims {@code success}'s UTR for order O-1. */
  private final Payment claim = success;

  @Test
  void aPaymentInSeveralPartsIsStoredOnce() throws Exception {
    OrderMatcher.OrderState order = new OrderMatcher.OrderState();
    order.firstPayment(paid);
    order.firstPaid(paid);
    order.firstSuccess(success);
    order.success("412345678901", success);
    order.ending(success);
    order.compact();

    OrderMatcher.OrderState read = roundTrip(ORDER, order);

    assertThat(read.payments).containsExactly(paid, success);
    assertThat(read.firstPayment()).isEqualTo(paid);
    assertThat(read.firstPaid()).isEqualTo(paid);
    assertThat(read.firstSuccess()).isEqualTo(success);
    assertThat(read.success("412345678901")).isEqualTo(success);
    assertThat(read.successes()).containsExactly(success);
    assertThat(read.ending()).isEqualTo(success);
    assertThat(read.firstRefund()).isNull();
  }

  @Test
  void aPaymentReplacedInEveryPartIsDropped() throws Exception {
    Payment earlierSuccess =
        payment("PE-0", "O-1", PaymentStatus.SUCCESS, "2500", BEGINNING.minusSeconds(5))
            .setUtr("412345678901")
            .build();
    OrderMatcher.OrderState order = new OrderMatcher.OrderState();
    order.firstPayment(paid);
    order.firstSuccess(success);
    order.success("412345678901", success);
    OrderMatcher.OrderState read = roundTrip(ORDER, order);

    // A SUCCESS arrives late that came before everything: it takes every part the first one had.
    read.firstPayment(earlierSuccess);
    read.firstSuccess(earlierSuccess);
    read.success("412345678901", earlierSuccess);
    read.compact();
    OrderMatcher.OrderState after = roundTrip(ORDER, read);

    assertThat(after.payments).containsExactly(earlierSuccess);
    assertThat(after.firstPayment()).isEqualTo(earlierSuccess);
    assertThat(after.firstSuccess()).isEqualTo(earlierSuccess);
    assertThat(after.successes()).containsExactly(earlierSuccess);
    assertThat(after.firstPaid()).isNull();
  }

  @Test
  void theFirstClaimOfItsOrderIsStoredOnce() throws Exception {
    UtrMatcher.UtrState state = new UtrMatcher.UtrState();
    state.putClaim(claim);
    state.firstClaim(PaymentKind.COLLECT, claim);

    UtrMatcher.UtrState read = roundTrip(UTR, state);

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
    UtrMatcher.UtrState read = roundTrip(UTR, state);

    // The order's earlier claim arrives late (say, malformed): it becomes the order's claim, and
    // the first claim of its kind stays the one it was until the matcher decides otherwise.
    Payment earlier =
        payment("PE-1", "O-1", PaymentStatus.PAID, "2500", BEGINNING)
            .setUtr("41234567890X")
            .build();
    read.putClaim(earlier);
    UtrMatcher.UtrState after = roundTrip(UTR, read);

    assertThat(after.claims).containsExactly(entry("O-1", earlier));
    assertThat(after.firstClaimOrders).isEmpty();
    assertThat(after.firstClaim(PaymentKind.COLLECT)).isEqualTo(claim);

    after.firstClaim(PaymentKind.COLLECT, null);
    assertThat(roundTrip(UTR, after).firstClaims()).isEmpty();
  }

  private static <T> T roundTrip(TypeInformation<T> type, T value) throws Exception {
    var serializer = type.createSerializer(new SerializerConfigImpl());
    DataOutputSerializer out = new DataOutputSerializer(256);
    serializer.serialize(value, out);
    return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
  }
}
