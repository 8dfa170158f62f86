package io.riskstream.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The embedded schema registry for a test class: register as a static {@code @RegisterExtension}
 * field.
 */
public final class RegistryServer implements BeforeAllCallback, AfterAllCallback {
  private EmbeddedSchemaRegistry server;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    server = EmbeddedSchemaRegistry.start(0);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    server.close();
  }

  public String url() {
    return server.url();
  }
}
