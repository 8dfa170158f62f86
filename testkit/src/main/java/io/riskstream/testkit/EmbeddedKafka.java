package io.riskstream.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in this JVM, on free
 * loopback ports, for the demo and the integration tests. Internal topics run at replication factor
 * 1 so that transactions work.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final KafkaRaftServer server;
  private final Path logDir;
  private final boolean temporary;
  private final String bootstrapServers;
  private final Map<String, String> securedBootstrapServers;

  private EmbeddedKafka(
      KafkaRaftServer server,
      Path logDir,
      boolean temporary,
      String bootstrapServers,
      Map<String, String> securedBootstrapServers) {
    this.server = server;
    this.logDir = logDir;
    this.temporary = temporary;
    this.bootstrapServers = bootstrapServers;
    this.securedBootstrapServers = securedBootstrapServers;
  }

  /**
   * Clients must prove themselves: a {@code SASL_SSL} listener with SCRAM-SHA-512 for {@code user}
   * and an {@code SSL} listener that requires a client certificate (mutual TLS), both with the
   * server certificate of {@code tls}. The {@code PLAINTEXT} listener stays for the broker's own
   * use and the tests' administration.
   */
  public record Security(TlsFiles tls, String user, String password) {}

  /** A temporary broker that also serves the secured listeners of {@code security}. */
  public static EmbeddedKafka startSecured(Security security) {
    return start(0, null, security);
  }

  /** A broker on a free port with a temporary log directory, deleted on close. */
  public static EmbeddedKafka start() {
    return start(0, null);
  }

  /**
   * A broker on {@code port} (0: a free one) keeping its logs in {@code dataDir}, which survives
   * {@link #close()} so that a broker started again on the same port and directory (after a stop or
   * a kill) finds its topics, offsets and transactions; {@code null} is a temporary directory.
   */
  public static EmbeddedKafka start(int port, Path dataDir) {
    return start(port, dataDir, null);
  }

  private static EmbeddedKafka start(int port, Path dataDir, Security security) {
    try {
      boolean temporary = dataDir == null;
      Path logDir = temporary ? Files.createTempDirectory("riskstream-kafka-") : dataDir;
      Files.createDirectories(logDir);
      int brokerPort = port == 0 ? Ports.free() : port;
      int controllerPort = Ports.free();
      Properties props = new Properties();
      props.put("process.roles", "broker,controller");
      props.put("node.id", "1");
      props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
      String listeners = "PLAINTEXT://127.0.0.1:" + brokerPort;
      String protocols = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT";
      Map<String, String> secured = new java.util.TreeMap<>();
      if (security != null) {
        secured.put("SASL_SSL", "127.0.0.1:" + Ports.free());
        secured.put("SSL", "127.0.0.1:" + Ports.free());
        for (var listener : secured.entrySet()) {
          listeners += "," + listener.getKey() + "://" + listener.getValue();
          protocols += "," + listener.getKey() + ":" + listener.getKey();
        }
        TlsFiles tls = security.tls();
        props.put("ssl.keystore.location", tls.serverKeystore().toString());
        props.put("ssl.keystore.password", tls.password());
        props.put("ssl.key.password", tls.password());
        props.put("ssl.keystore.type", "PKCS12");
        props.put("ssl.truststore.location", tls.truststore().toString());
        props.put("ssl.truststore.password", tls.password());
        props.put("ssl.truststore.type", "PKCS12");
        props.put("listener.name.ssl.ssl.client.auth", "required");
        props.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        props.put(
            "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required;");
      }
      props.put("listeners", listeners + ",CONTROLLER://127.0.0.1:" + controllerPort);
      props.put("advertised.listeners", listeners);
      props.put("controller.listener.names", "CONTROLLER");
      props.put("listener.security.protocol.map", protocols);
      props.put("inter.broker.listener.name", "PLAINTEXT");
      props.put("log.dirs", logDir.toString());
      props.put("offsets.topic.replication.factor", "1");
      props.put("offsets.topic.num.partitions", "4");
      props.put("transaction.state.log.replication.factor", "1");
      props.put("transaction.state.log.min.isr", "1");
      props.put("transaction.state.log.num.partitions", "4");
      props.put("share.coordinator.state.topic.replication.factor", "1");
      props.put("share.coordinator.state.topic.min.isr", "1");
      props.put("group.initial.rebalance.delay.ms", "0");
      props.put("auto.create.topics.enable", "false");
      KafkaConfig config = KafkaConfig.fromProps(props, false);

      if (!Files.exists(logDir.resolve("meta.properties"))) {
        format(logDir);
      }

      KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
      server.startup();
      EmbeddedKafka kafka =
          new EmbeddedKafka(server, logDir, temporary, "127.0.0.1:" + brokerPort, secured);
      kafka.awaitReady(Duration.ofSeconds(60));
      if (security != null) {
        kafka.addScramUser(security.user(), security.password());
      }
      return kafka;
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot start the embedded Kafka broker: " + e.getMessage(), e);
    }
  }

  private static void format(Path logDir) throws Exception {
    new Formatter()
        .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
        .setNodeId(1)
        .setClusterId(Uuid.randomUuid().toString())
        .setDirectories(List.of(logDir.toString()))
        .setMetadataLogDirectory(logDir.toString())
        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
        .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
        .setControllerListenerName("CONTROLLER")
        .run();
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The address of the secured listener {@code SASL_SSL} or {@code SSL}. */
  public String bootstrapServers(String securityProtocol) {
    String address = securedBootstrapServers.get(securityProtocol);
    if (address == null) {
      throw new IllegalArgumentException("no " + securityProtocol + " listener on this broker");
    }
    return address;
  }

  /** SCRAM-SHA-512 credentials, stored by the controller (KRaft) as Kafka's own tools do. */
  private void addScramUser(String user, String password) throws Exception {
    try (Admin admin = admin()) {
      admin
          .alterUserScramCredentials(
              List.of(
                  new org.apache.kafka.clients.admin.UserScramCredentialUpsertion(
                      user,
                      new org.apache.kafka.clients.admin.ScramCredentialInfo(
                          org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512, 8192),
                      password)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
  }

  private void awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try (Admin admin = admin()) {
        if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
          return;
        }
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("embedded Kafka broker not ready after " + timeout, e);
        }
      }
      Thread.sleep(100);
    }
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
    if (temporary) {
      try {
        Directories.deleteRecursively(logDir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
