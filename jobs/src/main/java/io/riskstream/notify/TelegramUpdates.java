package io.riskstream.notify;

import com.fasterxml.jackson.databind.JsonNode;
import io.riskstream.io.EventJson;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bot's incoming messages (Telegram {@code getUpdates}, long polling) as a Flink source whose
 * progress is checkpointed: one split, the bot, whose state is the next {@code update_id}. Written
 * on Flink's connector base because no maintained Flink connector for the Bot API exists.
 *
 * <p>Telegram forgets an update as soon as a request asks for a later offset. So the reader asks
 * from the offset of the last <em>completed</em> checkpoint and skips what it has emitted since:
 * after a failure the restored job reads again exactly the commands whose effects (an update on
 * Kafka, in a transaction of that checkpoint) were not committed, and none twice.
 */
public final class TelegramUpdates
    implements Source<ChatCommand, TelegramUpdates.Split, List<TelegramUpdates.Split>> {
  private static final Logger LOG = LoggerFactory.getLogger(TelegramUpdates.class);

  private final NotifySettings.Telegram telegram;

  public TelegramUpdates(NotifySettings.Telegram telegram) {
    this.telegram = telegram;
  }

  @Override
  public Boundedness getBoundedness() {
    return Boundedness.CONTINUOUS_UNBOUNDED;
  }

  @Override
  public SourceReader<ChatCommand, Split> createReader(SourceReaderContext context) {
    AtomicLong confirmed = new AtomicLong();
    return new Reader(context, () -> new Poller(telegram, confirmed), confirmed);
  }

  @Override
  public SplitEnumerator<Split, List<Split>> createEnumerator(
      SplitEnumeratorContext<Split> context) {
    return new Enumerator(context, List.of(new Split(0)));
  }

  @Override
  public SplitEnumerator<Split, List<Split>> restoreEnumerator(
      SplitEnumeratorContext<Split> context, List<Split> unassigned) {
    return new Enumerator(context, unassigned);
  }

  @Override
  public SimpleVersionedSerializer<Split> getSplitSerializer() {
    return new SplitSerializer();
  }

  @Override
  public SimpleVersionedSerializer<List<Split>> getEnumeratorCheckpointSerializer() {
    return new SplitsSerializer();
  }

  /** The bot's one split: the next update id to read. */
  public static final class Split implements SourceSplit {
    final long offset;

    Split(long offset) {
      this.offset = offset;
    }

    @Override
    public String splitId() {
      return "bot";
    }
  }

  /** A split being read: where it has got to. */
  static final class Progress {
    long next;

    Progress(long next) {
      this.next = next;
    }
  }

  /** Hands the one split to the one reader (the source runs at parallelism 1). */
  static final class Enumerator implements SplitEnumerator<Split, List<Split>> {
    private final SplitEnumeratorContext<Split> context;
    private final List<Split> unassigned;

    Enumerator(SplitEnumeratorContext<Split> context, List<Split> unassigned) {
      this.context = context;
      this.unassigned = new ArrayList<>(unassigned);
    }

    @Override
    public void start() {}

    @Override
    public void handleSplitRequest(int subtask, String host) {}

    @Override
    public void addSplitsBack(List<Split> splits, int subtask) {
      unassigned.addAll(splits);
      assign();
    }

    @Override
    public void addReader(int subtask) {
      assign();
    }

    private void assign() {
      if (!unassigned.isEmpty() && !context.registeredReaders().isEmpty()) {
        context.assignSplit(
            unassigned.remove(0), context.registeredReaders().keySet().iterator().next());
      }
    }

    @Override
    public List<Split> snapshotState(long checkpointId) {
      return List.copyOf(unassigned);
    }

    @Override
    public void close() {}
  }

  /**
   * Remembers the offset each checkpoint holds and, when one completes, lets the poller confirm it
   * to Telegram.
   */
  static final class Reader
      extends SingleThreadMultiplexSourceReaderBase<ChatCommand, ChatCommand, Split, Progress> {
    private final AtomicLong confirmed;
    private final SortedMap<Long, Long> offsets = new TreeMap<>();

    Reader(
        SourceReaderContext context,
        java.util.function.Supplier<SplitReader<ChatCommand, Split>> poller,
        AtomicLong confirmed) {
      super(poller, new Emitter(), new Configuration(), context);
      this.confirmed = confirmed;
    }

    @Override
    protected void onSplitFinished(Map<String, Progress> finished) {}

    @Override
    protected Progress initializedState(Split split) {
      confirmed.set(split.offset);
      return new Progress(split.offset);
    }

    @Override
    protected Split toSplitType(String splitId, Progress progress) {
      return new Split(progress.next);
    }

    @Override
    public List<Split> snapshotState(long checkpointId) {
      List<Split> splits = super.snapshotState(checkpointId);
      if (!splits.isEmpty()) {
        offsets.put(checkpointId, splits.get(0).offset);
      }
      return splits;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
      super.notifyCheckpointComplete(checkpointId);
      Long offset = offsets.get(checkpointId);
      offsets.headMap(checkpointId + 1).clear();
      if (offset != null) {
        confirmed.set(offset);
      }
    }
  }

  /** Emits a message and moves the split past its update. */
  static final class Emitter implements RecordEmitter<ChatCommand, ChatCommand, Progress> {
    @Override
    public void emitRecord(ChatCommand command, SourceOutput<ChatCommand> out, Progress progress) {
      out.collect(command);
      progress.next = command.updateId + 1;
    }
  }

  /** One long poll per fetch, on the connector base's fetcher thread. */
  static final class Poller implements SplitReader<ChatCommand, Split> {
    /** At most one poll a second when Telegram (or a proxy) answers at once with nothing. */
    private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

    private final NotifySettings.Telegram telegram;
    private final AtomicLong confirmed;
    private final HttpClient http;
    private final String token;
    private long next = -1;
    private volatile CompletableFuture<HttpResponse<String>> inFlight;
    private String lastProblem;

    Poller(NotifySettings.Telegram telegram, AtomicLong confirmed) {
      this.telegram = telegram;
      this.confirmed = confirmed;
      this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      // Read here, on the task manager, so that it never travels inside the job graph.
      this.token =
          NotifySettings.secret(telegram.tokenEnv(), telegram.tokenFile(), System.getenv());
    }

    @Override
    public RecordsWithSplitIds<ChatCommand> fetch() throws IOException {
      RecordsBySplits.Builder<ChatCommand> records = new RecordsBySplits.Builder<>();
      if (next < 0 || token == null) {
        pause(MIN_INTERVAL);
        return records.build();
      }
      long began = System.nanoTime();
      Duration wait = telegram.commands().pollTimeout();
      HttpRequest request =
          HttpRequest.newBuilder(
                  URI.create(
                      telegram.baseUrl()
                          + "/bot"
                          + token
                          + "/getUpdates?offset="
                          + confirmed.get()
                          + "&timeout="
                          + wait.toSeconds()
                          + "&allowed_updates=%5B%22message%22%5D"))
              .timeout(wait.plusSeconds(10))
              .GET()
              .build();
      int received = 0;
      try {
        inFlight = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> response = inFlight.get();
        if (response.statusCode() != 200) {
          problem("getUpdates answered " + response.statusCode() + " " + response.body());
        } else {
          for (JsonNode update : EventJson.MAPPER.readTree(response.body()).path("result")) {
            long id = update.path("update_id").asLong();
            if (id < next) {
              continue; // emitted already, not yet confirmed
            }
            JsonNode message = update.path("message");
            JsonNode from = message.path("from");
            records.add(
                "bot",
                new ChatCommand(
                    id,
                    message.path("chat").path("id").asText(),
                    message.path("message_id").asLong(),
                    from.path("id").asText(),
                    from.hasNonNull("username") ? from.path("username").asText() : null,
                    message.path("text").asText("")));
            next = id + 1;
            received++;
          }
          lastProblem = null;
        }
      } catch (CancellationException e) {
        return records.build(); // woken up: the fetcher has something else to do
      } catch (ExecutionException e) {
        problem("cannot reach Telegram's getUpdates: " + e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return records.build();
      }
      Duration took = Duration.ofNanos(System.nanoTime() - began);
      if (received == 0 && took.compareTo(MIN_INTERVAL) < 0) {
        pause(MIN_INTERVAL.minus(took));
      }
      return records.build();
    }

    /** Logged once until the next poll succeeds: a long outage is one line, not one a second. */
    private void problem(String what) {
      if (!what.equals(lastProblem)) {
        LOG.warn("Telegram commands: {}; polling again", what.replace(token, "<token>"));
        lastProblem = what;
      }
    }

    private static void pause(Duration d) {
      try {
        Thread.sleep(d.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void handleSplitsChanges(SplitsChange<Split> change) {
      if (change instanceof SplitsAddition<Split> added) {
        for (Split split : added.splits()) {
          next = split.offset;
          confirmed.set(split.offset);
        }
      }
    }

    @Override
    public void wakeUp() {
      CompletableFuture<HttpResponse<String>> poll = inFlight;
      if (poll != null) {
        poll.cancel(true);
      }
    }

    @Override
    public void close() {
      wakeUp();
    }
  }

  static final class SplitSerializer implements SimpleVersionedSerializer<Split> {
    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(Split split) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(8);
      new DataOutputStream(bytes).writeLong(split.offset);
      return bytes.toByteArray();
    }

    @Override
    public Split deserialize(int version, byte[] serialized) throws IOException {
      return new Split(
          new DataInputStream(new java.io.ByteArrayInputStream(serialized)).readLong());
    }
  }

  static final class SplitsSerializer implements SimpleVersionedSerializer<List<Split>> {
    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(List<Split> splits) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(splits.size());
      for (Split split : splits) {
        out.writeLong(split.offset);
      }
      return bytes.toByteArray();
    }

    @Override
    public List<Split> deserialize(int version, byte[] serialized) throws IOException {
      DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(serialized));
      int n = in.readInt();
      List<Split> splits = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        splits.add(new Split(in.readLong()));
      }
      return splits;
    }
  }
}
