package io.riskstream.bench.jmh;

import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.detect.StateRecordSerializer;
import io.riskstream.generate.Traffic;
import io.riskstream.generate.TrafficGenerator;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One record's trip between two operators of the job: written by the sending task, read by the
 * receiving one, with Flink's Avro serializer or with the field-by-field one the job's state uses.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
public class ShuffleBenchmark {
  @Param({"avro", "fields"})
  public String serializer;

  @Param({"payment", "bill", "balanceChange"})
  public String record;

  private Trip<?> trip;

  @Setup
  public void setUp() {
    Traffic traffic =
        TrafficGenerator.generate(
            new TrafficGenerator.Settings(100, 1, 0.0, TrafficGenerator.Settings.DEFAULT_START));
    trip =
        switch (record) {
          case "payment" ->
              trip(
                  Payment.class,
                  traffic.payments().stream()
                      .filter(p -> p.getStatus() == PaymentStatus.SUCCESS)
                      .findFirst()
                      .orElseThrow());
          case "bill" -> trip(Bill.class, traffic.bills().get(0));
          case "balanceChange" -> trip(BalanceChange.class, traffic.balanceChanges().get(0));
          default -> throw new IllegalArgumentException(record);
        };
  }

  private <T extends SpecificRecordBase> Trip<T> trip(Class<T> type, T value) {
    return new Trip<>(
        "avro".equals(serializer) ? new AvroSerializer<>(type) : StateRecordSerializer.of(type),
        value);
  }

  @Benchmark
  public Object writeAndRead() throws IOException {
    return trip.go();
  }

  private static final class Trip<T> {
    private final TypeSerializer<T> serializer;
    private final T value;
    private final DataOutputSerializer out = new DataOutputSerializer(512);
    private final DataInputDeserializer in = new DataInputDeserializer();

    Trip(TypeSerializer<T> serializer, T value) {
      this.serializer = serializer;
      this.value = value;
    }

    T go() throws IOException {
      out.clear();
      serializer.serialize(value, out);
      in.setBuffer(out.getSharedBuffer(), 0, out.length());
      return serializer.deserialize(in);
    }
  }
}
