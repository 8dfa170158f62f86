package io.riskstream.testing;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.detect.AlertUpdates;
import java.time.Instant;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

/**
 * Flink's keyed operator test harnesses around riskstream's detectors, with event time taken from
 * the events.
 */
public final class Harnesses {
  private Harnesses() {}

  public static <I> KeyedOneInputStreamOperatorTestHarness<String, I, Alert> open(
      KeyedProcessFunction<String, I, Alert> function, KeySelector<I, String> key)
      throws Exception {
    return open(function, key, null);
  }

  /**
   * With a state backend (such as RocksDB) instead of the harness's heap default; null keeps the
   * default.
   */
  public static <I> KeyedOneInputStreamOperatorTestHarness<String, I, Alert> open(
      KeyedProcessFunction<String, I, Alert> function,
      KeySelector<I, String> key,
      StateBackend backend)
      throws Exception {
    return opened(
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(function), key, Types.STRING),
        backend);
  }

  public static <A, B> KeyedTwoInputStreamOperatorTestHarness<String, A, B, Alert> open(
      KeyedCoProcessFunction<String, A, B, Alert> function,
      KeySelector<A, String> first,
      KeySelector<B, String> second)
      throws Exception {
    return open(function, first, second, null);
  }

  public static <A, B> KeyedTwoInputStreamOperatorTestHarness<String, A, B, Alert> open(
      KeyedCoProcessFunction<String, A, B, Alert> function,
      KeySelector<A, String> first,
      KeySelector<B, String> second,
      StateBackend backend)
      throws Exception {
    return opened(
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(function), first, second, Types.STRING),
        backend);
  }

  private static <H extends AbstractStreamOperatorTestHarness<Alert>> H opened(
      H harness, StateBackend backend) throws Exception {
    if (backend != null) {
      harness.setStateBackend(backend);
    }
    harness.open();
    return harness;
  }

  /** A record stamped with its own event_time, as the source's watermark strategy does. */
  public static <T extends SpecificRecord> StreamRecord<T> record(T event) {
    Object time = event.get(event.getSchema().getField("event_time").pos());
    return new StreamRecord<>(event, ((Instant) time).toEpochMilli());
  }

  public static void advance(KeyedOneInputStreamOperatorTestHarness<String, ?, Alert> h, Instant to)
      throws Exception {
    h.processWatermark(new Watermark(to.toEpochMilli()));
  }

  public static void advance(
      KeyedTwoInputStreamOperatorTestHarness<String, ?, ?, Alert> h, Instant to) throws Exception {
    h.processBothWatermarks(new Watermark(to.toEpochMilli()));
  }

  /** The value state {@code name} of {@code key}, as the operator under test keeps it. */
  public static <S> S value(
      AbstractStreamOperatorTestHarness<Alert> harness,
      String key,
      String name,
      TypeInformation<S> type)
      throws Exception {
    harness.getOperator().setCurrentKey(key);
    return harness
        .getOperator()
        .getKeyedStateStore()
        .getState(new ValueStateDescriptor<>(name, type))
        .value();
  }

  public static List<Alert> alerts(AbstractStreamOperatorTestHarness<Alert> harness) {
    return harness.extractOutputValues();
  }

  /** The alert updates a detector put on its side output so far, in emission order. */
  public static List<AlertUpdate> updates(AbstractStreamOperatorTestHarness<Alert> harness) {
    var updates = harness.getSideOutput(AlertUpdates.TAG);
    return updates == null ? List.of() : updates.stream().map(StreamRecord::getValue).toList();
  }

  /** The reasons of the alerts so far, in emission order. */
  public static List<String> reasons(AbstractStreamOperatorTestHarness<Alert> harness) {
    return alerts(harness).stream().map(Alert::getReason).toList();
  }
}
