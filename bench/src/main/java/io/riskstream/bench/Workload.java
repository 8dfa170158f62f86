package io.riskstream.bench;

import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.LedgerState;
import io.riskstream.avro.Payment;
import io.riskstream.config.Topics;
import io.riskstream.detect.DetectionWorkflow;
import io.riskstream.detect.IpBurstRules;
import io.riskstream.detect.UtrRules;
import io.riskstream.generate.Traffic;
import io.riskstream.generate.TrafficGenerator;
import io.riskstream.kafka.WireProducer;
import io.riskstream.registry.SchemaRegistryClient;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * The benchmark's input: generated wallet traffic (the demo's generator, with injected fraud) and
 * the number of keys each detector holds state for.
 */
record Workload(Traffic traffic, List<Traffic.Event> events, KeyCounts keys) {
  /** Distinct keys per keyed operator, for state bytes per key. */
  record KeyCounts(long utrs, long orders, long accounts, long ips, long ledgerLines)
      implements java.io.Serializable {}

  static Workload generate(long count, long seed, Instant start, Duration caseGap) {
    Traffic traffic =
        TrafficGenerator.generate(new TrafficGenerator.Settings(count, seed, 0.02, start, caseGap));
    List<Traffic.Event> events = traffic.inEventTimeOrder();
    return new Workload(traffic, events, count(events));
  }

  /** The keys the given events open in each operator: the filters of {@link DetectionWorkflow}. */
  static KeyCounts count(List<Traffic.Event> events) {
    Set<String> utrs = new HashSet<>();
    Set<String> orders = new HashSet<>();
    Set<String> accounts = new HashSet<>();
    Set<String> ips = new HashSet<>();
    Set<String> ledgerLines = new HashSet<>();
    for (Traffic.Event e : events) {
      if (e.record() instanceof Payment p) {
        orders.add(p.getOrderNo());
        if (UtrRules.isClaim(p)) {
          utrs.add(p.getUtr());
        }
        if (IpBurstRules.counts(p)) {
          ips.add(p.getIp());
        }
      } else if (e.record() instanceof Bill b) {
        utrs.add(b.getUtr());
      } else if (e.record() instanceof BalanceChange c) {
        ledgerLines.add(c.getLogId());
        if (c.getState() != LedgerState.SUCCESS) {
          continue;
        }
        accounts.add(c.getAccountId());
        if (c.getOrderNo() != null && !c.getOrderNo().isEmpty()) {
          orders.add(c.getOrderNo());
        }
      }
    }
    return new KeyCounts(
        utrs.size(), orders.size(), accounts.size(), ips.size(), ledgerLines.size());
  }

  int size() {
    return events.size();
  }

  /**
   * Events per second of event time where the middle half of the workload lies: how far apart in
   * the stream a key's events are (bench/README.md, "How dense the workload is"). Not over the
   * whole workload: what follows a case by hours (refunds, the closing events) would stretch a
   * dense one.
   */
  double eventsPerSecond() {
    int from = events.size() / 4;
    int to = events.size() - 1 - from;
    long millis =
        events.get(to).eventTime().toEpochMilli() - events.get(from).eventTime().toEpochMilli();
    return (to - from) * 1000.0 / Math.max(1, millis);
  }

  /** Writes the events to their topics in event-time order, as upstream systems would. */
  static void load(
      List<Traffic.Event> events, Properties kafka, SchemaRegistryClient registry, Topics topics) {
    try (WireProducer producer = new WireProducer(kafka, registry)) {
      for (Traffic.Event e : events) {
        producer.send(e.topic(topics), e.key(), e.record());
      }
      producer.flush();
    }
  }
}
