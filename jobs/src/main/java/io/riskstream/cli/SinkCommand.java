package io.riskstream.cli;

import io.riskstream.config.RiskstreamConfig;
import io.riskstream.detect.DetectJob;
import io.riskstream.sink.Migrations;
import io.riskstream.sink.SinkJob;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "sink",
    mixinStandardHelpOptions = true,
    description = {
      "Write alerts and raw events into PostgreSQL tables for analysts.",
      "Alerts (read_committed) and the raw payments, bills and balance changes are upserted by their ids. Applies the table migrations (Flyway) first."
    })
final class SinkCommand implements Callable<Integer> {
  @Option(
      names = "--jdbc-url",
      paramLabel = "URL",
      description =
          "PostgreSQL: jdbc:postgresql://host:5432/db or postgresql://user@host:5432/db (or postgres.url).")
  String jdbcUrl;

  @Mixin ConfigOptions config;

  @Mixin Resume resume;

  @Mixin Launch launch;

  @Override
  public Integer call() throws Exception {
    if (config.printedHelp()) {
      return 0;
    }
    List<String> extra = new ArrayList<>();
    if (jdbcUrl != null) {
      extra.add("postgres.url=" + jdbcUrl);
    }
    RiskstreamConfig settings = config.load(extra);
    Reachability.registry(settings);
    Reachability.kafka(settings, settings.topics().ofSink());
    Reachability.transactions(settings);
    Reachability.postgres(settings);
    String jobName = settings.jobName().replace("detect", "sink");
    settings =
        config.load(
            extra, resume.settings(settings, jobName, System.out), launch.settings(settings));
    Migrations.apply(settings.postgres());
    StreamExecutionEnvironment env = DetectJob.environment(settings);
    SinkJob.build(env, settings);
    launch.run(env, jobName, "rows", name -> name.contains("upsert: Writer"), System.out);
    return 0;
  }
}
