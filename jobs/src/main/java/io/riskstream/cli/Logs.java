package io.riskstream.cli;

import java.net.URI;
import java.nio.file.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;

/** Where a command-line run's logging goes while the terminal shows its own few lines. */
public final class Logs {
  private Logs() {}

  /** Logging redirected to a file until closed, then back to what it was. */
  public interface ToFile extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Sends every log line (Flink's, Kafka's, riskstream's) to {@code file}, created with its
   * directory, until the returned handle is closed.
   */
  public static ToFile toFile(Path file) {
    System.setProperty("riskstream.log.file", file.toString());
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    URI before = context.getConfigLocation();
    context.setConfigLocation(URI.create("classpath:log4j2-file.properties"));
    return () -> context.setConfigLocation(before);
  }
}
