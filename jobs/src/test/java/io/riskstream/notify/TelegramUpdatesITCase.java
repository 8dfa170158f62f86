package io.riskstream.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.testing.KafkaStack;
import io.riskstream.testkit.RecordingHttpServer;
import io.riskstream.testkit.RecordingHttpServer.Answer;
import io.riskstream.testkit.RecordingHttpServer.Request;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bot's updates as a source (Telegram {@code getUpdates} against a local server that answers as
 * the Bot API does): the offset is checkpointed, confirmed to Telegram only once a checkpoint holds
 * it, and a job restored from a savepoint asks from there, so no command is read twice.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TelegramUpdatesITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = KafkaStack.miniCluster(1);

  private static final String TOKEN = "123:test-token";
  private static final String GET_UPDATES = "/bot" + TOKEN + "/getUpdates";

  @TempDir Path dir;
  private RecordingHttpServer server;

  @BeforeEach
  void start() throws Exception {
    server = new RecordingHttpServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static String update(long id, String text) {
    return "{\"update_id\":"
        + id
        + ",\"message\":{\"message_id\":"
        + (500 + id)
        + ",\"from\":{\"id\":11,\"username\":\"asha\"},\"chat\":{\"id\":-100},\"text\":\""
        + text
        + "\"}}";
  }

  /** The offsets the source asked for, in order. */
  private List<String> offsets() {
    List<String> offsets = new ArrayList<>();
    for (Request r : server.requests(GET_UPDATES)) {
      offsets.add(r.query().replaceAll(".*offset=(\\d+).*", "$1"));
    }
    return offsets;
  }

  private void awaitOffset(String offset) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!offsets().contains(offset)) {
      assertThat(System.nanoTime())
          .as("a poll from offset " + offset + "; polled from " + offsets())
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private record Run(JobClient job, CloseableIterator<String> read) {}

  private Run run(String savepoint) throws Exception {
    Files.writeString(dir.resolve("token"), TOKEN);
    NotifySettings.Telegram telegram =
        new NotifySettings.Telegram(
            server.url(),
            null,
            dir.resolve("token").toString(),
            new NotifySettings.Commands(
                List.of(new NotifySettings.Allow("-100", null)), Duration.ofSeconds(1)));
    Configuration config = new Configuration();
    if (savepoint != null) {
      config.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
      // The collecting sink's own state belongs to the first run's client.
      config.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
    env.enableCheckpointing(200);
    CloseableIterator<String> read =
        env.fromSource(new TelegramUpdates(telegram), WatermarkStrategy.noWatermarks(), "bot")
            .setParallelism(1)
            .uid("bot")
            .map(c -> c.updateId + " " + c.actor() + " " + c.chat + " " + c.text, Types.STRING)
            .uid("read")
            .collectAsync();
    return new Run(env.executeAsync("telegram-updates"), read);
  }

  /** Stops with a savepoint in {@code name}, so that the job ends and its reads are all in. */
  private String stop(JobClient job, String name) throws Exception {
    return job.stopWithSavepoint(
            false, dir.resolve(name).toUri().toString(), SavepointFormatType.CANONICAL)
        .get();
  }

  private static List<String> drain(CloseableIterator<String> read) throws Exception {
    List<String> all = new ArrayList<>();
    read.forEachRemaining(all::add);
    read.close();
    return all;
  }

  @Test
  void aRestoredJobAsksFromTheCheckpointedOffsetAndReadsNoCommandTwice() throws Exception {
    server.script(
        GET_UPDATES,
        Answer.status(
            200,
            "{\"ok\":true,\"result\":[" + update(7, "/ack a1") + "," + update(8, "hi") + "]}"));
    Run first = run(null);
    // Telegram forgets updates 7 and 8 only when asked from 9: after a checkpoint holds them.
    awaitOffset("9");
    String savepoint = stop(first.job(), "sp");
    List<String> firstRead = drain(first.read());
    int polledBefore = offsets().size();

    server.script(
        GET_UPDATES,
        Answer.status(200, "{\"ok\":true,\"result\":[" + update(9, "/resolve a1 done") + "]}"));
    Run second = run(savepoint);
    awaitOffset("10");
    stop(second.job(), "sp2");
    List<String> secondRead = drain(second.read());

    assertThat(offsets().get(0)).as("a new job asks from the start").isEqualTo("0");
    assertThat(offsets().subList(0, polledBefore)).doesNotContain("10");
    assertThat(offsets().get(polledBefore)).as("the restored job's first poll").isEqualTo("9");
    assertThat(firstRead)
        .containsExactly("7 telegram:@asha -100 /ack a1", "8 telegram:@asha -100 hi");
    assertThat(secondRead).containsExactly("9 telegram:@asha -100 /resolve a1 done");
  }
}
