package io.riskstream.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.config.RiskstreamConfig;
import io.riskstream.detect.DetectJob;
import io.riskstream.detect.RuleBook;
import io.riskstream.notify.NotifyJob;
import io.riskstream.notify.NotifySettings;
import io.riskstream.sink.SinkJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No record or state of any job is serialized by Kryo: Kryo's format is neither compact nor stable
 * across versions, so a type that fell back to it would make savepoints fragile. Building a job
 * connects to nothing, so the addresses below need not exist.
 */
class NoKryoTest {
  private static final RiskstreamConfig CONFIG =
      RiskstreamConfig.load(
          null,
          Map.of(),
          List.of(
              "kafka.bootstrap-servers=127.0.0.1:9",
              "registry.url=http://127.0.0.1:9",
              "postgres.url=jdbc:postgresql://127.0.0.1:9/risk"));

  @Test
  void detectSinkAndNotifyUseNoGenericType(@TempDir Path dir) throws Exception {
    Path routes = dir.resolve("notify.yaml");
    Files.writeString(
        routes,
        """
        routes:
          - name: oncall
            min-severity: HIGH
            telegram-chats: ["-100"]
        """);
    NotifySettings notify = NotifySettings.load(routes);

    for (String job : List.of("detect", "sink", "notify")) {
      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.getExecutionEnvironment(CONFIG.flinkConfiguration());
      switch (job) {
        case "detect" -> DetectJob.build(env, CONFIG, RuleBook.defaults());
        case "sink" -> SinkJob.build(env, CONFIG);
        default -> NotifyJob.build(env, CONFIG, notify);
      }
      List<String> generic = new ArrayList<>();
      for (Transformation<?> t : everyTransformation(env)) {
        if (t.getOutputType() instanceof GenericTypeInfo<?>) {
          generic.add(t.getName() + ": " + t.getOutputType());
        }
      }
      assertThat(generic).as(job + " operators whose output would go to Kryo").isEmpty();
      assertThat(env.getConfig().getSerializerConfig().hasGenericTypesDisabled())
          .as(job + ": pipeline.generic-types")
          .isTrue();
      // Building the stream graph creates every serializer: a Kryo fallback would throw here.
      assertThat(env.getStreamGraph().getStreamNodes()).as(job).isNotEmpty();
    }
  }

  private static List<Transformation<?>> everyTransformation(StreamExecutionEnvironment env) {
    List<Transformation<?>> all = new ArrayList<>();
    for (Transformation<?> sink : env.getTransformations()) {
      for (Transformation<?> t : sink.getTransitivePredecessors()) {
        if (!all.contains(t)) {
          all.add(t);
        }
      }
    }
    return all;
  }
}
