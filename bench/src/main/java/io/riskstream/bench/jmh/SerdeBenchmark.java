package io.riskstream.bench.jmh;

import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.generate.TrafficGenerator;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.serde.AvroWireDeserializer;
import io.riskstream.serde.AvroWireSerializer;
import io.riskstream.testkit.EmbeddedSchemaRegistry;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** The wire format's cost per record: Confluent framing + Avro, a typical payment. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
public class SerdeBenchmark {
  private EmbeddedSchemaRegistry registry;
  private AvroWireSerializer<Payment> serializer;
  private AvroWireDeserializer<Payment> deserializer;
  private Payment payment;
  private byte[] bytes;

  @Setup
  public void setUp() throws Exception {
    registry = EmbeddedSchemaRegistry.start(0);
    SchemaRegistryClient client = new SchemaRegistryClient(registry.url());
    serializer = new AvroWireSerializer<>(client, "payments-value", Payment.class, true);
    deserializer = new AvroWireDeserializer<>(client, Payment.class);
    payment =
        TrafficGenerator.generate(
                new TrafficGenerator.Settings(100, 1, 0.0, TrafficGenerator.Settings.DEFAULT_START))
            .payments()
            .stream()
            .filter(p -> p.getStatus() == PaymentStatus.SUCCESS)
            .findFirst()
            .orElseThrow();
    bytes = serializer.serialize(payment);
  }

  @TearDown
  public void tearDown() {
    registry.close();
  }

  @Benchmark
  public byte[] serializePayment() {
    return serializer.serialize(payment);
  }

  @Benchmark
  public Payment deserializePayment() throws Exception {
    return deserializer.deserialize(bytes);
  }
}
