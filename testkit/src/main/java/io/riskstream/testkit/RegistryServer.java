package io.riskstream.registry;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The embedded schema registry for a test class, with a client of it: register as a static
 * {@code @RegisterExtension} field.
 */
public final class RegistryServer implements BeforeAllCallback, AfterAllCallback {
  private EmbeddedSchemaRegistry server;
  private SchemaRegistryClient client;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    server = EmbeddedSchemaRegistry.start(0);
    client = new SchemaRegistryClient(server.url());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    server.close();
  }

  public String url() {
    return server.url();
  }

  public SchemaRegistryClient client() {
    return client;
  }
}
