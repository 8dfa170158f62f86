package io.riskstream.detect;

import io.riskstream.Uids;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.Payment;
import io.riskstream.avro.RuleUpdate;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.kafka.EventTimes;
import io.riskstream.kafka.KafkaConnectors;
import io.riskstream.kafka.RecordCheck;
import io.riskstream.kafka.RuleUpdateCheck;
import java.util.function.Function;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The detection job's I/O: Kafka sources of the three topics and of the rule versions (bad records
 * and refused versions split off to the dead-letter topic), {@link DetectionWorkflow} in the middle
 * (twice with {@code rules.shadow}: the shadow detectors), and the exactly-once alert sinks.
 */
public final class DetectJob {
  /** Appended to the uids and names of the shadow detectors. */
  public static final String SHADOW = "-shadow";

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

  /** Adds the detection job to {@code env}, starting with the rules of {@code book}. */
  public static void build(StreamExecutionEnvironment env, RiskstreamConfig config, RuleBook book) {
    build(env, config, book, DetectionWorkflow.Detectors::of);
  }

  /**
   * The job with the given detectors, made for a book's view: the live one, and with {@code
   * rules.shadow} the shadow one (the benchmark's skeleton passes no-op ones).
   */
  public static void build(
      StreamExecutionEnvironment env,
      RiskstreamConfig config,
      RuleBook book,
      Function<RuleBook, DetectionWorkflow.Detectors> detectors) {
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

    SingleOutputStreamOperator<RuleUpdate> versions =
        kafka
            .ruleRecords(env, Uids.RULE_UPDATES)
            .keyBy(RuleUpdateCheck::key, Types.STRING)
            .process(
                new RuleUpdateCheck(book, config.shadowRules()),
                new AvroTypeInfo<>(RuleUpdate.class))
            .uid(Uids.CHECK_RULE_UPDATES)
            .name("RuleUpdateCheck")
            .setDescription("rule versions checked; refused ones to the dead-letter topic");

    DetectionWorkflow.Outputs detected =
        DetectionWorkflow.define(
            payments,
            bills,
            balanceChanges,
            new DetectionWorkflow.RuleFeed(versions, book),
            detectors.apply(book),
            "");
    detected
        .alerts()
        .sinkTo(kafka.alertSink())
        .uid(Uids.SINK_ALERTS)
        .name("alerts")
        .setDescription("alerts → " + topics.alerts() + ", exactly once");
    detected
        .updates()
        .sinkTo(kafka.alertUpdateSink())
        .uid(Uids.SINK_ALERT_UPDATES)
        .name("alert updates")
        .setDescription(
            "retractions and resolutions → " + topics.alertUpdates() + ", exactly once");
    detected
        .lateEvents()
        .sinkTo(kafka.lateEventSink())
        .uid(Uids.SINK_LATE_EVENTS)
        .name("late events")
        .setDescription("late events → " + topics.lateEvents() + ", exactly once");

    if (config.shadowRules()) {
      RuleBook shadow = book.shadow();
      DetectionWorkflow.define(
              payments,
              bills,
              balanceChanges,
              new DetectionWorkflow.RuleFeed(versions, shadow),
              detectors.apply(shadow),
              SHADOW)
          .alerts()
          .sinkTo(kafka.shadowAlertSink())
          .uid(Uids.SINK_SHADOW_ALERTS)
          .name("shadow alerts")
          .setDescription(
              "alerts of SHADOW rule versions → " + topics.alertsShadow() + ", exactly once");
    }

    kafka.sendDeadLetters(Uids.SINK_DEAD_LETTERS, payments, bills, balanceChanges, versions);
  }
}
