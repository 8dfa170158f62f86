package io.riskstream.demo;

import io.riskstream.avro.Bill;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentKind;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.cli.LiveLine;
import io.riskstream.config.RiskstreamConfig;
import io.riskstream.config.Topics;
import io.riskstream.generate.Traffic;
import io.riskstream.generate.TrafficGenerator;
import io.riskstream.kafka.WireProducer;
import io.riskstream.registry.SchemaRegistryClient;
import io.riskstream.serde.AvroWireSerializer;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.core.execution.JobClient;

/**
 * Feeds the demo's generated traffic into Kafka at the configured rate, with three poison pills
 * first and the events that close every window last, redrawing one progress line each second.
 */
final class TrafficPump {
  private final Demo.Options options;
  private final RiskstreamConfig config;
  private final SchemaRegistryClient client;
  private final PrintStream out;

  TrafficPump(
      Demo.Options options, RiskstreamConfig config, SchemaRegistryClient client, PrintStream out) {
    this.options = options;
    this.config = config;
    this.client = client;
    this.out = out;
  }

  /**
   * The traffic as if it had happened over the hours before {@code now}, replayed fast: event times
   * after the moment a record is written are bad input (events.max-ahead), and the closing events
   * {@link TrafficGenerator#CLOSING_AFTER} after the last one must be in the past too. It is placed
   * across the latest midnight of {@code zone} that allows it, so that the day before that midnight
   * closes and the daily reconciliation has a day to show, however short the run.
   */
  static Traffic endingBefore(Instant now, long events, Demo.Options options, ZoneId zone) {
    Traffic probe =
        TrafficGenerator.generate(
            new TrafficGenerator.Settings(events, options.seed(), options.fraudRate(), now));
    Duration span = Duration.between(now, lastEventTime(probe));
    Duration half = span.dividedBy(2);
    Instant latestMidnight = now.minus(half).minus(TrafficGenerator.CLOSING_AFTER).minusSeconds(60);
    Instant midnight = LocalDate.ofInstant(latestMidnight, zone).atStartOfDay(zone).toInstant();
    return TrafficGenerator.generate(
        new TrafficGenerator.Settings(
            events, options.seed(), options.fraudRate(), midnight.minus(half)));
  }

  /**
   * Sends it all, the held bank lines {@link LateEvidence#HELD_BY} late, calling {@code halfway}
   * with the event time reached when half is sent; returns how many traffic events were sent.
   */
  long pump(LateEvidence late, JobClient job, Consumer<Instant> halfway) throws Exception {
    Traffic traffic = late.traffic();
    java.util.Set<Bill> sentLate = new java.util.HashSet<>();
    Topics topics = config.topics();
    long produced = 0;
    try (WireProducer producer = new WireProducer(config.kafkaProperties(), client)) {
      sendPoisonPills(producer, topics);
      long began = System.nanoTime();
      LiveLine line = new LiveLine(out, Duration.ofSeconds(1), Duration.ofSeconds(10));
      DemoReport.AlertCounter counter = new DemoReport.AlertCounter(config, client);
      for (Traffic.Event event : traffic.inEventTimeOrder()) {
        long due = began + produced * 1_000_000_000L / options.rate();
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        producer.send(event.topic(topics), event.key(), event.record());
        produced++;
        for (Bill held : late.dueAt(event.eventTime())) {
          if (sentLate.add(held)) {
            producer.send(topics.bills(), held.getUtr(), held);
          }
        }
        if (produced == traffic.size() / 2) {
          producer.flush();
          line.end();
          halfway.accept(event.eventTime());
          out.println();
        }
        if (line.due()) {
          line.show(
              String.format(
                  "  %3ds/%ds  produced %,9d  alerts %,6d  job %-9s  event time %s",
                  (System.nanoTime() - began) / 1_000_000_000L,
                  options.duration().toSeconds(),
                  produced,
                  counter.count(),
                  job.getJobStatus().get(),
                  event.eventTime().truncatedTo(ChronoUnit.SECONDS)));
        }
      }
      for (Bill held : late.held()) {
        if (sentLate.add(held)) {
          producer.send(topics.bills(), held.getUtr(), held);
        }
      }
      // Close every window, so that the cases injected last are decided too.
      for (Traffic.Event event :
          TrafficGenerator.closing(lastEventTime(traffic)).inEventTimeOrder()) {
        producer.send(event.topic(topics), event.key(), event.record());
      }
      producer.flush();
      line.end();
    }
    return produced + sentLate.size();
  }

  private static Instant lastEventTime(Traffic traffic) {
    List<Traffic.Event> events = traffic.inEventTimeOrder();
    return events.get(events.size() - 1).eventTime();
  }

  /**
   * One bad magic byte, one unknown schema id, one negative amount: each must land in the
   * dead-letter topic.
   */
  private void sendPoisonPills(WireProducer producer, Topics topics) {
    byte[] key = "O-POISON".getBytes(StandardCharsets.UTF_8);
    producer.sendRaw(
        topics.payments(), key, "{\"order_no\":\"O-POISON\"}".getBytes(StandardCharsets.UTF_8));
    producer.sendRaw(topics.bills(), key, new byte[] {0, 0, 0, 0x7f, 0x7f, 2, 4});
    Payment negative =
        Payment.newBuilder()
            .setEventId("PE-POISON")
            .setOrderNo("O-POISON")
            .setMerchantId("M-101")
            .setKind(PaymentKind.COLLECT)
            .setStatus(PaymentStatus.CREATED)
            .setAmount(new BigDecimal("-1.00"))
            .setEventTime(Instant.now())
            .build();
    producer.sendRaw(
        topics.payments(),
        key,
        new AvroWireSerializer<>(client, topics.payments() + "-value", Payment.class, true)
            .serialize(negative));
  }
}
