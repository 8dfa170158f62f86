package io.riskstream.detect;

import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.payment;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** An order's payments are stored once however many parts each plays, and survive a round trip. */
class OrderStateTest {
  private final TypeSerializer<OrderMatcher.OrderState> serializer =
      OrderMatcher.OrderState.type().createSerializer(new SerializerConfigImpl());

  private final Payment paid =
      payment("PE-1", "O-1", PaymentStatus.PAID, "2500", BEGINNING).build();
  private final Payment success =
      payment("PE-2", "O-1", PaymentStatus.SUCCESS, "2500", BEGINNING.plusSeconds(5))
          .setUtr("412345678901")
          .build();

  @Test
  void aPaymentInSeveralPartsIsStoredOnce() throws Exception {
    OrderMatcher.OrderState order = new OrderMatcher.OrderState();
    order.firstPayment(paid);
    order.firstPaid(paid);
    order.firstSuccess(success);
    order.success("412345678901", success);
    order.ending(success);
    order.compact();

    OrderMatcher.OrderState read = roundTrip(order);

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
    OrderMatcher.OrderState read = roundTrip(order);

    // A SUCCESS arrives late that came before everything: it takes every part the first one had.
    read.firstPayment(earlierSuccess);
    read.firstSuccess(earlierSuccess);
    read.success("412345678901", earlierSuccess);
    read.compact();
    OrderMatcher.OrderState after = roundTrip(read);

    assertThat(after.payments).containsExactly(earlierSuccess);
    assertThat(after.firstPayment()).isEqualTo(earlierSuccess);
    assertThat(after.firstSuccess()).isEqualTo(earlierSuccess);
    assertThat(after.successes()).containsExactly(earlierSuccess);
    assertThat(after.firstPaid()).isNull();
  }

  private OrderMatcher.OrderState roundTrip(OrderMatcher.OrderState order) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(256);
    serializer.serialize(order, out);
    return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
  }
}
