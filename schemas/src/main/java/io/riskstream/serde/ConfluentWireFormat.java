package io.riskstream.serde;

import java.nio.ByteBuffer;

/**
 * The Confluent wire format: byte 0 is the magic byte {@code 0}, bytes 1-4 the schema id as a
 * big-endian int, then the Avro binary body.
 */
public final class ConfluentWireFormat {
  public static final byte MAGIC_BYTE = 0;
  public static final int HEADER_LENGTH = 5;

  private ConfluentWireFormat() {}

  /** The TopicNameStrategy subject of a topic's values. */
  public static String valueSubject(String topic) {
    return topic + "-value";
  }

  /**
   * The schema id in {@code message}'s header, or a {@link BadRecordException} saying what is wrong
   * with it.
   */
  public static int schemaId(byte[] message) throws BadRecordException {
    if (message == null || message.length == 0) {
      throw new BadRecordException(
          "empty value: expected the Confluent wire format (magic byte 0, schema id, body)");
    }
    if (message[0] != MAGIC_BYTE) {
      throw new BadRecordException(
          String.format(
              "unknown magic byte 0x%02x: expected 0x00 (Confluent wire format)",
              message[0] & 0xff));
    }
    if (message.length < HEADER_LENGTH) {
      throw new BadRecordException(
          "truncated header: " + message.length + " bytes, expected at least 5");
    }
    return ByteBuffer.wrap(message, 1, 4).getInt();
  }

  public static void writeHeader(ByteBuffer target, int schemaId) {
    target.put(MAGIC_BYTE).putInt(schemaId);
  }
}
