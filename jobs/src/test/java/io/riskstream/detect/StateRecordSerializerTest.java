package io.riskstream.detect;

import static io.riskstream.testing.Harnesses.record;
import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.bill;
import static io.riskstream.testing.TestEvents.ledger;
import static io.riskstream.testing.TestEvents.payment;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.EvidenceSource;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentKind;
import io.riskstream.avro.PaymentStatus;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.HexFormat;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * The serializer of the records in the detectors' state (payments, bank and ledger lines,
 * evidence): every field back as written, its byte layout pinned (a snapshot of the same schema
 * restores as is, so the layout must not move), and state written before it (by Flink's Avro
 * serializer, or under an older schema) migrated on restore.
 */
class StateRecordSerializerTest {

  private static <T extends SpecificRecordBase> T roundTrip(TypeSerializer<T> serializer, T record)
      throws IOException {
    return serializer.deserialize(new DataInputDeserializer(bytes(serializer, record)));
  }

  private static <T> byte[] bytes(TypeSerializer<T> serializer, T record) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(record, out);
    return out.getCopyOfBuffer();
  }

  /** The snapshot as Flink writes it into a checkpoint and reads it back. */
  private static <T> TypeSerializerSnapshot<T> throughACheckpoint(TypeSerializer<T> serializer)
      throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(256);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
    return TypeSerializerSnapshot.readVersionedSnapshot(
        new DataInputDeserializer(out.getCopyOfBuffer()),
        StateRecordSerializerTest.class.getClassLoader());
  }

  @Test
  void everyFieldOfAPaymentComesBackAsWritten() throws IOException {
    Payment full =
        payment("PE-1", "O-1", PaymentStatus.REFUNDED, "12345.67", BEGINNING)
            .setKind(PaymentKind.PAYOUT)
            .setPayeeVpa("शॉप@upi") // beyond ASCII
            .setDeviceId("D-9")
            .build();
    Payment sparse =
        payment("PE-2", "O-2", PaymentStatus.CREATED, "0.01", BEGINNING)
            .setCwid(null)
            .setUserId(null)
            .setAccountId(null)
            .setChannel(null)
            .setPayerVpa(null)
            .setIp(null)
            .build();

    TypeSerializer<Payment> serializer = StateRecordSerializer.of(Payment.class);
    assertThat(roundTrip(serializer, full)).isEqualTo(full);
    assertThat(roundTrip(serializer, sparse)).isEqualTo(sparse);
    assertThat(serializer.copy(full)).isEqualTo(full).isNotSameAs(full);
  }

  @Test
  void everyFieldOfALedgerLineComesBackAsWrittenWithNullableAmounts() throws IOException {
    BalanceChange withFee =
        ledger("L-1", "WA-1", 323, "2500", "100", BEGINNING)
            .setUserId("U-1")
            .setOrderNo("O-1")
            .setFee(new BigDecimal("-1.50"))
            .setOperatorId("OP-1")
            .setIp("10.0.0.1")
            .build();
    BalanceChange withoutOpening =
        ledger("L-2", "WA-1", 342, "-7", "0", BEGINNING).setOpeningBalance(null).build();
    // 25 digits: more than a long holds, more than the schema's precision allows in a record on
    // the wire; state keeps what it is given.
    BalanceChange huge =
        ledger("L-3", "WA-1", 323, "1", "0", BEGINNING)
            .setClosingBalance(new BigDecimal("12345678901234567890123.45"))
            .build();

    TypeSerializer<BalanceChange> serializer = StateRecordSerializer.of(BalanceChange.class);
    assertThat(roundTrip(serializer, withFee)).isEqualTo(withFee);
    assertThat(roundTrip(serializer, withoutOpening)).isEqualTo(withoutOpening);
    assertThat(roundTrip(serializer, huge)).isEqualTo(huge);
  }

  @Test
  void aBankLinesBytesAreTheDocumentedLayout() throws IOException {
    Bill line = bill("B-1", "412345678901", "2500", BEGINNING).build();

    // Written by hand, field by field in the schema's order: a string is its length + 1 and its
    // characters (Flink's StringValue; 0 is null), an enum its symbol's index, a decimal its scale,
    // a 1 (fits a long) and the unscaled long, a boolean one byte, a timestamp its epoch millis.
    String expected =
        "04422d31" // bill_id "B-1"
            + "0d343132333435363738393031" // utr "412345678901"
            + "0543572d31" // cwid "CW-1"
            + "00" // direction CREDIT
            + "0201000000000003d090" // amount 2500.00: scale 2, 250000
            + "04494e52" // currency "INR"
            + "00" // counterparty_vpa null
            + "01" // deduct_status DEDUCTED
            + "01" // picked_up true
            + "000001a1fd8c6900"; // event_time 2026-11-21T10:00:00Z = 1795255200000
    assertThat(HexFormat.of().formatHex(bytes(StateRecordSerializer.of(Bill.class), line)))
        .isEqualTo(expected);
  }

  @Test
  void aSnapshotOfTheSameSchemaRestoresAsIs() throws IOException {
    TypeSerializer<Payment> serializer = StateRecordSerializer.of(Payment.class);
    TypeSerializerSnapshot<Payment> restored = throughACheckpoint(serializer);

    assertThat(
            serializer
                .snapshotConfiguration()
                .resolveSchemaCompatibility(restored)
                .isCompatibleAsIs())
        .isTrue();
    assertThat(restored.restoreSerializer()).isEqualTo(serializer);
  }

  @Test
  void stateWrittenByFlinksAvroSerializerIsMigrated() throws IOException {
    TypeSerializerSnapshot<Payment> before =
        throughACheckpoint(new AvroSerializer<>(Payment.class));

    TypeSerializerSchemaCompatibility<Payment> compatibility =
        StateRecordSerializer.of(Payment.class)
            .snapshotConfiguration()
            .resolveSchemaCompatibility(before);

    assertThat(compatibility.isCompatibleAfterMigration()).isTrue();
  }

  /** The payment schema as it would have been without {@code field}. */
  private static String paymentWithout(String field) {
    Schema now = Payment.getClassSchema();
    return Schema.createRecord(
            now.getName(),
            now.getDoc(),
            now.getNamespace(),
            false,
            now.getFields().stream()
                .filter(f -> !f.name().equals(field))
                .map(f -> new Schema.Field(f, f.schema()))
                .toList())
        .toString();
  }

  @Test
  void stateWrittenUnderASchemaWithoutANullableFieldRestoresWithTheFieldNull() throws IOException {
    StateRecordSerializer<Payment> older =
        new StateRecordSerializer<>(Payment.class, paymentWithout("device_id"));
    Payment written =
        payment("PE-1", "O-1", PaymentStatus.SUCCESS, "10", BEGINNING).setDeviceId("D-1").build();
    byte[] bytes = bytes(older, written);

    TypeSerializerSnapshot<Payment> before = throughACheckpoint(older);
    TypeSerializerSchemaCompatibility<Payment> compatibility =
        StateRecordSerializer.of(Payment.class)
            .snapshotConfiguration()
            .resolveSchemaCompatibility(before);
    Payment restored = before.restoreSerializer().deserialize(new DataInputDeserializer(bytes));

    assertThat(compatibility.isCompatibleAfterMigration()).isTrue();
    assertThat(restored).isEqualTo(Payment.newBuilder(written).setDeviceId(null).build());
  }

  @Test
  void stateWrittenUnderASchemaWithoutARequiredFieldIsIncompatible() throws IOException {
    TypeSerializerSnapshot<Payment> before =
        throughACheckpoint(new StateRecordSerializer<>(Payment.class, paymentWithout("event_id")));

    assertThat(
            StateRecordSerializer.of(Payment.class)
                .snapshotConfiguration()
                .resolveSchemaCompatibility(before)
                .isIncompatible())
        .isTrue();
  }

  // --- the detectors' state of before, restored on RocksDB -----------------------------------

  /**
   * Keeps what the detectors keep, under their states' names and with the records written by
   * Flink's Avro serializer ({@code avro}) or by StateRecordSerializer: OrderMatcher's order (a
   * payment and a ledger line), a hot UTR's claim in UtrMatcher's map state, BalanceChainChecker's
   * last line and a line waiting in its buckets, LedgerPendingDetector's pending line, and an IP's
   * payer in IpBurstDetector's value. Emits what it reads back.
   */
  private static final class Keeper extends KeyedProcessFunction<String, Payment, String> {
    private final boolean avro;
    private transient ValueState<OrderMatcher.OrderState> order;
    private transient MapState<String, Payment> claims;
    private transient ValueState<BalanceChange> lastLine;
    private transient EventTimeBuffer<BalanceChange> waiting;
    private transient ValueState<LedgerPendingDetector.LineState> pending;
    private transient ValueState<IpBurstDetector.IpState> ip;

    Keeper(boolean avro) {
      this.avro = avro;
    }

    private <T extends SpecificRecordBase> TypeInformation<T> type(Class<T> record) {
      return avro ? new AvroTypeInfo<>(record) : StateRecordSerializer.typeOf(record);
    }

    @Override
    public void open(OpenContext context) {
      TypeInformation<Payment> payment = type(Payment.class);
      TypeInformation<BalanceChange> line = type(BalanceChange.class);
      var runtime = getRuntimeContext();
      order =
          runtime.getState(
              new ValueStateDescriptor<>("order-v2", OrderMatcher.OrderState.type(payment, line)));
      claims = runtime.getMapState(new MapStateDescriptor<>("claims", Types.STRING, payment));
      lastLine = runtime.getState(new ValueStateDescriptor<>("last-line", line));
      waiting = new EventTimeBuffer<>(runtime, "waiting-by-time", line, BalanceChange::getLogId);
      pending =
          runtime.getState(
              new ValueStateDescriptor<>("line", LedgerPendingDetector.LineState.type(line)));
      ip =
          runtime.getState(
              new ValueStateDescriptor<>("ip", IpBurstDetector.IpState.type(type(Evidence.class))));
    }

    @Override
    public void processElement(Payment p, Context ctx, Collector<String> out) throws Exception {
      if (order.value() == null) { // keep
        OrderMatcher.OrderState kept = new OrderMatcher.OrderState();
        kept.firstPayment(p);
        kept.lines.put("L-1", ledgerLine());
        order.update(kept);
        claims.put(p.getOrderNo(), p);
        lastLine.update(ledgerLine());
        waiting.add(ledgerLine(), 7L, time -> {});
        LedgerPendingDetector.LineState line = new LedgerPendingDetector.LineState();
        line.pending = ledgerLine();
        pending.update(line);
        IpBurstDetector.IpState payers = new IpBurstDetector.IpState();
        payers.payers.put("payer@upi", evidence());
        ip.update(payers);
        return;
      }
      out.collect( // read back
          String.join(
              " | ",
              order.value().firstPayment().toString(),
              order.value().lines.get("L-1").toString(),
              claims.get(p.getOrderNo()).toString(),
              lastLine.value().toString(),
              waiting.take(7L, EventOrder.LINES).toString(),
              pending.value().pending.toString(),
              ip.value().payers.get("payer@upi").toString()));
    }
  }

  private static BalanceChange ledgerLine() {
    return ledger("L-1", "WA-1", 323, "2500", "0", BEGINNING).setOrderNo("O-1").build();
  }

  private static Evidence evidence() {
    return new Evidence(EvidenceSource.PAYMENT, "PE-1", BEGINNING);
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, Payment, String> keeper(
      Keeper keeper, OperatorSubtaskState restored) throws Exception {
    return RestoreFromSnapshotTest.opened(
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(keeper), Payment::getOrderNo, Types.STRING),
        restored);
  }

  @Test
  void detectorStateWrittenWithFlinksAvroSerializerIsReadAfterARestoreOnRocksDb() throws Exception {
    Payment paid =
        payment("PE-1", "O-1", PaymentStatus.PAID, "2500", BEGINNING).setDeviceId("D-1").build();
    OperatorSubtaskState snapshot;
    try (var before = keeper(new Keeper(true), null)) {
      before.processElement(record(paid));
      snapshot = before.snapshot(1, 1);
    }

    try (var after = keeper(new Keeper(false), snapshot)) {
      after.processElement(record(paid));

      String line = ledgerLine().toString();
      assertThat(after.extractOutputValues())
          .containsExactly(
              String.join(
                  " | ",
                  paid.toString(),
                  line,
                  paid.toString(),
                  line,
                  "[" + line + "]",
                  line,
                  evidence().toString()));
    }
  }
}
