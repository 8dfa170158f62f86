package io.riskstream.demo;

import io.riskstream.avro.Alert;
import io.riskstream.avro.Payment;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.config.Topics;
import io.riskstream.detect.DetectJob;
import io.riskstream.detect.Rules;
import io.riskstream.generate.Label;
import io.riskstream.generate.Traffic;
import io.riskstream.generate.TrafficGenerator;
import io.riskstream.kafka.DeadLetterSerializer;
import io.riskstream.kafka.KafkaTopics;
import io.riskstream.kafka.TopicReader;
import io.riskstream.kafka.WireProducer;
import io.riskstream.notify.NotifyJob;
import io.riskstream.notify.NotifySettings;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.serde.AvroWireDeserializer;
import io.riskstream.serde.AvroWireSerializer;
import io.riskstream.serde.BadRecordException;
import io.riskstream.sink.Migrations;
import io.riskstream.sink.SinkJob;
import io.riskstream.testkit.EmbeddedKafka;
import io.riskstream.testkit.EmbeddedSchemaRegistry;
import io.riskstream.testkit.OnCallInbox;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The demo: everything riskstream needs, in this process (a KRaft broker, a schema registry, a
 * Flink mini cluster with RocksDB and its web UI), fed with generated traffic with injected fraud
 * and a few poison pills; live progress on one line and, at the end, what was detected against what
 * was injected.
 */
public final class Demo {
  /** What the demo runs. */
  public record Options(
      Duration duration,
      int rate,
      long seed,
      double fraudRate,
      int uiPort,
      int postgresPort,
      Path workDir) {}

  /** What came out: the alerts, the dead letters' reasons, and the injected labels. */
  public record Result(
      List<Alert> alerts,
      List<String> deadLetterErrors,
      List<Label> labels,
      long produced,
      Map<String, Long> tableRows,
      String postgresUrl,
      List<String> onCallMessages) {}

  /** The analysts' connection string of the demo's PostgreSQL on {@code port}. */
  public static String postgresUrl(int port) {
    return "postgresql://postgres:postgres@127.0.0.1:" + port + "/postgres";
  }

  private final Options options;
  private final PrintStream out;

  public Demo(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /**
   * Runs the demo; {@code whileUp} gets the result while Kafka and PostgreSQL are still running
   * (the demo's {@code --keep-running} waits there).
   */
  public Result run(Consumer<Result> whileUp) throws Exception {
    out.println(
        "riskstream demo: starting an embedded Kafka broker (KRaft), a schema registry and Flink...");
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(0);
        EmbeddedPostgres postgres =
            EmbeddedPostgres.builder().setPort(options.postgresPort()).start();
        OnCallInbox inbox = new OnCallInbox()) {
      RiskstreamConfig config = config(kafka, registry);
      Migrations.apply(config.postgres());
      Topics topics = config.topics();
      KafkaTopics.create(kafka.bootstrapServers(), topics, 2);

      long events = (long) options.rate() * options.duration().toSeconds();
      Traffic traffic = trafficEndingBefore(Instant.now().truncatedTo(ChronoUnit.SECONDS), events);

      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(config.flinkConfiguration());
      // One Flink job holding both pipelines: a mini cluster serves one web UI, and the two stay
      // independent
      // (the sink reads the alert topic, not the detector's stream), exactly as when run as
      // separate jobs.
      DetectJob.build(env, config, Rules.defaults());
      SinkJob.build(env, config);
      NotifyJob.build(env, config, onCallRoutes(inbox));
      JobClient job = env.executeAsync(config.jobName());
      out.printf(
          "  Kafka      %s%n  registry   %s%n  Flink UI   http://127.0.0.1:%d  (job %s)%n"
              + "  PostgreSQL psql %s%n",
          kafka.bootstrapServers(),
          registry.url(),
          options.uiPort(),
          job.getJobID(),
          postgresUrl(options.postgresPort()));
      out.printf(
          "  traffic    %,d events at %,d/s with %.0f%% injected fraud, plus 3 poison pills%n%n",
          traffic.size(), options.rate(), options.fraudRate() * 100);

      SchemaRegistryClient client = new SchemaRegistryClient(registry.url());
      AtomicLong produced = new AtomicLong();
      try (WireProducer producer = new WireProducer(config.kafkaProperties(), client)) {
        sendPoisonPills(producer, client, topics);
        produce(traffic, producer, topics, produced, config, job);
        // Close every window, so that the cases injected last are decided too.
        for (Traffic.Event event :
            TrafficGenerator.closing(lastEventTime(traffic)).inEventTimeOrder()) {
          producer.send(event.topic(topics), event.key(), event.record());
        }
        producer.flush();
      }
      awaitAlerts(config, client, traffic.labels().size(), job);
      awaitRows(config.postgres(), traffic.labels().size());
      out.println();
      out.println("Stopping the job with a savepoint, which commits its last alerts...");
      try {
        job.stopWithSavepoint(
                false,
                options.workDir().resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL)
            .get(2, TimeUnit.MINUTES);
      } catch (java.util.concurrent.ExecutionException e) {
        // The summary still shows every alert committed so far; the log says why the savepoint
        // failed.
        out.println(
            "  the savepoint failed ("
                + e.getCause().getMessage().lines().findFirst().orElse("")
                + "); cancelling - alerts of the last checkpoint interval are not committed. See demo.log.");
        job.cancel().get(1, TimeUnit.MINUTES);
      }

      List<Alert> alerts = readAlerts(config, client);
      List<String> errors = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> letter :
          TopicReader.readAll(config.kafkaProperties(), topics.deadLetters())) {
        errors.add(
            "["
                + header(letter, DeadLetterSerializer.SOURCE_JOB)
                + "] "
                + header(letter, DeadLetterSerializer.ERROR));
      }
      Result result =
          new Result(
              alerts,
              errors,
              traffic.labels(),
              produced.get(),
              tableRows(config.postgres()),
              postgresUrl(options.postgresPort()),
              inbox.messages());
      whileUp.accept(result);
      return result;
    }
  }

  /**
   * On-call's routes in the demo: HIGH and CRITICAL alerts to one Telegram group (the local inbox),
   * with FORGED_UTR summarised from 5 alerts in 10 minutes; rate limits relaxed so that a minute of
   * demo drains.
   */
  private NotifySettings onCallRoutes(OnCallInbox inbox) throws IOException {
    Path token = options.workDir().resolve("telegram-token");
    Files.writeString(token, "demo:token");
    return new NotifySettings(
        new NotifySettings.Telegram(inbox.url(), null, token.toString()),
        List.of(
            new NotifySettings.Route(
                "on-call",
                List.of(),
                io.riskstream.avro.Severity.HIGH,
                List.of("-100200300"),
                List.of(),
                "individual")),
        List.of(
            new NotifySettings.Threshold(
                "forged-utr-flood", "FORGED_UTR", null, 5, "10 min", "30 min")),
        new NotifySettings.Delivery(4, "200 ms", "2 s", "5 s", "1 d"),
        new NotifySettings.RateLimits(
            new NotifySettings.Limit(100, "1 s"),
            new NotifySettings.Limit(100, "1 s"),
            new NotifySettings.Limit(100, "1 s")));
  }

  private RiskstreamConfig config(EmbeddedKafka kafka, EmbeddedSchemaRegistry registry) {
    return RiskstreamConfig.load(
        null,
        Map.of("RISKSTREAM_POSTGRES_PASSWORD", "postgres"),
        List.of(
            "postgres.url=jdbc:postgresql://127.0.0.1:" + options.postgresPort() + "/postgres",
            "postgres.user=postgres",
            "sink.batch-interval=500 ms",
            "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
            "registry.url=" + registry.url(),
            "kafka.starting-offsets=earliest",
            "kafka.transaction-timeout=5 min",
            "checkpoints.interval=2 s",
            "watermarks.idleness=2 s",
            "checkpoints.dir=" + options.workDir().resolve("checkpoints").toUri(),
            "job.name=riskstream demo (detect + sink + notify)",
            "job.parallelism=2",
            "flink.rest.port=" + options.uiPort(),
            "flink.rest.bind-address=127.0.0.1",
            "flink.rest.address=127.0.0.1"));
  }

  /** Sends the traffic paced at the configured rate, redrawing one progress line each second. */
  private void produce(
      Traffic traffic,
      WireProducer producer,
      Topics topics,
      AtomicLong produced,
      RiskstreamConfig config,
      JobClient job)
      throws Exception {
    long began = System.nanoTime();
    long nextDraw = 0;
    SchemaRegistryClient client = new SchemaRegistryClient(config.registry());
    AlertCounter counter = new AlertCounter(config, client);
    for (Traffic.Event event : traffic.inEventTimeOrder()) {
      long due = began + produced.get() * 1_000_000_000L / options.rate();
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      producer.send(event.topic(topics), event.key(), event.record());
      produced.incrementAndGet();
      if (System.nanoTime() >= nextDraw) {
        nextDraw = System.nanoTime() + 1_000_000_000L;
        out.printf(
            "\r  %3ds/%ds  produced %,9d  alerts %,6d  job %-9s  event time %s ",
            (System.nanoTime() - began) / 1_000_000_000L,
            options.duration().toSeconds(),
            produced.get(),
            counter.count(),
            job.getJobStatus().get(),
            event.eventTime().truncatedTo(ChronoUnit.SECONDS));
        out.flush();
      }
    }
    producer.flush();
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  /** Waits (at most a minute) until the sink has written the alerts to PostgreSQL. */
  private void awaitRows(RiskstreamConfig.Postgres postgres, long alerts) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (System.nanoTime() < deadline && tableRows(postgres).get("risk_alerts") < alerts) {
      Thread.sleep(500);
    }
  }

  /** Rows per table of the analysts' database. */
  public static Map<String, Long> tableRows(RiskstreamConfig.Postgres postgres)
      throws SQLException {
    Map<String, Long> rows = new LinkedHashMap<>();
    try (Connection c =
        DriverManager.getConnection(postgres.url(), postgres.user(), postgres.password())) {
      for (String table : List.of("risk_alerts", "payments", "bills", "balance_changes")) {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
          rs.next();
          rows.put(table, rs.getLong(1));
        }
      }
    }
    return rows;
  }

  /**
   * The traffic as if it had happened over the hours before {@code now}, replayed fast: event times
   * after the moment a record is written are bad input (events.max-ahead), and the closing events
   * an hour after the last one must be in the past too.
   */
  private Traffic trafficEndingBefore(Instant now, long events) {
    Traffic probe =
        TrafficGenerator.generate(
            new TrafficGenerator.Settings(events, options.seed(), options.fraudRate(), now));
    Duration span =
        Duration.between(now, lastEventTime(probe)).plus(TrafficGenerator.CLOSING_AFTER);
    return TrafficGenerator.generate(
        new TrafficGenerator.Settings(
            events, options.seed(), options.fraudRate(), now.minus(span).minusSeconds(60)));
  }

  private static Instant lastEventTime(Traffic traffic) {
    List<Traffic.Event> events = traffic.inEventTimeOrder();
    return events.get(events.size() - 1).eventTime();
  }

  /** Waits (at most a minute) until the injected cases' alerts are committed, showing the count. */
  private void awaitAlerts(
      RiskstreamConfig config, SchemaRegistryClient client, int expected, JobClient job)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (System.nanoTime() < deadline) {
      int committed = readAlerts(config, client).size();
      out.printf(
          "\r  closing the last windows: %,d of %,d injected cases' alerts committed (job %s)      ",
          committed, expected, job.getJobStatus().get());
      out.flush();
      if (committed >= expected) {
        break;
      }
      Thread.sleep(1_000);
    }
    out.println();
  }

  /**
   * One bad magic byte, one unknown schema id, one negative amount: each must land in the
   * dead-letter topic.
   */
  private static void sendPoisonPills(
      WireProducer producer, SchemaRegistryClient client, Topics topics) {
    byte[] key = "O-POISON".getBytes(StandardCharsets.UTF_8);
    producer.sendRaw(
        topics.payments(), key, "{\"order_no\":\"O-POISON\"}".getBytes(StandardCharsets.UTF_8));
    producer.sendRaw(topics.bills(), key, new byte[] {0, 0, 0, 0x7f, 0x7f, 2, 4});
    Payment negative =
        Payment.newBuilder()
            .setEventId("PE-POISON")
            .setOrderNo("O-POISON")
            .setMerchantId("M-101")
            .setKind(io.riskstream.avro.PaymentKind.COLLECT)
            .setStatus(io.riskstream.avro.PaymentStatus.CREATED)
            .setAmount(new BigDecimal("-1.00"))
            .setEventTime(Instant.now())
            .build();
    producer.sendRaw(
        topics.payments(),
        key,
        new AvroWireSerializer<>(client, topics.payments() + "-value", Payment.class, true)
            .serialize(negative));
  }

  static List<Alert> readAlerts(RiskstreamConfig config, SchemaRegistryClient client)
      throws BadRecordException {
    AvroWireDeserializer<Alert> deserializer = new AvroWireDeserializer<>(client, Alert.class);
    List<Alert> alerts = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record :
        TopicReader.readAll(config.kafkaProperties(), config.topics().alerts())) {
      alerts.add(deserializer.deserialize(record.value()));
    }
    return alerts;
  }

  /** Counts committed alerts for the progress line, reading the topic at most every few seconds. */
  private static final class AlertCounter {
    private final RiskstreamConfig config;
    private final SchemaRegistryClient client;
    private long lastRead;
    private int count;

    AlertCounter(RiskstreamConfig config, SchemaRegistryClient client) {
      this.config = config;
      this.client = client;
    }

    int count() throws BadRecordException {
      if (System.nanoTime() - lastRead > 3_000_000_000L) {
        lastRead = System.nanoTime();
        count = readAlerts(config, client).size();
      }
      return count;
    }
  }

  /** A free loopback port: {@code preferred} if it is free, else any. */
  public static int freePort(int preferred) {
    for (int port : new int[] {preferred, 0}) {
      try (ServerSocket socket =
          new ServerSocket(port, 0, java.net.InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException e) {
        if (port == 0) {
          throw new UncheckedIOException(e);
        }
      }
    }
    throw new IllegalStateException("unreachable");
  }

  public static Path workDir() {
    try {
      return Files.createTempDirectory("riskstream-demo-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
