package io.riskstream.testing;

import io.riskstream.testkit.EmbeddedKafka;
import io.riskstream.testkit.EmbeddedSchemaRegistry;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real KRaft broker and the schema registry for a test class: register as a static
 * {@code @RegisterExtension} field; both start before the class's tests and stop after them.
 */
public final class KafkaStack implements BeforeAllCallback, AfterAllCallback {
  private EmbeddedKafka kafka;
  private EmbeddedSchemaRegistry registry;

  /** A Flink MiniCluster of one task manager with {@code slots} slots, for the same field kind. */
  public static MiniClusterExtension miniCluster(int slots) {
    return new MiniClusterExtension(
        new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(slots)
            .build());
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    kafka = EmbeddedKafka.start();
    registry = EmbeddedSchemaRegistry.start(0);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    registry.close();
    kafka.close();
  }

  public EmbeddedKafka kafka() {
    return kafka;
  }

  public EmbeddedSchemaRegistry registry() {
    return registry;
  }
}
