package io.riskstream.registry;

/**
 * The registry could not be reached or answered 5xx on every configured URL after the retries. An
 * outage, not bad input: a job must fail (and restart) on it rather than dead-letter good records.
 */
public class RegistryUnavailableException extends RuntimeException {
  public RegistryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
