package io.riskstream.detect;

import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Payment;
import java.util.Comparator;

/**
 * The total orders every rule reads events in: event time, ties broken by id, so that "the first"
 * and "the previous" are the same whatever order the events arrived in.
 */
final class EventOrder {
  static final Comparator<Payment> PAYMENTS =
      Comparator.comparing(Payment::getEventTime).thenComparing(Payment::getEventId);
  static final Comparator<BalanceChange> LINES =
      Comparator.comparing(BalanceChange::getEventTime).thenComparing(BalanceChange::getLogId);

  private EventOrder() {}
}
