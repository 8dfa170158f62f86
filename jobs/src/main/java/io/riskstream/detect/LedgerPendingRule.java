package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.LedgerState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * PENDING_TOO_LONG / LEDGER_PENDING (docs/contract.md (Alerts)): a ledger line PENDING or
 * PROCESSING with no update of its log_id to SUCCESS, FAILED or REVERSED by its event time + the
 * pending SLA. Plain Java; {@link LedgerPendingDetector} calls it when the watermark reaches that
 * moment.
 */
public final class LedgerPendingRule {
  private LedgerPendingRule() {}

  /** A state that ends a line's wait. */
  public static boolean isFinal(LedgerState state) {
    return state == LedgerState.SUCCESS
        || state == LedgerState.FAILED
        || state == LedgerState.REVERSED;
  }

  public static Duration sla(Rules rules) {
    return rules.pendingTooLong(null).sla(Reason.LEDGER_PENDING);
  }

  /**
   * @param pending the line's earliest PENDING or PROCESSING version
   * @param finalAt the event time of its earliest final version, or {@link Long#MAX_VALUE}
   * @return the alert, or null when the line reached a final state in time
   */
  public static Alert decide(BalanceChange pending, long finalAt, Rules rules) {
    Duration sla = sla(rules);
    long due = pending.getEventTime().toEpochMilli() + sla.toMillis();
    if (finalAt <= due) {
      return null;
    }
    String summary =
        String.format(
            "Ledger line %s (%s, type %d, account %s%s) has been %s since %s and has no final state after %s",
            pending.getLogId(),
            Money.format(pending.getAmount()),
            pending.getTypeCode(),
            Masked.account(pending.getAccountId()),
            pending.getOrderNo() == null ? "" : ", order " + pending.getOrderNo(),
            pending.getState(),
            pending.getEventTime(),
            Durations.format(sla));
    Rules.Basic settings = rules.pendingTooLong(null).basic();
    return Alerts.about(
        Alerts.alert(
            Reason.LEDGER_PENDING,
            settings.severity(Reason.LEDGER_PENDING),
            settings.rule(),
            summary,
            List.of(Alerts.evidence(pending)),
            Instant.ofEpochMilli(due)),
        pending);
  }
}
