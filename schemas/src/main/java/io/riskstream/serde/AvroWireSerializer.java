package io.riskstream.serde;

import io.riskstream.registry.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Writes Avro specific records in the Confluent wire format under a subject of the schema registry.
 * The schema is registered (or, with auto-registration off, looked up) once, on the first record.
 * Not thread-safe: one per thread.
 */
public final class AvroWireSerializer<T extends SpecificRecord> {
  private final SchemaRegistryClient registry;
  private final String subject;
  private final Schema schema;
  private final boolean autoRegister;
  private final DatumWriter<T> writer;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
  private BinaryEncoder encoder;
  private int schemaId = -1;

  public AvroWireSerializer(
      SchemaRegistryClient registry, String subject, Class<T> type, boolean autoRegister) {
    this.registry = registry;
    this.subject = subject;
    this.schema = SpecificData.get().getSchema(type);
    this.autoRegister = autoRegister;
    this.writer = new SpecificDatumWriter<>(schema, SpecificData.getForClass(type));
  }

  public int schemaId() {
    if (schemaId < 0) {
      schemaId =
          autoRegister ? registry.register(subject, schema) : registry.lookup(subject, schema);
    }
    return schemaId;
  }

  public byte[] serialize(T record) {
    int id = schemaId();
    buffer.reset();
    buffer.write(ConfluentWireFormat.MAGIC_BYTE);
    buffer.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
    encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
    try {
      writer.write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + record.getSchema().getName(), e);
    }
    return buffer.toByteArray();
  }
}
