package io.riskstream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Everything the demo starts listens on the loopback interface only. */
class DemoStackTest {
  @Test
  void everyServerOfTheDemoListensOnLoopbackOnly(@TempDir Path work) throws Exception {
    Demo.Options options =
        new Demo.Options(
            Duration.ofSeconds(5), 10, 1, 0.05, Demo.freePort(0), Demo.freePort(0), work, false);
    Files.createDirectories(work);
    try (DemoStack stack = DemoStack.start(options)) {
      assertThat(stack.kafka.bootstrapServers()).startsWith("127.0.0.1:");
      assertThat(stack.registry.url()).startsWith("http://127.0.0.1:");
      assertThat(stack.inbox.url()).startsWith("http://127.0.0.1:");
      try (Connection c = stack.postgres.getPostgresDatabase().getConnection();
          ResultSet rs = c.createStatement().executeQuery("SHOW listen_addresses")) {
        rs.next();
        assertThat(rs.getString(1)).isIn("localhost", "127.0.0.1");
      }
      assertThat(stack.config.flinkConfiguration().toMap())
          .containsEntry("rest.bind-address", "127.0.0.1")
          .containsEntry("rest.address", "127.0.0.1");
    }
  }
}
