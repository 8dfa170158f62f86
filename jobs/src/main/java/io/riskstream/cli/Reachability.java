package io.riskstream.cli;

import io.riskstream.config.RiskstreamConfig;
import io.riskstream.registry.RegistryException;
import io.riskstream.registry.RegistryUnavailableException;
import io.riskstream.registry.SchemaRegistryClient;

/**
 * Checks, before a job is submitted, that what it will depend on answers: a job started against a
 * wrong address would otherwise fail its tasks again and again instead of saying so once.
 */
final class Reachability {
  private Reachability() {}

  /**
   * One request per registry URL, no retries; a {@link UserException} naming the key if none
   * answers.
   */
  static void registry(RiskstreamConfig config) {
    SchemaRegistryClient.Settings settings = config.registry();
    try {
      new SchemaRegistryClient(settings).checkReachable();
    } catch (RegistryUnavailableException | RegistryException e) {
      throw new UserException(
          "cannot reach the schema registry at "
              + String.join(",", settings.urls())
              + " ("
              + e.getMessage()
              + "); set registry.url");
    }
  }
}
