package io.riskstream.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Carries values across logical types that Avro's schema resolution ignores. Resolution matches a
 * writer's {@code decimal(18,3)} with a reader's {@code decimal(18,2)} because both are bytes, and
 * the unscaled digits of {@code 20000.000} then read as {@code 200000.00}; a {@code
 * timestamp-micros} long reads as a thousand times later in milliseconds. Avro has no conversion
 * for this (its spec says logical types are ignored in resolution), hence this class.
 *
 * <p>For a writer schema that needs it, a record is read with the writer's own schema, each such
 * value is converted into the reader's logical type, and the record is written again under the
 * writer schema with the reader's logical types ({@link #bridgedSchema}), which then resolves into
 * the reader normally. Decimals are rescaled exactly: a value with digits the reader's scale cannot
 * hold, or more digits than its precision, is a {@link BadRecordException}. Timestamps in micros or
 * nanos are truncated to milliseconds (the reader's unit); local timestamps are placed in the
 * configured zone, or refused when there is none. Writer schemas that need none of this (every one
 * so far) skip it entirely.
 */
final class LogicalTypeBridge {
  /** A conversion of one value from the writer's logical type into the reader's. */
  @FunctionalInterface
  private interface Conversion {
    Object apply(Object value, String path) throws BadRecordException;
  }

  private final Schema writer;
  private final Schema bridged;
  private final Conversion conversion;
  private final GenericDatumReader<Object> reader;
  private final GenericDatumWriter<Object> out;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
  private BinaryDecoder decoder;
  private BinaryEncoder encoder;

  private LogicalTypeBridge(Schema writer, Schema bridged, Conversion conversion) {
    this.writer = writer;
    this.bridged = bridged;
    this.conversion = conversion;
    this.reader = new GenericDatumReader<>(writer, writer, GenericData.get());
    this.out = new GenericDatumWriter<>(bridged, GenericData.get());
  }

  /**
   * The bridge from {@code writer} to {@code reader}, or null when every logical type the reader
   * has is the writer's too.
   *
   * @param localZone the zone of local-timestamp writers; null refuses them
   */
  static LogicalTypeBridge between(Schema writer, Schema reader, ZoneId localZone) {
    Planner planner = new Planner(localZone);
    Conversion conversion = planner.plan(writer, reader);
    if (conversion == null) {
      return null;
    }
    return new LogicalTypeBridge(writer, planner.bridge(writer, reader), conversion);
  }

  /** The writer schema with the reader's logical types where this bridge converts values. */
  Schema bridgedSchema() {
    return bridged;
  }

  /** Re-encodes an Avro body of the writer schema as a body of {@link #bridgedSchema}. */
  byte[] convert(byte[] message, int offset, int length) throws BadRecordException, IOException {
    decoder = DecoderFactory.get().binaryDecoder(message, offset, length, decoder);
    Object value = reader.read(null, decoder);
    if (!decoder.isEnd()) {
      throw new BadRecordException("trailing bytes after the Avro body");
    }
    Object converted = conversion.apply(value, writer.getName());
    buffer.reset();
    encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
    out.write(converted, encoder);
    encoder.flush();
    return buffer.toByteArray();
  }

  /** Walks a writer and a reader schema together and plans what to convert. */
  private static final class Planner {
    private final ZoneId localZone;
    private final Map<String, Schema> bridgedRecords = new HashMap<>();

    Planner(ZoneId localZone) {
      this.localZone = localZone;
    }

    /** The conversion of values of {@code w} read as {@code r}, or null when there is none. */
    Conversion plan(Schema w, Schema r) {
      if (r.getType() == Schema.Type.UNION && w.getType() != Schema.Type.UNION) {
        Schema branch = sameKind(w, r);
        return branch == null ? null : plan(w, branch);
      }
      switch (w.getType()) {
        case RECORD -> {
          if (r.getType() != Schema.Type.RECORD) {
            return null;
          }
          List<Schema.Field> fields = w.getFields();
          Conversion[] byField = new Conversion[fields.size()];
          boolean any = false;
          for (Schema.Field f : fields) {
            Schema.Field target = readerField(r, f);
            if (target != null) {
              byField[f.pos()] = plan(f.schema(), target.schema());
              any |= byField[f.pos()] != null;
            }
          }
          if (!any) {
            return null;
          }
          return (value, path) -> {
            GenericRecord record = (GenericRecord) value;
            for (Schema.Field f : fields) {
              Conversion c = byField[f.pos()];
              if (c != null) {
                record.put(f.pos(), c.apply(record.get(f.pos()), f.name()));
              }
            }
            return record;
          };
        }
        case UNION -> {
          List<Schema> branches = w.getTypes();
          Conversion[] byBranch = new Conversion[branches.size()];
          boolean any = false;
          for (int i = 0; i < branches.size(); i++) {
            Schema target = r.getType() == Schema.Type.UNION ? sameKind(branches.get(i), r) : r;
            if (target != null) {
              byBranch[i] = plan(branches.get(i), target);
              any |= byBranch[i] != null;
            }
          }
          if (!any) {
            return null;
          }
          return (value, path) -> {
            Conversion c = byBranch[GenericData.get().resolveUnion(w, value)];
            return c == null ? value : c.apply(value, path);
          };
        }
        case ARRAY -> {
          if (r.getType() != Schema.Type.ARRAY) {
            return null;
          }
          Conversion element = plan(w.getElementType(), r.getElementType());
          if (element == null) {
            return null;
          }
          return (value, path) -> {
            List<?> items = (List<?>) value;
            List<Object> converted = new ArrayList<>(items.size());
            for (Object item : items) {
              converted.add(element.apply(item, path));
            }
            return converted;
          };
        }
        default -> {
          return leaf(w, r);
        }
      }
    }

    private Conversion leaf(Schema w, Schema r) {
      LogicalType from = w.getLogicalType();
      LogicalType to = r.getLogicalType();
      if (to instanceof LogicalTypes.Decimal target
          && from instanceof LogicalTypes.Decimal source) {
        if (source.getScale() == target.getScale()
            && source.getPrecision() <= target.getPrecision()
            && w.getType() == r.getType()) {
          return null;
        }
        return (value, path) -> decimal(value, source, target, path);
      }
      if (to instanceof LogicalTypes.TimestampMillis && from != null) {
        return switch (from.getName()) {
          case "timestamp-micros" -> (value, path) -> Math.floorDiv((Long) value, 1_000L);
          case "timestamp-nanos" -> (value, path) -> Math.floorDiv((Long) value, 1_000_000L);
          case "local-timestamp-millis" -> (value, path) -> local((Long) value, 1L, path);
          case "local-timestamp-micros" -> (value, path) -> local((Long) value, 1_000L, path);
          case "local-timestamp-nanos" -> (value, path) -> local((Long) value, 1_000_000L, path);
          default -> null;
        };
      }
      return null;
    }

    private Object local(long value, long perMilli, String path) throws BadRecordException {
      if (localZone == null) {
        throw new BadRecordException(
            path + " is a local timestamp and no time zone is configured to place it");
      }
      LocalDateTime local =
          LocalDateTime.ofEpochSecond(
              Math.floorDiv(Math.floorDiv(value, perMilli), 1_000L),
              (int) Math.floorMod(Math.floorDiv(value, perMilli), 1_000L) * 1_000_000,
              ZoneOffset.UTC);
      return local.atZone(localZone).toInstant().toEpochMilli();
    }

    private static Object decimal(
        Object value, LogicalTypes.Decimal source, LogicalTypes.Decimal target, String path)
        throws BadRecordException {
      byte[] bytes;
      if (value instanceof GenericFixed fixed) {
        bytes = fixed.bytes();
      } else {
        ByteBuffer buffer = ((ByteBuffer) value).duplicate();
        bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
      }
      BigDecimal written = new BigDecimal(new BigInteger(bytes), source.getScale());
      BigDecimal read;
      try {
        read = written.setScale(target.getScale());
      } catch (ArithmeticException e) {
        throw new BadRecordException(
            path
                + " "
                + written.toPlainString()
                + " has more than "
                + target.getScale()
                + " decimal places");
      }
      if (read.precision() > target.getPrecision()) {
        throw new BadRecordException(
            path
                + " "
                + written.toPlainString()
                + " has more than "
                + target.getPrecision()
                + " digits (decimal("
                + target.getPrecision()
                + ","
                + target.getScale()
                + "))");
      }
      return ByteBuffer.wrap(read.unscaledValue().toByteArray());
    }

    /** The writer schema with the reader's logical types where {@link #plan} converts. */
    Schema bridge(Schema w, Schema r) {
      if (r.getType() == Schema.Type.UNION && w.getType() != Schema.Type.UNION) {
        Schema branch = sameKind(w, r);
        return branch == null ? w : bridge(w, branch);
      }
      switch (w.getType()) {
        case RECORD -> {
          if (r.getType() != Schema.Type.RECORD) {
            return w;
          }
          Schema done = bridgedRecords.get(w.getFullName());
          if (done != null) {
            return done;
          }
          Schema record =
              Schema.createRecord(w.getName(), w.getDoc(), w.getNamespace(), w.isError());
          bridgedRecords.put(w.getFullName(), record);
          List<Schema.Field> fields = new ArrayList<>();
          for (Schema.Field f : w.getFields()) {
            Schema.Field target = readerField(r, f);
            fields.add(
                new Schema.Field(
                    f, target == null ? f.schema() : bridge(f.schema(), target.schema())));
          }
          record.setFields(fields);
          return record;
        }
        case UNION -> {
          List<Schema> branches = new ArrayList<>();
          for (Schema b : w.getTypes()) {
            Schema target = r.getType() == Schema.Type.UNION ? sameKind(b, r) : r;
            branches.add(target == null ? b : bridge(b, target));
          }
          return Schema.createUnion(branches);
        }
        case ARRAY -> {
          return r.getType() == Schema.Type.ARRAY
              ? Schema.createArray(bridge(w.getElementType(), r.getElementType()))
              : w;
        }
        default -> {
          return leaf(w, r) == null ? w : r;
        }
      }
    }

    private static Schema.Field readerField(Schema reader, Schema.Field writerField) {
      Schema.Field byName = reader.getField(writerField.name());
      if (byName != null) {
        return byName;
      }
      for (Schema.Field f : reader.getFields()) {
        if (f.aliases().contains(writerField.name())) {
          return f;
        }
      }
      return null;
    }

    /** The branch of the reader union {@code r} that a value of {@code w} resolves to, or null. */
    private static Schema sameKind(Schema w, Schema r) {
      for (Schema branch : r.getTypes()) {
        boolean sameName =
            branch.getType() != Schema.Type.RECORD || branch.getName().equals(w.getName());
        boolean bytesLike =
            (w.getType() == Schema.Type.FIXED && branch.getType() == Schema.Type.BYTES);
        if ((branch.getType() == w.getType() && sameName) || bytesLike) {
          return branch;
        }
      }
      return null;
    }
  }
}
