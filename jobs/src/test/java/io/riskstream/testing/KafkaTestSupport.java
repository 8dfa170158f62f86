package io.riskstream.testing;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.config.Topics;
import io.riskstream.detect.DetectJob;
import io.riskstream.detect.RuleBook;
import io.riskstream.generate.Traffic;
import io.riskstream.generate.TrafficGenerator;
import io.riskstream.kafka.TopicReader;
import io.riskstream.kafka.WireProducer;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.serde.AvroWireDeserializer;
import io.riskstream.serde.AvroWireSerializer;
import io.riskstream.serde.ConfluentWireFormat;
import io.riskstream.testkit.EmbeddedKafka;
import io.riskstream.testkit.EmbeddedSchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Real Kafka plumbing for integration tests: topics, traffic in, alerts and dead letters out. */
public final class KafkaTestSupport {
  private KafkaTestSupport() {}

  /**
   * A bad record as sent, and the error its dead letter must carry; {@code writtenAt} is the
   * record's timestamp, {@code null} for the producer's clock.
   */
  public record PoisonPill(String topic, byte[] key, byte[] value, String error, Long writtenAt) {
    public PoisonPill(String topic, byte[] key, byte[] value, String error) {
      this(topic, key, value, error, null);
    }

    /** The same bad record under another key, to tell copies apart. */
    public PoisonPill withKey(String newKey) {
      return new PoisonPill(topic, bytes(newKey), value, error, writtenAt);
    }

    public void send(WireProducer producer) {
      if (writtenAt == null) {
        producer.sendRaw(topic, key, value);
      } else {
        producer.sendRaw(topic, writtenAt, key, value);
      }
    }
  }

  /**
   * Two payments whose clocks are broken, written at {@link TestEvents#BEGINNING}: one in
   * microseconds (the year 58859 when read as milliseconds), one in seconds (January 1970). Both
   * are well-formed claims with an IP, so that, were they placed, they would move the watermarks of
   * every payment detector.
   */
  public static List<PoisonPill> sendBrokenClocks(
      WireProducer producer, SchemaRegistryClient registry, Topics topics) {
    List<PoisonPill> pills = brokenClocks(registry, topics);
    pills.forEach(p -> p.send(producer));
    return pills;
  }

  /** The two payments of {@link #sendBrokenClocks}, not sent. */
  public static List<PoisonPill> brokenClocks(SchemaRegistryClient registry, Topics topics) {
    AvroWireSerializer<Payment> payments =
        new AvroWireSerializer<>(registry, topics.payments() + "-value", Payment.class, true);
    long written = TestEvents.BEGINNING.toEpochMilli();
    Instant micros = Instant.ofEpochMilli(written * 1_000);
    Instant seconds = Instant.ofEpochMilli(written / 1_000);
    return List.of(
        new PoisonPill(
            topics.payments(),
            bytes("O-MICROS"),
            payments.serialize(claimAt("PE-MICROS", "O-MICROS", micros)),
            "event_time "
                + micros
                + " is more than 5 min (events.max-ahead) after the record was written at"
                + " 2026-11-21T10:00:00Z",
            written),
        new PoisonPill(
            topics.payments(),
            bytes("O-SECONDS"),
            payments.serialize(claimAt("PE-SECONDS", "O-SECONDS", seconds)),
            "event_time 1970-01-21T18:40:55.200Z is before 2000-01-01T00:00:00Z"
                + " (events.not-before)",
            written));
  }

  private static Payment claimAt(String eventId, String orderNo, Instant time) {
    return TestEvents.payment(eventId, orderNo, PaymentStatus.PAID, "10", time)
        .setUtr("412345678999")
        .setIp("10.9.9.9")
        .setUserId("U-CLOCK")
        .build();
  }

  public static RiskstreamConfig config(
      EmbeddedKafka kafka, EmbeddedSchemaRegistry registry, String... extra) {
    List<String> sets = new ArrayList<>(settings(kafka, registry));
    sets.addAll(Arrays.asList(extra));
    return RiskstreamConfig.load(null, Map.of(), sets);
  }

  /** The settings of {@link #config}: quick checkpoints, short idleness, parallelism 2. */
  public static List<String> settings(EmbeddedKafka kafka, EmbeddedSchemaRegistry registry) {
    return List.of(
        "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
        "registry.url=" + registry.url(),
        "kafka.starting-offsets=earliest",
        "kafka.transaction-timeout=2 min",
        "checkpoints.interval=1 s",
        // As long as the 2-minute transactions allow: a slow checkpoint on a busy CI machine must
        // not be aborted (it was Flink's 10 minutes before the timeout became a checked key).
        "checkpoints.timeout=55 s",
        "watermarks.idleness=1 s",
        // The rules topic is empty in most tests: its split would hold the watermark for the
        // default minute after each start. 15 s still covers a restored job's first fetch here.
        "watermarks.first-record-grace=15 s",
        // No shadow detectors: they double the detect job's operators on a 2-core machine, and
        // only RuleUpdatesITCase publishes shadow versions (it turns them on).
        "rules.shadow=false",
        "job.parallelism=2");
  }

  /** Generated traffic of about {@code events} events with 10 % of cases injected. */
  public static Traffic traffic(long events, long seed) {
    return TrafficGenerator.generate(
        new TrafficGenerator.Settings(events, seed, 0.1, TrafficGenerator.Settings.DEFAULT_START));
  }

  /** Writes the traffic in event-time order, as the upstream systems would. */
  public static void produce(WireProducer producer, Topics topics, Traffic traffic) {
    produce(producer, topics, traffic.inEventTimeOrder());
  }

  /** Writes these events in the order given. */
  public static void produce(WireProducer producer, Topics topics, List<Traffic.Event> events) {
    for (Traffic.Event e : events) {
      producer.send(e.topic(topics), e.key(), e.record());
    }
  }

  /** One record of each kind of bad input of docs/contract.md (Bad input), sent raw. */
  public static List<PoisonPill> sendPoisonPills(
      WireProducer producer, SchemaRegistryClient registry, Topics topics) {
    List<PoisonPill> pills = poisonPills(registry, topics);
    pills.forEach(p -> p.send(producer));
    return pills;
  }

  /** The bad records of {@link #sendPoisonPills}, not sent. */
  public static List<PoisonPill> poisonPills(SchemaRegistryClient registry, Topics topics) {
    AvroWireSerializer<Payment> payments =
        new AvroWireSerializer<>(registry, topics.payments() + "-value", Payment.class, true);
    byte[] good =
        payments.serialize(
            TestEvents.payment("PE-P", "O-P", PaymentStatus.PAID, "10", TestEvents.BEGINNING)
                .build());
    byte[] unknownId = good.clone();
    unknownId[1] = 0x7f;
    int unknown = java.nio.ByteBuffer.wrap(unknownId, 1, 4).getInt();
    int paymentId = java.nio.ByteBuffer.wrap(good, 1, 4).getInt();
    byte[] line =
        new AvroWireSerializer<>(
                registry, topics.balanceChanges() + "-value", BalanceChange.class, true)
            .serialize(
                TestEvents.ledger("L-P3", "A-P3", 325, "1", "0", TestEvents.BEGINNING).build());
    return List.of(
        new PoisonPill(
            topics.payments(),
            bytes("O-P1"),
            bytes("{\"order_no\": \"O-P1\"}"),
            "unknown magic byte 0x7b: expected 0x00 (Confluent wire format)"),
        new PoisonPill(
            topics.bills(),
            bytes("U-P2"),
            unknownId,
            "unknown schema id "
                + unknown
                + " (schema registry: 404/40403 Schema "
                + unknown
                + " not found)"),
        new PoisonPill(
            topics.balanceChanges(),
            bytes("A-P3"),
            Arrays.copyOf(line, line.length - 4),
            "truncated Avro body for schema id "
                + java.nio.ByteBuffer.wrap(line, 1, 4).getInt()
                + ": a length, item count or field runs past its "
                + (line.length - 4 - 5)
                + " bytes"),
        new PoisonPill(
            topics.payments(),
            bytes("O-P4"),
            payments.serialize(
                TestEvents.payment("PE-P4", "O-P4", PaymentStatus.PAID, "1", TestEvents.BEGINNING)
                    .setAmount(new java.math.BigDecimal("-5.00"))
                    .build()),
            "amount must be > 0, was -5.00"),
        new PoisonPill(
            topics.payments(),
            bytes("O-P5"),
            payments.serialize(
                TestEvents.payment("PE-P5", "", PaymentStatus.PAID, "1", TestEvents.BEGINNING)
                    .build()),
            "missing order_no"),
        // A body declaring a 1 GB string: refused before Avro allocates it.
        new PoisonPill(
            topics.payments(),
            bytes("O-P6"),
            withBody(good, "8080808008452d31"),
            "truncated Avro body for schema id "
                + paymentId
                + ": a length, item count or field runs past its 8 bytes"),
        // 1,040,000 bytes: more than a dead letter may carry under a 1 MiB request size.
        new PoisonPill(
            topics.payments(),
            bytes("O-P7"),
            withBody(good, "00".repeat(1_040_000 - 5)),
            // Zeros decode as empty strings until the amount: a decimal of no bytes.
            "cannot decode Avro body with schema id "
                + paymentId
                + ": java.lang.NumberFormatException: Zero length BigInteger"));
  }

  /** The wire-format header of {@code wire} (magic byte and schema id) followed by {@code hex}. */
  private static byte[] withBody(byte[] wire, String hex) {
    byte[] body = java.util.HexFormat.of().parseHex(hex);
    byte[] out = Arrays.copyOf(wire, 5 + body.length);
    System.arraycopy(body, 0, out, 5, body.length);
    return out;
  }

  public static List<Alert> alerts(RiskstreamConfig config, SchemaRegistryClient registry)
      throws Exception {
    AvroWireDeserializer<Alert> deserializer = new AvroWireDeserializer<>(registry, Alert.class);
    List<Alert> alerts = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r :
        TopicReader.readAll(config.kafkaProperties(), config.topics().alerts())) {
      Alert alert = deserializer.deserialize(r.value());
      if (!new String(r.key(), StandardCharsets.UTF_8).equals(alert.getAlertId())) {
        throw new AssertionError(
            "alert keyed by " + new String(r.key(), StandardCharsets.UTF_8) + " not its id");
      }
      alerts.add(alert);
    }
    return alerts;
  }

  /**
   * A consumer byte-rate quota on a Kafka source's clients at parallelism 2 (Flink names them
   * prefix-subtask), as an overloaded or quota-limited cluster imposes.
   */
  public static void throttle(String bootstrapServers, String clientIdPrefix, int bytesPerSecond)
      throws Exception {
    List<org.apache.kafka.common.quota.ClientQuotaAlteration> quotas =
        List.of(0, 1).stream()
            .map(
                subtask ->
                    new org.apache.kafka.common.quota.ClientQuotaAlteration(
                        new org.apache.kafka.common.quota.ClientQuotaEntity(
                            Map.of(
                                org.apache.kafka.common.quota.ClientQuotaEntity.CLIENT_ID,
                                clientIdPrefix + "-" + subtask)),
                        List.of(
                            new org.apache.kafka.common.quota.ClientQuotaAlteration.Op(
                                "consumer_byte_rate", (double) bytesPerSecond))))
            .toList();
    try (Admin admin =
        Admin.create(
            Map.of(
                org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers))) {
      admin.alterClientQuotas(quotas).all().get();
    }
  }

  /** Producer settings that write every record to partition {@code partition}. */
  public static Properties toPartition(RiskstreamConfig config, int partition) {
    Properties producing = steered(config);
    producing.put(SteeredPartitioner.ONLY, String.valueOf(partition));
    return producing;
  }

  /** Producer settings that spread records by key over every partition but the last. */
  public static Properties allButTheLastPartition(RiskstreamConfig config) {
    return steered(config);
  }

  private static Properties steered(RiskstreamConfig config) {
    Properties producing = config.kafkaProperties();
    producing.put("partitioner.class", SteeredPartitioner.class.getName());
    return producing;
  }

  /**
   * All records to the partition the producer property {@link #ONLY} names, or, without it, by key
   * over every partition but the last.
   */
  public static final class SteeredPartitioner
      implements org.apache.kafka.clients.producer.Partitioner {
    static final String ONLY = "riskstream.test.partition";
    private Integer only;

    @Override
    public int partition(
        String topic,
        Object key,
        byte[] keyBytes,
        Object value,
        byte[] valueBytes,
        org.apache.kafka.common.Cluster c) {
      if (only != null) {
        return only;
      }
      int usable = c.partitionCountForTopic(topic) - 1;
      return keyBytes == null
          ? 0
          : org.apache.kafka.common.utils.Utils.toPositive(
                  org.apache.kafka.common.utils.Utils.murmur2(keyBytes))
              % usable;
    }

    @Override
    public void configure(Map<String, ?> configs) {
      Object partition = configs.get(ONLY);
      only = partition == null ? null : Integer.valueOf(String.valueOf(partition));
    }

    @Override
    public void close() {}
  }

  /**
   * Waits for as many alerts as {@code expected} holds, cancels {@code job}, and asserts the
   * committed alerts are exactly those cases, each once; returns them.
   */
  public static List<Alert> detectedExactly(
      RiskstreamConfig config,
      SchemaRegistryClient registry,
      JobClient job,
      List<io.riskstream.generate.Label> expected)
      throws Exception {
    try {
      await(
          "every injected case's alert",
          Duration.ofMinutes(3),
          () -> alerts(config, registry).size() >= expected.size());
    } finally {
      job.cancel().get(1, java.util.concurrent.TimeUnit.MINUTES);
    }
    List<Alert> alerts = alerts(config, registry);
    org.assertj.core.api.Assertions.assertThat(alerts)
        .extracting(Alert::getAlertId)
        .doesNotHaveDuplicates();
    org.assertj.core.api.Assertions.assertThat(alerts)
        .extracting(io.riskstream.generate.Label::of)
        .containsExactlyInAnyOrderElementsOf(expected);
    return alerts;
  }

  /** A condition that may read Kafka or a database on its way. */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  /**
   * Starts the detect job on the test's cluster, with {@code config}'s Flink settings and the
   * default rules.
   */
  public static JobClient startDetect(RiskstreamConfig config, String name) throws Exception {
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(config.flinkConfiguration());
    DetectJob.build(env, config, RuleBook.defaults());
    return env.executeAsync(name);
  }

  public static void await(String what, Duration timeout, Condition condition) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      Thread.sleep(500);
    }
  }

  /** {@link #committedToTheEnd} of the detect job's group on all three input topics. */
  public static boolean inputsReadToTheEnd(RiskstreamConfig config) throws Exception {
    Topics topics = config.topics();
    return committedToTheEnd(
        config, config.groupId(), topics.payments(), topics.bills(), topics.balanceChanges());
  }

  /**
   * Whether consumer group {@code group} has committed, for every partition of {@code topics}, the
   * topic's end offset. A Flink Kafka source commits at a completed checkpoint, after every sink of
   * the job has flushed what it read before it: once this holds, the job has written all it will
   * for those records, without guessing how long that takes.
   */
  public static boolean committedToTheEnd(RiskstreamConfig config, String group, String... topics)
      throws Exception {
    try (Admin admin = Admin.create(config.kafkaProperties())) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
      for (var description : admin.describeTopics(List.of(topics)).allTopicNames().get().values()) {
        description
            .partitions()
            .forEach(
                p ->
                    latest.put(
                        new TopicPartition(description.name(), p.partition()),
                        OffsetSpec.latest()));
      }
      for (var end : admin.listOffsets(latest).all().get().entrySet()) {
        OffsetAndMetadata done = committed.get(end.getKey());
        if (end.getValue().offset() > 0
            && (done == null || done.offset() < end.getValue().offset())) {
          return false;
        }
      }
      return true;
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Writes {@code e}, a payment with the newer writer schema {@code newer} (id {@code newerId}).
   */
  public static void sendAsNewerWriter(
      WireProducer producer, Topics topics, Traffic.Event e, int newerId, Schema newer)
      throws Exception {
    if (e.record() instanceof Payment p) {
      producer.sendRaw(
          e.topic(topics), e.key().getBytes(StandardCharsets.UTF_8), encode(newerId, newer, p));
    } else {
      producer.send(e.topic(topics), e.key(), e.record());
    }
  }

  /** {@code current} with one more optional field: a newer writer schema a reader resolves. */
  public static Schema withRiskScore(Schema current) {
    List<Schema.Field> fields = new ArrayList<>();
    current.getFields().forEach(f -> fields.add(new Schema.Field(f, f.schema())));
    fields.add(
        new Schema.Field(
            "risk_score",
            Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.DOUBLE)),
            null,
            Schema.Field.NULL_DEFAULT_VALUE));
    return Schema.createRecord(
        current.getName(), current.getDoc(), current.getNamespace(), false, fields);
  }

  /** The payment in the Confluent wire format under the newer writer schema. */
  public static byte[] encode(int id, Schema schema, Payment payment) throws Exception {
    GenericData model = new GenericData();
    model.addLogicalTypeConversion(new Conversions.DecimalConversion());
    model.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
    GenericRecord record = new GenericData.Record(schema);
    Payment.getClassSchema().getFields().forEach(f -> record.put(f.name(), payment.get(f.pos())));
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(body, null);
    new GenericDatumWriter<GenericRecord>(schema, model).write(record, encoder);
    encoder.flush();
    byte[] bytes = body.toByteArray();
    return ByteBuffer.allocate(ConfluentWireFormat.HEADER_LENGTH + bytes.length)
        .put((byte) 0)
        .putInt(id)
        .put(bytes)
        .array();
  }
}
