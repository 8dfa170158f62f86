package io.riskstream.registry;

/**
 * An answer of a schema registry that is not a success: carries the HTTP status and Confluent's
 * {@code error_code} so that callers can tell "this schema id does not exist" (bad input) from "the
 * registry is down" (an outage).
 */
public class RegistryException extends RuntimeException {
  public static final int SUBJECT_NOT_FOUND = 40401;
  public static final int VERSION_NOT_FOUND = 40402;
  public static final int SCHEMA_NOT_FOUND = 40403;
  public static final int SUBJECT_COMPATIBILITY_NOT_CONFIGURED = 40408;
  public static final int INCOMPATIBLE_SCHEMA = 409;
  public static final int INVALID_SCHEMA = 42201;
  public static final int INVALID_VERSION = 42202;
  public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
  public static final int UNAUTHORIZED = 40101;
  public static final int INTERNAL_ERROR = 50001;

  private final int status;
  private final int errorCode;

  public RegistryException(int status, int errorCode, String message) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }

  public int status() {
    return status;
  }

  public int errorCode() {
    return errorCode;
  }

  /**
   * The registry says the schema id asked for does not exist (Confluent's 40403): a fact about the
   * data, not an outage. Only this makes a record bad input.
   */
  public boolean isSchemaNotFound() {
    return errorCode == SCHEMA_NOT_FOUND;
  }
}
