package io.riskstream.detect;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * A write-back cache of a detector's keyed values in front of RocksDB: the values of the keys used
 * last, decoded, read and written on the heap, and written to RocksDB only when a key leaves the
 * cache, ahead of a checkpoint ({@link #writeBack}) or at its barrier ({@link #flush}; both from
 * {@link DetectorOperator}). A key that is born and forgotten between two checkpoints (an order
 * paid, settled and cleared; a UTR claimed and matched) then costs RocksDB one lookup and no write.
 *
 * <p>Written by hand because Flink has no cache in front of its RocksDB state: every {@code
 * value()} is a JNI lookup and a deserialisation, every {@code update()} a serialisation and a JNI
 * write, and those were 55–68 % of each detector thread's CPU on RocksDB in the bench's profile
 * (bench/README.md, "A write-back cache of keyed values").
 *
 * <p>On by default, at up to {@code state.cache-keys} keys per value (20,000) and never more than
 * the heap affords ({@link #affordable}): in the bench the job drained its backlog 1.06 to 2.16
 * times as fast with it at every density of traffic tried (bench/README.md, "How dense the workload
 * is"). A live job's keys mostly outlive the cache, so there it saves little; it pays where the job
 * has to catch up.
 *
 * <p>A value read is the value held, not a copy: the heap backend's semantics, which the detectors
 * are tested under and the bench checks against RocksDB's on every run. A checkpoint holds exactly
 * what the cache held at its barrier; after a failure the job restores from it and the cache starts
 * empty, so nothing in it needs to survive.
 *
 * <p>The cache is an {@link OpenContext}: a detector asks for its values with {@link #value}, and
 * gets Flink's own state when it is opened without one (by a test harness, or on the heap backend,
 * where a cache would only add a copy of what the heap holds already).
 */
public final class KeyedStateCache implements OpenContext {
  private final KeyContext keys;
  private final int capacity;
  private final List<Cached<?>> values = new ArrayList<>();
  private final Counter hits;
  private final Counter misses;
  private final Counter writes;

  /**
   * @param keys the operator's key context: a write of another key than the current one (an
   *     eviction, a flush) switches to it and back
   * @param capacity keys held per value, at most
   */
  KeyedStateCache(KeyContext keys, int capacity, MetricGroup metrics) {
    this.keys = keys;
    this.capacity = capacity;
    this.hits = metrics.counter("stateCacheHits");
    this.misses = metrics.counter("stateCacheMisses");
    this.writes = metrics.counter("stateCacheWrites");
  }

  /**
   * Share of a TaskManager's heap, per slot, that the caches of all the detectors in the slot may
   * take: the six detectors of the live graph and the six of the shadow one, one value with many
   * keys each.
   */
  static final double HEAP_SHARE = 0.2;

  static final int CACHED_VALUES_PER_SLOT = 12;

  /**
   * Heap per cached key: the slot, its map entry and the decoded value (a class histogram of the
   * bench's run held 532,960 slots in 653 MB, bench/README.md).
   */
  static final int BYTES_PER_KEY = 1_200;

  /**
   * Keys per value a detector caches: as many as asked, but no more than the heap affords, so that
   * the default needs no sizing on a small TaskManager (a 1.7 GB one of four slots affords about
   * 1,450; one of 8 GB and two slots the 20,000 asked).
   *
   * @param asked {@code state.cache-keys}
   * @param maxHeapBytes the TaskManager's heap ({@link Runtime#maxMemory})
   * @param slots the TaskManager's slots
   */
  static int affordable(int asked, long maxHeapBytes, int slots) {
    long affords =
        (long) (maxHeapBytes * HEAP_SHARE)
            / Math.max(1, slots)
            / CACHED_VALUES_PER_SLOT
            / BYTES_PER_KEY;
    return (int) Math.min(asked, affords);
  }

  /** The keyed value of {@code descriptor}: cached when {@code context} is a cache. */
  public static <V> ValueState<V> value(
      RuntimeContext runtime, OpenContext context, ValueStateDescriptor<V> descriptor) {
    ValueState<V> state = runtime.getState(descriptor);
    if (context instanceof KeyedStateCache cache) {
      Cached<V> cached = cache.new Cached<>(state);
      cache.values.add(cached);
      return cached;
    }
    return state;
  }

  /** Writes every changed value to the state backend: before a checkpoint's snapshot. */
  void flush() throws IOException {
    writeBack(Integer.MAX_VALUE);
  }

  /**
   * Writes up to {@code max} changed values to the state backend, those changed first first: ahead
   * of a checkpoint, so that its synchronous part has less to write.
   *
   * @return whether every changed value is written
   */
  boolean writeBack(int max) throws IOException {
    Object current = keys.getCurrentKey();
    int left = max;
    try {
      for (Cached<?> value : values) {
        left = value.writeBack(left);
      }
    } finally {
      if (current != null) { // null before the first record, or in a timer: nothing to go back to
        keys.setCurrentKey(current);
      }
    }
    return values.stream().noneMatch(Cached::waiting);
  }

  /** One key's value in the cache. */
  private static final class Slot<V> {
    final Object key;
    V value;

    /** Changed since it was read or last written. */
    boolean dirty;

    /** Whether the state backend may hold a value for the key: a clear must then delete it. */
    boolean stored;

    Slot(Object key, V value, boolean stored) {
      this.key = key;
      this.value = value;
      this.stored = stored;
    }
  }

  private final class Cached<V> implements ValueState<V> {
    private final ValueState<V> backend;

    /** In access order: the eldest is the key used longest ago, evicted first. */
    private final LinkedHashMap<Object, Slot<V>> slots = new LinkedHashMap<>(1024, 0.75f, true);

    /**
     * The slots changed since they were read or written, in the order they changed; a slot written
     * since (evicted) is skipped when its turn comes.
     */
    private final ArrayDeque<Slot<V>> changed = new ArrayDeque<>();

    Cached(ValueState<V> backend) {
      this.backend = backend;
    }

    @Override
    public V value() throws IOException {
      Slot<V> slot = slots.get(keys.getCurrentKey());
      if (slot != null) {
        hits.inc();
        return slot.value;
      }
      misses.inc();
      V value = backend.value();
      add(new Slot<>(keys.getCurrentKey(), value, value != null));
      return value;
    }

    @Override
    public void update(V value) throws IOException {
      if (value == null) { // ValueState's contract: an update with null clears
        clear();
        return;
      }
      Slot<V> slot = slot();
      slot.value = value;
      changed(slot, true);
    }

    @Override
    public void clear() {
      try {
        if (!slots.containsKey(keys.getCurrentKey())) {
          // A key forgotten unread (an expiry): deleted at once, not given a slot it never uses.
          backend.clear();
          writes.inc();
          return;
        }
        Slot<V> slot = slot();
        slot.value = null;
        changed(slot, slot.stored); // a key never written to the backend has nothing to delete
      } catch (IOException e) {
        // Only the write of an evicted key fails here, and ValueState#clear declares none.
        throw new IllegalStateException("could not write an evicted key's value to state", e);
      }
    }

    private void changed(Slot<V> slot, boolean dirty) {
      if (dirty && !slot.dirty) {
        if (changed.size() > 2 * capacity) { // slots written on eviction; the changed are in slots
          changed.removeIf(written -> !written.dirty);
        }
        changed.add(slot);
      }
      slot.dirty = dirty;
    }

    /** The current key's slot; a key not read yet may be in the backend. */
    private Slot<V> slot() throws IOException {
      Slot<V> slot = slots.get(keys.getCurrentKey());
      if (slot == null) {
        slot = new Slot<>(keys.getCurrentKey(), null, true);
        add(slot);
      }
      return slot;
    }

    /** Adds the current key's slot, evicting (and writing) the key used longest ago if full. */
    private void add(Slot<V> slot) throws IOException {
      slots.put(slot.key, slot);
      if (slots.size() > capacity) {
        Iterator<Slot<V>> eldest = slots.values().iterator();
        Slot<V> evicted = eldest.next();
        eldest.remove();
        if (evicted.dirty) {
          writeAs(evicted);
        }
      }
    }

    /** Writes {@code slot} under its own key, then goes back to the current one. */
    private void writeAs(Slot<V> slot) throws IOException {
      Object current = keys.getCurrentKey();
      keys.setCurrentKey(slot.key);
      try {
        write(slot);
      } finally {
        keys.setCurrentKey(current);
      }
    }

    /** Whether slots wait in line to be written (some may have been written since, on eviction). */
    boolean waiting() {
      return !changed.isEmpty();
    }

    /**
     * Writes up to {@code max} changed slots under their keys; keys with no value left are dropped.
     *
     * @return how many more may be written
     */
    int writeBack(int max) throws IOException {
      int left = max;
      while (left > 0 && !changed.isEmpty()) {
        Slot<V> slot = changed.poll();
        if (slot.dirty) {
          keys.setCurrentKey(slot.key);
          write(slot);
          left--;
          if (slot.value == null) { // most are keys just forgotten: not worth their place
            slots.remove(slot.key, slot);
          }
        }
      }
      return left;
    }

    private void write(Slot<V> slot) throws IOException {
      if (slot.value == null) {
        backend.clear();
      } else {
        backend.update(slot.value);
      }
      slot.dirty = false;
      slot.stored = slot.value != null;
      writes.inc();
    }
  }
}
