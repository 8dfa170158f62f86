package io.riskstream.cli;

import io.riskstream.config.RiskstreamConfig;
import io.riskstream.detect.DetectJob;
import io.riskstream.detect.RuleBook;
import io.riskstream.kafka.RuleUpdateCheck;
import io.riskstream.registry.SchemaRegistryClient;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "detect",
    mixinStandardHelpOptions = true,
    description = {
      "Run the detection job against Kafka and a schema registry.",
      "Payments, bills and balance changes in, alerts out (exactly once), bad records to the dead-letter topic. Also the entry point for `flink run`."
    })
final class DetectCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Mixin Resume resume;

  @Mixin Launch launch;

  @Override
  public Integer call() throws Exception {
    if (config.printedHelp()) {
      return 0;
    }
    RiskstreamConfig settings = config.load(List.of());
    Reachability.registry(settings);
    Reachability.kafka(settings, settings.topics().ofDetect());
    Reachability.transactions(settings);
    settings =
        config.load(
            resume.settings(settings, settings.jobName(), System.out), launch.settings(settings));
    // The versions published so far, read before the job starts: a replay decides every event
    // with the versions of its time, whatever the order its sources are read in (docs/rules.md).
    RuleBook rules =
        RuleUpdateCheck.accepted(
            RuleBook.of(settings.rulesFile()),
            RulesCommand.History.read(settings, new SchemaRegistryClient(settings.registry())),
            settings.shadowRules());
    StreamExecutionEnvironment env = DetectJob.environment(settings);
    DetectJob.build(env, settings, rules);
    launch.run(
        env, settings.jobName(), "alerts", name -> name.startsWith("alerts: Writer"), System.out);
    return 0;
  }
}
