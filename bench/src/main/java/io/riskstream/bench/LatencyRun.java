package io.riskstream.bench;

import io.riskstream.avro.Alert;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.detect.DetectJob;
import io.riskstream.detect.RuleBook;
import io.riskstream.generate.Traffic;
import io.riskstream.kafka.TopicReader;
import io.riskstream.kafka.WireProducer;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.serde.AvroWireDeserializer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Latency at a fixed input rate, and state size: the detect job runs (unbounded, as in production)
 * while the events are written at {@code rate}; each alert's latency is the moment its record was
 * emitted minus the moment its rule could first decide, which is when every input partition had
 * been written past the alert's decision time (its event_time) plus the disorder bound. That
 * subtracts the rule's own wait (W for absence rules, the disorder bound for all) and leaves what
 * the pipeline adds. The same alerts are also timed as a read_committed consumer polling through
 * the run first receives them, which is what every reader of the alert topic waits: the checkpoint
 * that commits the alert's transaction comes on top. Once the job's committed offsets reach the end
 * (lag 0), a native savepoint gives the RocksDB state per operator.
 */
final class LatencyRun {
  private LatencyRun() {}

  record Result(
      long events,
      double secondsToWrite,
      long[] latenciesMillis,
      long[] visibleMillis,
      int neverCommitted,
      int decidedOnlyByIdleness,
      StateSizes state,
      Workload.KeyCounts keys)
      implements java.io.Serializable {}

  /** Acknowledged writes of one partition, in order: event time and wall-clock time. */
  private static final class WriteLog {
    long[] eventTimes = new long[1024];
    long[] ackedAt = new long[1024];
    int size;

    void add(long eventTime, long acked) {
      if (size == eventTimes.length) {
        eventTimes = Arrays.copyOf(eventTimes, size * 2);
        ackedAt = Arrays.copyOf(ackedAt, size * 2);
      }
      eventTimes[size] = eventTime;
      ackedAt[size++] = acked;
    }

    /** When this partition first held an event at or after {@code eventTime}; -1 if never. */
    long firstAt(long eventTime) {
      int lo = 0;
      int hi = size;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (eventTimes[mid] < eventTime) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo == size ? -1 : ackedAt[lo];
    }
  }

  static Result run(
      RiskstreamConfig config,
      RuleBook rules,
      SchemaRegistryClient registry,
      List<Traffic.Event> events,
      double rate,
      Path savepoints)
      throws Exception {
    StreamExecutionEnvironment env = DetectJob.environment(config);
    DetectJob.build(env, config, rules);
    JobClient job = env.executeAsync(config.jobName());
    try (CommittedReader committed = new CommittedReader(config)) {
      awaitRunning(job);
      committed.start();
      Map<TopicPartition, WriteLog> writes = new HashMap<>();
      long start = System.nanoTime();
      try (WireProducer producer = new WireProducer(config.kafkaProperties(), registry)) {
        for (int i = 0; i < events.size(); i++) {
          long due = start + (long) (i * 1e9 / rate);
          for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
            LockSupport.parkNanos(Math.min(due - now, 1_000_000));
          }
          Traffic.Event e = events.get(i);
          long eventTime = e.eventTime().toEpochMilli();
          producer.send(
              e.topic(config.topics()),
              e.key(),
              e.record(),
              m ->
                  writes
                      .computeIfAbsent(
                          new TopicPartition(m.topic(), m.partition()), p -> new WriteLog())
                      .add(eventTime, System.currentTimeMillis()));
        }
        producer.flush();
      }
      double secondsToWrite = (System.nanoTime() - start) / 1e9;
      awaitLagZero(config, new ArrayList<>(writes.keySet()));
      String savepoint =
          job.triggerSavepoint(savepoints.toUri().toString(), SavepointFormatType.NATIVE)
              .get(5, TimeUnit.MINUTES);
      StateSizes state = StateSizes.read(savepoint);

      List<ConsumerRecord<byte[], byte[]>> sent =
          TopicReader.readAll(config.kafkaProperties(), config.topics().alerts(), false);
      // Every sent alert is committed by the checkpoint after it; wait for a few of those.
      committed.awaitAll(sent, config.checkpointInterval().multipliedBy(3).plusSeconds(10));

      long bound = config.maxOutOfOrderness().toMillis();
      List<Long> latencies = new ArrayList<>();
      List<Long> visible = new ArrayList<>();
      int undecided = 0;
      int neverCommitted = 0;
      AvroWireDeserializer<Alert> alerts = new AvroWireDeserializer<>(registry, Alert.class);
      for (ConsumerRecord<byte[], byte[]> r : sent) {
        Alert alert = alerts.deserialize(r.value());
        long decidable = decidableAt(writes, alert.getEventTime().toEpochMilli() + bound + 1);
        if (decidable < 0) {
          undecided++; // its watermark came from idleness, not from data: no rule wait to subtract
          continue;
        }
        latencies.add(r.timestamp() - decidable);
        Long seen = committed.seenAt(r);
        if (seen == null) {
          neverCommitted++;
        } else {
          visible.add(seen - decidable);
        }
      }
      return new Result(
          events.size(),
          secondsToWrite,
          sorted(latencies),
          sorted(visible),
          neverCommitted,
          undecided,
          state,
          Workload.count(events));
    } finally {
      job.cancel().get(1, TimeUnit.MINUTES);
    }
  }

  private static long[] sorted(List<Long> millis) {
    return millis.stream().mapToLong(Long::longValue).sorted().toArray();
  }

  /**
   * A read_committed consumer of the alert topic polling from its beginning on a thread of its own,
   * noting when it first received each record (by partition and offset; the same in both isolation
   * levels).
   */
  private static final class CommittedReader implements AutoCloseable {
    private final Map<String, Long> seenAt = new ConcurrentHashMap<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Thread thread = new Thread(this::poll, "bench-read-committed");
    private volatile boolean stop;
    private volatile RuntimeException failure;

    CommittedReader(RiskstreamConfig config) {
      Properties props = new Properties();
      props.putAll(config.kafkaProperties());
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      topic = config.topics().alerts();
      consumer =
          new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Once the job runs, so that the alert topic exists. */
    void start() {
      TopicReader.fromBeginning(consumer, topic);
      thread.start();
    }

    private void poll() {
      try {
        while (!stop) {
          long now = System.currentTimeMillis();
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
            seenAt.putIfAbsent(id(r), now);
          }
        }
      } catch (RuntimeException e) { // said by awaitAll, not mistaken for alerts never committed
        failure = e;
      }
    }

    Long seenAt(ConsumerRecord<?, ?> r) {
      return seenAt.get(id(r));
    }

    void awaitAll(List<ConsumerRecord<byte[], byte[]>> records, Duration bound)
        throws InterruptedException {
      long deadline = System.nanoTime() + bound.toNanos();
      while (!records.stream().allMatch(r -> seenAt.containsKey(id(r)))) {
        if (failure != null) {
          throw new IllegalStateException("the read_committed reader failed: " + failure, failure);
        }
        if (System.nanoTime() > deadline) {
          return; // the caller counts what was never received
        }
        Thread.sleep(100);
      }
    }

    private static String id(ConsumerRecord<?, ?> r) {
      return r.partition() + "@" + r.offset();
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      if (thread.isAlive()) {
        thread.join();
      }
      consumer.close();
    }
  }

  /** The watermark passes a time once every partition has been written past it. */
  private static long decidableAt(Map<TopicPartition, WriteLog> writes, long eventTime) {
    long latest = 0;
    for (WriteLog log : writes.values()) {
      long at = log.firstAt(eventTime);
      if (at < 0) {
        return -1;
      }
      latest = Math.max(latest, at);
    }
    return latest;
  }

  private static void awaitRunning(JobClient job) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (job.getJobStatus().get() != JobStatus.RUNNING) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the detect job did not start within a minute");
      }
      Thread.sleep(100);
    }
    Thread.sleep(2_000); // sources assigned their partitions
  }

  /** Until the job's committed offsets (committed on each checkpoint) reach the end offsets. */
  private static void awaitLagZero(RiskstreamConfig config, List<TopicPartition> partitions)
      throws Exception {
    Properties props = config.kafkaProperties();
    try (Admin admin = Admin.create(props)) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
      Map<TopicPartition, Long> end = new HashMap<>();
      admin.listOffsets(latest).all().get().forEach((p, o) -> end.put(p, o.offset()));
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (true) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(config.groupId()).partitionsToOffsetAndMetadata().get();
        if (end.entrySet().stream()
            .allMatch(
                e ->
                    committed.get(e.getKey()) != null
                        && committed.get(e.getKey()).offset() >= e.getValue())) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("consumer lag not 0 after 5 minutes: " + committed);
        }
        Thread.sleep(200);
      }
    }
  }
}
