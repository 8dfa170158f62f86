package io.riskstream.sink;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.connector.jdbc.core.datastream.sink.committer.JdbcCommitable;
import org.apache.flink.connector.jdbc.core.datastream.sink.writer.JdbcWriter;
import org.apache.flink.connector.jdbc.core.datastream.sink.writer.JdbcWriterState;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flink's JDBC sink, whose writer logs a failed flush in {@code close()} instead of throwing it.
 *
 * <p>Why this exists: the JDBC connector's writer flushes the batch it still holds when it is
 * closed, and throws if PostgreSQL cannot take it. Flink closes a failed task's operators from its
 * failure handling, where an exception is fatal to the whole TaskManager: when PostgreSQL died
 * under the fault suite, both TaskManagers exited, with the detect job's tasks on them, instead of
 * the sink job restarting. Nothing written is lost by not throwing there: a batch still held at
 * close belongs to records after the last checkpoint, which a restarted job reads again (the rows
 * are upserts), and an input that ends or a savepoint is flushed by {@code flush} before {@code
 * close}.
 */
final class QuietlyClosedJdbcSink<T>
    implements Sink<T>, SupportsWriterState<T, JdbcWriterState>, SupportsCommitter<JdbcCommitable> {
  private static final Logger LOG = LoggerFactory.getLogger(QuietlyClosedJdbcSink.class);

  private final JdbcSink<T> sink;

  QuietlyClosedJdbcSink(JdbcSink<T> sink) {
    this.sink = sink;
  }

  @Override
  public Writer<T> createWriter(WriterInitContext context) throws IOException {
    return new Writer<>(sink.createWriter(context));
  }

  @Override
  public Writer<T> restoreWriter(WriterInitContext context, Collection<JdbcWriterState> states)
      throws IOException {
    return new Writer<>(sink.restoreWriter(context, states));
  }

  @Override
  public SimpleVersionedSerializer<JdbcWriterState> getWriterStateSerializer() {
    return sink.getWriterStateSerializer();
  }

  @Override
  public Committer<JdbcCommitable> createCommitter(CommitterInitContext context)
      throws IOException {
    return sink.createCommitter(context);
  }

  @Override
  public SimpleVersionedSerializer<JdbcCommitable> getCommittableSerializer() {
    return sink.getCommittableSerializer();
  }

  static final class Writer<T>
      implements StatefulSinkWriter<T, JdbcWriterState>, CommittingSinkWriter<T, JdbcCommitable> {
    private final JdbcWriter<T> writer;

    Writer(JdbcWriter<T> writer) {
      this.writer = writer;
    }

    @Override
    public void write(T element, Context context) throws IOException, InterruptedException {
      writer.write(element, context);
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
      writer.flush(endOfInput);
    }

    @Override
    public Collection<JdbcCommitable> prepareCommit() throws IOException, InterruptedException {
      return writer.prepareCommit();
    }

    @Override
    public List<JdbcWriterState> snapshotState(long checkpointId) throws IOException {
      return writer.snapshotState(checkpointId);
    }

    @Override
    public void close() {
      try {
        writer.close();
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        LOG.warn(
            "PostgreSQL did not take the rows held when the writer closed; they come again from"
                + " the last checkpoint: {}",
            e.toString());
      }
    }
  }
}
