package io.riskstream.kafka;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.avro.DailySummary;
import io.riskstream.avro.RuleUpdate;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.detect.LateEvent;
import io.riskstream.reconcile.DailySummaries;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Flink's Kafka source and sinks, configured for riskstream: wire-format values, read_committed,
 * exactly once.
 */
public final class KafkaConnectors {
  private final RiskstreamConfig config;
  private final String job;

  /**
   * @param job the job these connectors belong to ("detect", "sink", ...): it names the consumer
   *     group and the transactional ids, which must differ between jobs reading the same topics or
   *     writing the same ones
   */
  public KafkaConnectors(RiskstreamConfig config, String job) {
    this.config = config;
    this.job = job;
  }

  private String groupId() {
    return job.equals("detect") ? config.groupId() : config.groupId() + "-" + job;
  }

  private String transactionalIdPrefix() {
    return job.equals("detect")
        ? config.transactionalIdPrefix()
        : config.transactionalIdPrefix() + "-" + job;
  }

  /**
   * A source of one topic's records, each either read into {@code type} or turned into a dead
   * letter.
   */
  public <T extends SpecificRecordBase> KafkaSource<Either<DeadLetter, T>> source(
      String topic,
      Class<T> type,
      RecordCheck<T> check,
      SerializableTimestampAssigner<T> eventTime) {
    return source(topic, wire(type, check, eventTime), startingOffsets());
  }

  private <T extends SpecificRecordBase> WireRecordDeserializer<T> wire(
      Class<T> type, RecordCheck<T> check, SerializableTimestampAssigner<T> eventTime) {
    return new WireRecordDeserializer<>(
        config.registry(),
        type,
        check,
        eventTime,
        config.eventTimeBounds(),
        config.localTimeZone());
  }

  private <T> KafkaSource<T> source(
      String topic, KafkaRecordDeserializationSchema<T> deserializer, OffsetsInitializer start) {
    var builder =
        KafkaSource.<T>builder()
            // The connector registers the consumer's metrics by name alone, and Kafka 4's
            // consumer has many names twice (per node and overall): ~90 "Name collision"
            // warnings per reader. Flink's own source metrics (pendingRecords, currentOffset,
            // committedOffset, ...) do not depend on this; kafka.properties can turn it back on.
            .setProperty(KafkaSourceOptions.REGISTER_KAFKA_CONSUMER_METRICS.key(), "false")
            .setProperties(config.kafkaProperties())
            .setTopics(topic)
            .setGroupId(groupId())
            .setClientIdPrefix(groupId() + "-" + topic)
            .setStartingOffsets(start)
            .setProperty("isolation.level", "read_committed")
            .setDeserializer(deserializer);
    if (config.bounded()) {
      builder.setBounded(OffsetsInitializer.latest());
    }
    return builder.build();
  }

  /**
   * The rule versions of {@code risk-rules}, from its beginning (a restored job: from its
   * checkpoint), each with the record it came from. The stream is always idle for event time: a
   * version is placed by its {@code effective_from}, so the rules must neither hold back the event
   * time of the detectors they are broadcast to nor move it: a watermark at the end of time here
   * would become the detectors' own whenever their data went idle, and decide everything at once.
   */
  public DataStream<RuleRecord> ruleRecords(StreamExecutionEnvironment env, String uid) {
    String topic = config.topics().rules();
    return env.fromSource(
            source(
                topic,
                new RuleRecords(
                    wire(RuleUpdate.class, RecordCheck.RULE_UPDATE, EventTimes.RULE_UPDATE)),
                OffsetsInitializer.earliest()),
            WatermarkStrategy.<RuleRecord>forGenerator(context -> new AlwaysIdle<>()),
            topic)
        .uid(uid)
        .setDescription(job + " reads " + topic);
  }

  /** No watermarks, and idle: a record makes the stream active until the next periodic emit. */
  private static final class AlwaysIdle<T> implements WatermarkGenerator<T> {
    @Override
    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {}

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
      output.markIdle();
    }
  }

  /**
   * The records of {@code topic} as a stream with event-time watermarks; bad records go to the side
   * output {@link DeadLetterSplitter#DEAD_LETTERS} of the returned operator.
   */
  public <T extends SpecificRecordBase> SingleOutputStreamOperator<T> read(
      StreamExecutionEnvironment env,
      String topic,
      Class<T> type,
      RecordCheck<T> check,
      SerializableTimestampAssigner<T> eventTime,
      String sourceUid,
      String splitUid) {
    DataStream<Either<DeadLetter, T>> records =
        env.fromSource(
                source(topic, type, check, eventTime),
                EventTimes.kafkaWatermarks(
                    config.maxOutOfOrderness(),
                    config.bounded() ? null : config.idleness(),
                    config.firstRecordGrace(),
                    config.kafkaProperties(),
                    eventTime),
                topic)
            .uid(sourceUid)
            .setDescription(job + " reads " + topic);
    return records
        .transform("watermark", records.getType(), new RestoredWatermark<>())
        .uid(sourceUid + "-watermark")
        .setDescription("the watermark of " + topic + " kept across a restore")
        .process(new DeadLetterSplitter<T>(), new AvroTypeInfo<>(type))
        .uid(splitUid)
        // Short names: a chain's name longer than 80 characters is cut in metric scopes, with a
        // warning per operator; the description keeps the words for the web UI.
        .name("checked")
        .setDescription("bad records of " + topic + " split off to the dead-letter topic");
  }

  /**
   * Sends the bad records split off by {@link #read} from these streams to the dead-letter topic.
   */
  public void sendDeadLetters(String uid, SingleOutputStreamOperator<?>... readers) {
    DataStream<DeadLetter> letters = readers[0].getSideOutput(DeadLetterSplitter.DEAD_LETTERS);
    for (int i = 1; i < readers.length; i++) {
      letters = letters.union(readers[i].getSideOutput(DeadLetterSplitter.DEAD_LETTERS));
    }
    letters
        .sinkTo(deadLetterSink())
        .uid(uid)
        // Short: the notify job chains this sink to its source, and the chain's name must stay
        // within the 80 characters of a metric scope.
        .name("DLQ")
        .setDescription("dead letters → " + config.topics().deadLetters() + ", exactly once");
  }

  public Sink<Alert> alertSink() {
    return alertSink(config.topics().alerts(), "alerts");
  }

  /** The alerts of SHADOW rule versions, to their own topic: never notified. */
  public Sink<Alert> shadowAlertSink() {
    // Not "alerts-shadow": a restored sink aborts the lingering transactions it lists by its
    // prefix, and "…-alerts" is a prefix of "…-alerts-shadow".
    return alertSink(config.topics().alertsShadow(), "shadow-alerts");
  }

  private Sink<Alert> alertSink(String topic, String what) {
    return exactlyOnce(
        new KeyedRecordSerializer<>(
            topic, Alert.class, Alert::getAlertId, config.registry(), config.autoRegister()),
        what);
  }

  /** The alerts' status changes, keyed by alert id like the alerts. */
  public Sink<AlertUpdate> alertUpdateSink() {
    return exactlyOnce(
        new KeyedRecordSerializer<>(
            config.topics().alertUpdates(),
            AlertUpdate.class,
            AlertUpdate::getAlertId,
            config.registry(),
            config.autoRegister()),
        "updates");
  }

  /** Each closed day's summaries, keyed by day and merchant, for the notify job. */
  public Sink<DailySummary> dailySummarySink() {
    return exactlyOnce(
        new KeyedRecordSerializer<>(
            config.topics().dailySummaries(),
            DailySummary.class,
            DailySummaries::key,
            config.registry(),
            config.autoRegister()),
        "daily-summaries");
  }

  /** Events a detector could no longer place, to the late-events topic. */
  public Sink<LateEvent> lateEventSink() {
    return exactlyOnce(
        new LateEventSerializer(config.topics(), config.registry(), config.autoRegister(), job),
        "late-events");
  }

  private Sink<DeadLetter> deadLetterSink() {
    return exactlyOnce(
        new DeadLetterSerializer(config.topics().deadLetters(), job, config.maxRequestBytes()),
        "dead-letters");
  }

  private <T> Sink<T> exactlyOnce(TopicSerializer<T> serializer, String what) {
    KafkaSink<T> sink =
        KafkaSink.<T>builder()
            .setKafkaProducerConfig(config.kafkaProperties())
            .setRecordSerializer(serializer)
            .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
            .setTransactionalIdPrefix(transactionalIdPrefix() + "-" + what)
            // Reuses a small pool of transactional ids instead of a new one per checkpoint, which
            // the brokers would otherwise keep for transactional.id.expiration.ms (7 days): 60,480
            // ids a week per subtask at a 10 s interval. Needs brokers of Kafka 3.0 or later
            // (KIP-664).
            .setTransactionNamingStrategy(TransactionNamingStrategy.POOLING)
            .setProperty(
                "transaction.timeout.ms", String.valueOf(config.transactionTimeout().toMillis()))
            .build();
    return new AdminClosingKafkaSink<>(sink);
  }

  private OffsetsInitializer startingOffsets() {
    return switch (config.startingOffsets()) {
      case COMMITTED_OR_EARLIEST ->
          OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
      case EARLIEST -> OffsetsInitializer.earliest();
      case LATEST -> OffsetsInitializer.latest();
    };
  }
}
