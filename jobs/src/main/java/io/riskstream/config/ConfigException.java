package io.riskstream.config;

/**
 * A configuration mistake, with a message that names the key and the fix. Shown to the user without
 * a stack trace.
 */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
