package io.riskstream.cli;

import io.riskstream.config.RiskstreamConfig;
import io.riskstream.detect.DetectJob;
import io.riskstream.notify.NotifyJob;
import io.riskstream.notify.NotifySettings;
import io.riskstream.sink.Migrations;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "notify",
    mixinStandardHelpOptions = true,
    description = {
      "Send alerts to on-call: Telegram chats and webhooks.",
      "Alerts are read read_committed and routed per merchant and severity, with threshold summaries, at most one message per alert and route, retries and rate limits; undeliverable messages go to the notification_dead_letters table in PostgreSQL (postgres.url; migrations applied first). Routes: the YAML file named by notify.file (see docs/notify.md)."
    })
final class NotifyCommand implements Callable<Integer> {
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
    Reachability.kafka(settings, settings.topics().ofNotify());
    Reachability.transactions(settings);
    Reachability.postgres(settings);
    settings =
        config.load(
            resume.settings(settings, settings.jobName().replace("detect", "notify"), System.out),
            launch.settings(settings));
    NotifySettings routes = NotifySettings.load(settings.notifyFile());
    Migrations.apply(settings.postgres());
    StreamExecutionEnvironment env = DetectJob.environment(settings);
    NotifyJob.build(env, settings, routes);
    launch.run(
        env,
        settings.jobName().replace("detect", "notify"),
        "messages",
        name -> name.contains("HTTP delivery"),
        System.out);
    return 0;
  }
}
