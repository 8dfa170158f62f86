package io.riskstream.detect;

import io.riskstream.Uids;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.Payment;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.kafka.EventTimes;
import io.riskstream.kafka.KafkaConnectors;
import io.riskstream.kafka.RecordCheck;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The detection job's I/O: Kafka sources of the three topics (bad records split off to the
 * dead-letter topic), {@link DetectionWorkflow} in the middle, and the exactly-once alert sink.
 */
public final class DetectJob {
  private DetectJob() {}

  /**
   * A stream execution environment with the job's Flink settings: RocksDB, checkpoints,
   * parallelism, no Kryo. Inside {@code flink run} it is that context's; with {@code
   * flink.execution.target=remote} it submits to the session cluster at {@code flink.rest.address}
   * through Flink's own remote executor (the target a local environment would override); otherwise
   * it is a local MiniCluster.
   */
  public static StreamExecutionEnvironment environment(RiskstreamConfig config) {
    Configuration flink = config.flinkConfiguration();
    if ("remote".equals(flink.get(DeploymentOptions.TARGET))) {
      return new StreamExecutionEnvironment(flink);
    }
    return StreamExecutionEnvironment.getExecutionEnvironment(flink);
  }

  /** Adds the detection job to {@code env}. */
  public static void build(StreamExecutionEnvironment env, RiskstreamConfig config, Rules rules) {
    build(env, config, DetectionWorkflow.Detectors.of(rules));
  }

  /** The job with the given detectors (the benchmark's skeleton passes no-op ones). */
  public static void build(
      StreamExecutionEnvironment env,
      RiskstreamConfig config,
      DetectionWorkflow.Detectors detectors) {
    KafkaConnectors kafka = new KafkaConnectors(config, "detect");
    var topics = config.topics();

    SingleOutputStreamOperator<Payment> payments =
        kafka.read(
            env,
            topics.payments(),
            Payment.class,
            RecordCheck.PAYMENT,
            EventTimes.PAYMENT,
            Uids.SOURCE_PAYMENTS,
            Uids.SPLIT_PAYMENTS);
    SingleOutputStreamOperator<Bill> bills =
        kafka.read(
            env,
            topics.bills(),
            Bill.class,
            RecordCheck.BILL,
            EventTimes.BILL,
            Uids.SOURCE_BILLS,
            Uids.SPLIT_BILLS);
    SingleOutputStreamOperator<BalanceChange> balanceChanges =
        kafka.read(
            env,
            topics.balanceChanges(),
            BalanceChange.class,
            RecordCheck.BALANCE_CHANGE,
            EventTimes.BALANCE_CHANGE,
            Uids.SOURCE_BALANCE_CHANGES,
            Uids.SPLIT_BALANCE_CHANGES);

    DetectionWorkflow.Outputs detected =
        DetectionWorkflow.define(payments, bills, balanceChanges, detectors);
    detected
        .alerts()
        .sinkTo(kafka.alertSink())
        .uid(Uids.SINK_ALERTS)
        .name("alerts")
        .setDescription("alerts → " + topics.alerts() + ", exactly once");
    detected
        .lateEvents()
        .sinkTo(kafka.lateEventSink())
        .uid(Uids.SINK_LATE_EVENTS)
        .name("late events")
        .setDescription("late events → " + topics.lateEvents() + ", exactly once");

    kafka.sendDeadLetters(Uids.SINK_DEAD_LETTERS, payments, bills, balanceChanges);
  }
}
