package io.riskstream.serde;

import io.riskstream.registry.RegistryException;
import io.riskstream.registry.SchemaRegistryClient;
import java.io.EOFException;
import java.io.IOException;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads the Confluent wire format into an Avro specific record: the writer's schema is fetched by
 * the id in the header and resolved into the reader's (Avro schema resolution), so that producers
 * can evolve their schemas compatibly. Not thread-safe: one per thread.
 *
 * <p>Everything wrong with the bytes raises {@link BadRecordException}; a registry that cannot be
 * reached raises {@link io.riskstream.registry.RegistryUnavailableException}, which callers must
 * not treat as bad input.
 */
public final class AvroWireDeserializer<T extends SpecificRecord> {
  private final SchemaRegistryClient registry;
  private final Schema readerSchema;
  private final SpecificData model;
  private final ZoneId localTimeZone;
  private final Map<Integer, Reader<T>> readersByWriterId = new HashMap<>();
  private BinaryDecoder decoder;
  private BinaryDecoder skipper;

  /**
   * How to read the bodies of one writer schema: resolution, with a logical-type bridge if needed.
   */
  private record Reader<T>(
      Schema writer, SpecificDatumReader<T> resolving, LogicalTypeBridge bridge) {}

  /** A deserializer that refuses writer schemas with local timestamps (they need a zone). */
  public AvroWireDeserializer(SchemaRegistryClient registry, Class<T> type) {
    this(registry, type, null);
  }

  /**
   * @param localTimeZone where writer fields of type local-timestamp-* are placed on the timeline
   */
  public AvroWireDeserializer(SchemaRegistryClient registry, Class<T> type, ZoneId localTimeZone) {
    this.registry = registry;
    this.model = SpecificData.getForClass(type);
    this.readerSchema = model.getSchema(type);
    this.localTimeZone = localTimeZone;
  }

  public T deserialize(byte[] message) throws BadRecordException {
    int id = ConfluentWireFormat.schemaId(message);
    Reader<T> reader = readerFor(id);
    try {
      byte[] body = message;
      int offset = ConfluentWireFormat.HEADER_LENGTH;
      checkLengths(reader.writer(), message, offset, id);
      if (reader.bridge() != null) {
        body = reader.bridge().convert(message, offset, message.length - offset);
        offset = 0;
      }
      decoder = DecoderFactory.get().binaryDecoder(body, offset, body.length - offset, decoder);
      T record = reader.resolving().read(null, decoder);
      if (!decoder.isEnd()) {
        throw new BadRecordException("trailing bytes after the Avro body of schema id " + id);
      }
      return record;
    } catch (EOFException e) {
      throw new BadRecordException("truncated Avro body for schema id " + id, e);
    } catch (IOException | RuntimeException e) {
      // Avro reports malformed bodies as assorted runtime exceptions (negative lengths, bad enum
      // indexes, ...).
      throw new BadRecordException("cannot decode Avro body with schema id " + id + ": " + e, e);
    }
  }

  /**
   * Checks every length and item count in the body against the bytes that remain, before anything
   * is allocated: Avro allocates a string, bytes or array of the length a record declares, so a
   * corrupt or hostile prefix of 2 GB would exhaust the heap and restart the job for ever. Skipping
   * the body with the writer's schema reads each length and moves past it without allocating, and
   * fails at the first one that runs past the end.
   */
  private void checkLengths(Schema writer, byte[] message, int offset, int id)
      throws BadRecordException, IOException {
    skipper = DecoderFactory.get().binaryDecoder(message, offset, message.length - offset, skipper);
    try {
      GenericDatumReader.skip(writer, skipper);
    } catch (EOFException e) {
      throw new BadRecordException(
          "truncated Avro body for schema id "
              + id
              + ": a length, item count or field runs past its "
              + (message.length - offset)
              + " bytes",
          e);
    }
  }

  private Reader<T> readerFor(int id) throws BadRecordException {
    Reader<T> reader = readersByWriterId.get(id);
    if (reader != null) {
      return reader;
    }
    Schema writerSchema;
    try {
      writerSchema = registry.schemaById(id);
    } catch (RegistryException e) {
      if (e.isSchemaNotFound()) {
        throw new BadRecordException("unknown schema id " + id + " (" + e.getMessage() + ")", e);
      }
      throw e;
    }
    // A writer schema that cannot be resolved into the reader's fails on read, as an
    // AvroTypeException above.
    LogicalTypeBridge bridge = LogicalTypeBridge.between(writerSchema, readerSchema, localTimeZone);
    Schema resolvedFrom = bridge == null ? writerSchema : bridge.bridgedSchema();
    reader =
        new Reader<>(
            writerSchema, new SpecificDatumReader<>(resolvedFrom, readerSchema, model), bridge);
    readersByWriterId.put(id, reader);
    return reader;
  }
}
