package io.riskstream.detect;

/**
 * The uid of every operator of the detection job, in one place: state in savepoints is matched by
 * these, so they must never change once released.
 */
public final class Uids {
  private Uids() {}

  public static final String SOURCE_PAYMENTS = "source-payments";
  public static final String SOURCE_BILLS = "source-bills";
  public static final String SOURCE_BALANCE_CHANGES = "source-balance-changes";
  public static final String SPLIT_PAYMENTS = "dead-letters-payments";
  public static final String SPLIT_BILLS = "dead-letters-bills";
  public static final String SPLIT_BALANCE_CHANGES = "dead-letters-balance-changes";
  public static final String LARGE_PAYMENTS = "large-amount-payments";
  public static final String LARGE_LEDGER_LINES = "large-amount-ledger-lines";
  public static final String SINK_ALERTS = "sink-alerts";
  public static final String SINK_DEAD_LETTERS = "sink-dead-letters";
}
