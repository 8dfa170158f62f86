package io.riskstream.cli;

/**
 * A mistake in what the user asked for (a missing file, an unknown topic): one line, exit code 2.
 */
public class UserException extends RuntimeException {
  public UserException(String message) {
    super(message);
  }
}
