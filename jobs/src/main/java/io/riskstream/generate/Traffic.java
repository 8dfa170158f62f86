package io.riskstream.generate;

import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.Payment;
import io.riskstream.config.Topics;
import io.riskstream.io.EventFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Generated traffic: the three streams, each in event-time order, and the labels of the injected
 * fraud.
 */
public record Traffic(
    List<Payment> payments,
    List<Bill> bills,
    List<BalanceChange> balanceChanges,
    List<Label> labels) {
  public static final String PAYMENTS_FILE = "payments.jsonl";
  public static final String BILLS_FILE = "bills.jsonl";
  public static final String BALANCE_CHANGES_FILE = "balance-changes.jsonl";
  public static final String LABELS_FILE = "labels.jsonl";

  /** Which stream an event belongs to, for producing all three in one event-time order. */
  public enum Stream {
    PAYMENTS,
    BILLS,
    BALANCE_CHANGES
  }

  /**
   * An event with its stream, its Kafka key (docs/contract.md (topics and wire format)) and its
   * event time.
   */
  public record Event(Stream stream, String key, Instant eventTime, SpecificRecordBase record) {
    /** The topic this event is written to. */
    public String topic(Topics topics) {
      return switch (stream) {
        case PAYMENTS -> topics.payments();
        case BILLS -> topics.bills();
        case BALANCE_CHANGES -> topics.balanceChanges();
      };
    }
  }

  public int size() {
    return payments.size() + bills.size() + balanceChanges.size();
  }

  /**
   * All events merged by event time (stable: within one stream, file order), as the upstream
   * systems emit them.
   */
  public List<Event> inEventTimeOrder() {
    List<Event> events = new ArrayList<>(size());
    payments.forEach(
        p -> events.add(new Event(Stream.PAYMENTS, p.getOrderNo(), p.getEventTime(), p)));
    bills.forEach(b -> events.add(new Event(Stream.BILLS, b.getUtr(), b.getEventTime(), b)));
    balanceChanges.forEach(
        c -> events.add(new Event(Stream.BALANCE_CHANGES, c.getAccountId(), c.getEventTime(), c)));
    events.sort(Comparator.comparing(Event::eventTime));
    return events;
  }

  public void writeTo(Path dir) {
    try {
      Files.createDirectories(dir);
      EventFiles.writeJsonLines(dir.resolve(PAYMENTS_FILE), payments);
      EventFiles.writeJsonLines(dir.resolve(BILLS_FILE), bills);
      EventFiles.writeJsonLines(dir.resolve(BALANCE_CHANGES_FILE), balanceChanges);
      StringBuilder labelLines = new StringBuilder();
      labels.forEach(l -> labelLines.append(l.toJsonLine()).append('\n'));
      Files.writeString(dir.resolve(LABELS_FILE), labelLines, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write traffic to " + dir, e);
    }
  }
}
