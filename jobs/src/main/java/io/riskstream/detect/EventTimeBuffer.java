package io.riskstream.detect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * A key's events waiting for the watermark, in buckets by event time, each woken at its time, so
 * that waking takes a bucket with one point read. Scanning a map of waiting events on every timer
 * instead made RocksDB seek past the tombstones of every event taken before (the bench profile:
 * seeks were the detectors' largest native cost).
 */
final class EventTimeBuffer<T> {
  private final MapState<Long, List<T>> byTime;
  private final Function<T, String> id;

  EventTimeBuffer(
      RuntimeContext context, String name, TypeInformation<T> type, Function<T, String> id) {
    this.byTime = context.getMapState(new MapStateDescriptor<>(name, Types.LONG, Types.LIST(type)));
    this.id = id;
  }

  /**
   * Adds the event, unless one with its id waits already (a redelivery), and asks to be woken at
   * its time ({@code wake}: a timer, or the detector's {@link Wakeups}); whether it was added.
   */
  boolean add(T event, long time, LongConsumer wake) throws Exception {
    List<T> bucket = byTime.get(time);
    if (bucket == null) {
      bucket = new ArrayList<>(1);
    }
    String eventId = id.apply(event);
    boolean added = bucket.stream().noneMatch(e -> id.apply(e).equals(eventId));
    if (added) {
      bucket.add(event);
      byTime.put(time, bucket);
    }
    wake.accept(time);
    return added;
  }

  /**
   * Adds many events at once, each bucket read and written once: a bill of a UTR claimed by
   * thousands of orders schedules a decision per claim, most of them in the bill's own bucket.
   */
  void addAll(Map<Long, List<T>> events, LongConsumer wake) throws Exception {
    for (Map.Entry<Long, List<T>> entry : events.entrySet()) {
      List<T> bucket = byTime.get(entry.getKey());
      if (bucket == null) {
        bucket = new ArrayList<>(entry.getValue().size());
      }
      Set<String> ids = new HashSet<>();
      bucket.forEach(e -> ids.add(id.apply(e)));
      for (T event : entry.getValue()) {
        if (ids.add(id.apply(event))) {
          bucket.add(event);
        }
      }
      byTime.put(entry.getKey(), bucket);
      wake.accept(entry.getKey());
    }
  }

  /** Removes and returns the events of {@code time} in {@code order}; empty when there are none. */
  List<T> take(long time, Comparator<T> order) throws Exception {
    List<T> bucket = byTime.get(time);
    if (bucket == null) {
      return List.of();
    }
    byTime.remove(time);
    bucket.sort(order);
    return bucket;
  }
}
