package io.riskstream.detect;

import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.ledger;
import static io.riskstream.testing.TestEvents.payment;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.avro.RuleUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The write-back cache in front of RocksDB ({@link KeyedStateCache}) loses nothing: what the
 * detector kept before a checkpoint is in the snapshot, whether it was still in the cache at the
 * barrier (a large cache) or was written when it left it (a cache of one key). The snapshot is
 * restored into a detector without a cache, which reads RocksDB alone. The expected alerts are
 * written from docs/contract.md (Alerts).
 */
class KeyedStateCacheTest {
  private static final Instant MUCH_LATER = BEGINNING.plus(Duration.ofHours(3));
  private static final KeySelector<Either<Payment, BalanceChange>, String> ORDER =
      e -> e.isLeft() ? e.left().getOrderNo() : e.right().getOrderNo();
  private static final List<String> ORDERS = List.of("O-1", "O-2", "O-3");
  private static final ValueStateDescriptor<Long> COUNT =
      new ValueStateDescriptor<>("count", Types.LONG);

  /** OrderMatcher as the job runs it, on RocksDB, caching {@code capacity} keys (0: none). */
  private static KeyedBroadcastOperatorTestHarness<
          String, Either<Payment, BalanceChange>, RuleUpdate, Alert>
      orders(int capacity, OperatorSubtaskState restored) throws Exception {
    RuleBook book = RuleBook.defaults();
    return ExpiryTest.opened(
        new DetectorOperator<>(
            WithRuleUpdates.of(new OrderMatcher(book.view()), book), capacity, null),
        ORDER,
        restored);
  }

  private static void send(
      KeyedBroadcastOperatorTestHarness<String, Either<Payment, BalanceChange>, ?, Alert> h,
      Either<Payment, BalanceChange> event,
      Instant at)
      throws Exception {
    h.processElement(event, at.toEpochMilli());
  }

  /** A cache of {@code capacity} keys of {@code Long} values over the harness's RocksDB state. */
  private static ValueState<Long> cached(
      KeyedOneInputStreamOperatorTestHarness<String, String, String> h,
      int capacity,
      List<KeyedStateCache> caches) {
    AbstractStreamOperator<String> operator = (AbstractStreamOperator<String>) h.getOperator();
    KeyedStateCache cache =
        new KeyedStateCache(
            new KeyContext() {
              @Override
              public void setCurrentKey(Object key) {
                operator.setCurrentKey(key);
              }

              @Override
              public Object getCurrentKey() {
                return operator.getCurrentKey();
              }
            },
            capacity,
            UnregisteredMetricsGroup.createOperatorMetricGroup());
    caches.add(cache);
    return KeyedStateCache.value(operator.getRuntimeContext(), cache, COUNT);
  }

  /** What RocksDB itself holds for {@code key}, read past the cache. */
  private static Long stored(
      KeyedOneInputStreamOperatorTestHarness<String, String, String> h, String key)
      throws Exception {
    h.getOperator().setCurrentKey(key);
    return h.getOperator().getKeyedStateStore().getState(COUNT).value();
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, String, String> rocksdbHarness()
      throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<String, String, String>(
            new KeyedProcessOperator<>(
                new KeyedProcessFunction<String, String, String>() {
                  @Override
                  public void processElement(String value, Context ctx, Collector<String> out) {}
                }),
            k -> k,
            Types.STRING);
    h.setStateBackend(RestoreFromSnapshotTest.rocksdb());
    h.open();
    return h;
  }

  @Test
  void theCacheHoldsNoMoreKeysThanAFifthOfTheHeapPerSlotAffords() {
    long mib = 1 << 20;
    // A TaskManager of 8 GB and two slots (the prod overlay): a 3,430 MiB heap; a fifth of it
    // over two slots is 343 MiB, a twelfth of that per detector 28.6 MiB, 24,976 keys of 1,200 B:
    // the 20,000 asked.
    assertThat(KeyedStateCache.affordable(20_000, 3_430 * mib, 2)).isEqualTo(20_000);
    // The local cluster's 1.7 GB and four slots: a 400 MiB heap, 20 MiB per slot, 1.67 MiB per
    // detector, 1,456 keys.
    assertThat(KeyedStateCache.affordable(20_000, 400 * mib, 4)).isEqualTo(1_456);
    assertThat(KeyedStateCache.affordable(0, 3_430 * mib, 2)).isZero();
    assertThat(KeyedStateCache.affordable(100, 400 * mib, 4)).isEqualTo(100);
  }

  @Test
  void aValueReachesRocksDBWhenItsKeyIsEvictedOrFlushedAndAClearDeletesIt() throws Exception {
    List<KeyedStateCache> caches = new ArrayList<>();
    try (var h = rocksdbHarness()) {
      ValueState<Long> count = cached(h, 1, caches);
      h.getOperator().setCurrentKey("A");
      count.update(1L);
      assertThat(stored(h, "A")).isNull(); // held in the cache only

      h.getOperator().setCurrentKey("B"); // B takes the one place: A is written
      count.update(2L);
      assertThat(stored(h, "A")).isEqualTo(1L);
      assertThat(stored(h, "B")).isNull();

      caches.get(0).flush();
      assertThat(stored(h, "B")).isEqualTo(2L);

      h.getOperator().setCurrentKey("A"); // read back from RocksDB, then cleared
      assertThat(count.value()).isEqualTo(1L);
      count.clear();
      assertThat(count.value()).isNull();
      caches.get(0).flush();
      assertThat(stored(h, "A")).isNull();
      assertThat(stored(h, "B")).isEqualTo(2L);
    }
  }

  @Test
  void aFlushWritesEveryChangedKeyAndLeavesTheCurrentKeyAsItWas() throws Exception {
    List<KeyedStateCache> caches = new ArrayList<>();
    try (var h = rocksdbHarness()) {
      ValueState<Long> count = cached(h, 10, caches);
      for (String key : List.of("A", "B", "C")) {
        h.getOperator().setCurrentKey(key);
        count.update(count.value() == null ? 1L : count.value() + 1);
      }
      h.getOperator().setCurrentKey("B");
      count.update(count.value() + 1);
      caches.get(0).flush();

      assertThat(h.getOperator().getCurrentKey()).isEqualTo("B");
      assertThat(List.of(stored(h, "A"), stored(h, "B"), stored(h, "C")))
          .containsExactly(1L, 2L, 1L);
    }
  }

  @Test
  void aWriteBackWritesTheValuesChangedFirstAndNoMoreThanAsked() throws Exception {
    List<KeyedStateCache> caches = new ArrayList<>();
    try (var h = rocksdbHarness()) {
      ValueState<Long> count = cached(h, 10, caches);
      for (String key : List.of("A", "B", "C", "B")) {
        h.getOperator().setCurrentKey(key);
        count.update(count.value() == null ? 1L : count.value() + 1);
      }
      h.getOperator().setCurrentKey("C");

      assertThat(caches.get(0).writeBack(2)).isFalse(); // A, then B (changed twice, once in line)
      assertThat(stored(h, "A")).isEqualTo(1L);
      assertThat(stored(h, "B")).isEqualTo(2L);
      assertThat(stored(h, "C")).isNull();
      assertThat(h.getOperator().getCurrentKey()).isEqualTo("C");

      assertThat(caches.get(0).writeBack(1)).isTrue(); // C, the last one changed
      assertThat(stored(h, "C")).isEqualTo(1L);
    }
  }

  @Test
  void changedValuesAreWrittenFromFourFifthsOfTheIntervalAfterTheLastCheckpoint() throws Exception {
    KeyedProcessFunction<String, String, Alert> counting =
        new KeyedProcessFunction<>() {
          private transient ValueState<Long> count;

          @Override
          public void open(org.apache.flink.api.common.functions.OpenContext context) {
            count = KeyedStateCache.value(getRuntimeContext(), context, COUNT);
          }

          @Override
          public void processElement(String key, Context ctx, Collector<Alert> out)
              throws Exception {
            count.update(count.value() == null ? 1L : count.value() + 1);
          }
        };
    DetectorOperator<String> operator =
        new DetectorOperator<>(
            WithRuleUpdates.of(counting, RuleBook.defaults()), 10, Duration.ofSeconds(10));
    try (var h =
        new KeyedBroadcastOperatorTestHarness<String, String, RuleUpdate, Alert>(
            operator, k -> k, Types.STRING, 1, 1, 0)) {
      h.setStateBackend(RestoreFromSnapshotTest.rocksdb());
      h.setProcessingTime(0);
      h.open();
      KeyedStateStoreReader stored =
          key -> {
            operator.setCurrentKey(key);
            return operator.getKeyedStateStore().getState(COUNT).value();
          };

      h.processElement("A", 0);
      h.processElement("B", 0);
      h.setProcessingTime(7_999);
      assertThat(stored.read("A")).isNull(); // in the cache only, until 8 s
      h.setProcessingTime(8_000);
      assertThat(stored.read("A")).isEqualTo(1L);
      assertThat(stored.read("B")).isEqualTo(1L);

      h.processElement("C", 0); // from then on, what changes is written within 100 ms
      h.setProcessingTime(8_100);
      assertThat(stored.read("C")).isEqualTo(1L);

      h.setProcessingTime(9_000);
      h.snapshot(1, 9_000); // the next checkpoint is due at 19 s: written ahead from 17 s
      h.processElement("D", 0);
      h.setProcessingTime(16_999);
      assertThat(stored.read("D")).isNull();
      h.setProcessingTime(17_000);
      assertThat(stored.read("D")).isEqualTo(1L);
    }
  }

  /** What RocksDB itself holds for a key, read past the cache. */
  @FunctionalInterface
  private interface KeyedStateStoreReader {
    Long read(String key) throws Exception;
  }

  @ParameterizedTest(name = "cache of {0} keys")
  @ValueSource(ints = {1, 10_000})
  void whatTheCacheHeldAtACheckpointIsInItsSnapshot(int capacity) throws Exception {
    List<Alert> alerts = new ArrayList<>();
    OperatorSubtaskState snapshot;
    try (var before = orders(capacity, null)) {
      // Each order confirmed once; O-3's confirmation is credited in the ledger at once.
      for (String order : ORDERS) {
        send(
            before,
            Either.Left(
                payment("PE-" + order, order, PaymentStatus.SUCCESS, "2500", BEGINNING)
                    .setUtr("41234567890" + order.charAt(2))
                    .build()),
            BEGINNING);
      }
      send(
          before,
          Either.Right(
              ledger("L-3", "WA-1", 323, "2500", "0", BEGINNING.plusSeconds(5))
                  .setOrderNo("O-3")
                  .build()),
          BEGINNING.plusSeconds(5));
      before.processWatermark(BEGINNING.toEpochMilli());
      alerts.addAll(before.extractOutputValues());
      snapshot = before.snapshot(1, 1);
    }
    try (var after = orders(0, snapshot)) {
      // O-1 and O-2 confirmed again with another UTR.
      for (String order : List.of("O-1", "O-2")) {
        Instant at = BEGINNING.plusSeconds(60);
        send(
            after,
            Either.Left(
                payment("PE-" + order + "b", order, PaymentStatus.SUCCESS, "2500", at)
                    .setUtr("41234567899" + order.charAt(2))
                    .build()),
            at);
      }
      after.processWatermark(MUCH_LATER.toEpochMilli());
      alerts.addAll(after.extractOutputValues());
    }

    // O-1 and O-2: a second confirmation (ORDER_PAID_TWICE) and no ledger credit within W
    // (SUCCESS_WITHOUT_LEDGER); O-3 credited: nothing.
    assertThat(alerts.stream().map(a -> a.getReason() + " " + a.getOrderNo()).sorted())
        .containsExactly(
            "ORDER_PAID_TWICE O-1",
            "ORDER_PAID_TWICE O-2",
            "SUCCESS_WITHOUT_LEDGER O-1",
            "SUCCESS_WITHOUT_LEDGER O-2");
  }
}
