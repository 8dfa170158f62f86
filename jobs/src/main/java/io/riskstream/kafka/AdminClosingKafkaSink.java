package io.riskstream.kafka;

import java.io.IOException;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Collection;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.lineage.LineageVertex;
import org.apache.flink.streaming.api.lineage.LineageVertexProvider;
import org.apache.kafka.clients.admin.Admin;

/**
 * Flink's exactly-once {@link KafkaSink}, with the admin client its writer opens closed once the
 * writer has started.
 *
 * <p>Why this exists: with {@code TransactionNamingStrategy.POOLING}, the writer of {@code
 * flink-connector-kafka} 5.0.0-2.2 opens an admin client at start to list the lingering
 * transactions it must abort, and never closes it. Every start of a sink subtask (each restart
 * after a failure) left a client thread behind, reconnecting to the brokers and holding the job's
 * class loader: 160 of them in one run of the integration tests, which ran out of heap, most likely
 * because a client of a stopped broker reached an HTTP server on the reused port and took its reply
 * ("HTTP") for the size of a 1.2 GB response. The client is used only while the writer starts
 * ({@code initialize}, inside {@code createWriter}/{@code restoreWriter}), so it is closed right
 * after. The field is private, hence the reflection; once the connector closes the client itself
 * and drops the field, this does nothing, and {@code DetectJobITCase} checks that no client is left
 * behind either way.
 */
final class AdminClosingKafkaSink<T>
    implements TwoPhaseCommittingStatefulSink<T, KafkaWriterState, KafkaCommittable>,
        SupportsPostCommitTopology<KafkaCommittable>,
        LineageVertexProvider {
  private final KafkaSink<T> sink;

  AdminClosingKafkaSink(KafkaSink<T> sink) {
    this.sink = sink;
  }

  @Override
  public PrecommittingStatefulSinkWriter<T, KafkaWriterState, KafkaCommittable> createWriter(
      WriterInitContext context) throws IOException {
    return closeAdmin(sink.createWriter(context));
  }

  @Override
  public PrecommittingStatefulSinkWriter<T, KafkaWriterState, KafkaCommittable> restoreWriter(
      WriterInitContext context, Collection<KafkaWriterState> states) {
    return closeAdmin(sink.restoreWriter(context, states));
  }

  private static <W> W closeAdmin(W writer) {
    try {
      Field field = writer.getClass().getDeclaredField("adminClient");
      field.setAccessible(true);
      Admin admin = (Admin) field.get(writer);
      if (admin != null) {
        admin.close(Duration.ofSeconds(5));
        field.set(writer, null);
      }
    } catch (NoSuchFieldException e) {
      // an at-least-once writer, or a connector that no longer keeps the client
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot close the Kafka sink's admin client", e);
    }
    return writer;
  }

  @Override
  public Committer<KafkaCommittable> createCommitter(CommitterInitContext context) {
    return sink.createCommitter(context);
  }

  @Override
  public SimpleVersionedSerializer<KafkaCommittable> getCommittableSerializer() {
    return sink.getCommittableSerializer();
  }

  @Override
  public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
    return sink.getWriterStateSerializer();
  }

  @Override
  public void addPostCommitTopology(DataStream<CommittableMessage<KafkaCommittable>> committables) {
    sink.addPostCommitTopology(committables);
  }

  @Override
  public LineageVertex getLineageVertex() {
    return sink.getLineageVertex();
  }
}
