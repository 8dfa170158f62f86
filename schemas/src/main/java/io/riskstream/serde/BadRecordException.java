package io.riskstream.serde;

/**
 * A record that cannot be read as the contract says: bad magic byte, truncated body, unknown schema
 * id, a writer schema that cannot be resolved into the reader's, or values that break the spec. Bad
 * input: such a record goes to the dead-letter topic with this message, it never stops a job.
 */
public class BadRecordException extends Exception {
  public BadRecordException(String message) {
    super(message);
  }

  public BadRecordException(String message, Throwable cause) {
    super(message, cause);
  }
}
