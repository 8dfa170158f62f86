package io.riskstream.detect;

import io.riskstream.avro.BalanceChange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.util.OutputTag;

/**
 * An event a detector could no longer place (docs/contract.md (topics and wire format), {@code
 * risk-late-events}): its input stream, original Kafka key, Avro body, why it could not be placed
 * and how far behind the watermark it came. A Flink POJO (public fields, no-arg constructor), so it
 * travels without Kryo; the sink adds the wire-format header.
 */
public class LateEvent {
  /** Where detectors put the events they cannot place. */
  public static final OutputTag<LateEvent> TAG = new OutputTag<>("late-events") {};

  /** The input stream an event came from. */
  public enum Source {
    PAYMENTS,
    BALANCE_CHANGES
  }

  public Source source;
  public String key;
  public byte[] body;
  public String reason;
  public long lateByMs;

  public LateEvent() {}

  LateEvent(Source source, String key, SpecificRecord event, String reason, long lateByMs) {
    this.source = source;
    this.key = key;
    this.body = body(event);
    this.reason = reason;
    this.lateByMs = lateByMs;
  }

  /** A ledger line that could not be placed, keyed by its account as on its topic. */
  static LateEvent ofLine(BalanceChange line, String reason, long lateByMs) {
    return new LateEvent(Source.BALANCE_CHANGES, line.getAccountId(), line, reason, lateByMs);
  }

  /** The event's Avro binary body under its own (the job's) schema. */
  private static byte[] body(SpecificRecord event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      new SpecificDatumWriter<SpecificRecord>(event.getSchema()).write(event, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LateEvent e
        && source == e.source
        && Objects.equals(key, e.key)
        && Arrays.equals(body, e.body)
        && Objects.equals(reason, e.reason)
        && lateByMs == e.lateByMs;
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, key, reason, lateByMs);
  }

  @Override
  public String toString() {
    return source + " " + key + " late by " + lateByMs + " ms: " + reason;
  }
}
