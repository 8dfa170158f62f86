package io.riskstream;

/**
 * The uid of every operator of riskstream's jobs, in one place: state in savepoints is matched by
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
  public static final String CLAIMS = "claims";
  public static final String SUCCESSFUL_LEDGER_LINES = "successful-ledger-lines";
  public static final String LEDGER_LINES_WITH_ORDER = "ledger-lines-with-order";
  public static final String PAYMENTS_WITH_IP = "payments-with-ip";
  public static final String UTR_INPUTS = "utr-inputs";
  public static final String ORDER_INPUTS = "order-inputs";
  public static final String RULE_UPDATES = "source-rules";
  public static final String SPLIT_RULES = "dead-letters-rules";
  public static final String CHECK_RULE_UPDATES = "rule-update-check";
  public static final String SINK_SHADOW_ALERTS = "sink-shadow-alerts";
  public static final String UTR_MATCHER = "utr-matcher";
  public static final String ORDER_MATCHER = "order-matcher";
  public static final String BALANCE_CHAIN_CHECKER = "balance-chain-checker";
  public static final String IP_BURST_DETECTOR = "ip-burst-detector";
  public static final String LEDGER_PENDING_DETECTOR = "ledger-pending-detector";
  public static final String UTR_TYPO_PAIRER = "utr-typo-pairer";
  public static final String SINK_ALERTS = "sink-alerts";
  public static final String SINK_ALERT_UPDATES = "sink-alert-updates";
  public static final String SINK_DEAD_LETTERS = "sink-dead-letters";
  public static final String SINK_LATE_EVENTS = "sink-late-events";

  // The sink job.
  public static final String SINK_SOURCE_ALERTS = "sink-source-alerts";
  public static final String SINK_SOURCE_PAYMENTS = "sink-source-payments";
  public static final String SINK_SOURCE_BILLS = "sink-source-bills";
  public static final String SINK_SOURCE_BALANCE_CHANGES = "sink-source-balance-changes";
  public static final String SINK_SPLIT_ALERTS = "sink-dead-letters-alerts";
  public static final String SINK_SPLIT_PAYMENTS = "sink-dead-letters-payments";
  public static final String SINK_SPLIT_BILLS = "sink-dead-letters-bills";
  public static final String SINK_SPLIT_BALANCE_CHANGES = "sink-dead-letters-balance-changes";
  public static final String SINK_TABLE_ALERTS = "sink-table-risk-alerts";
  public static final String SINK_TABLE_PAYMENTS = "sink-table-payments";
  public static final String SINK_TABLE_BILLS = "sink-table-bills";
  public static final String SINK_TABLE_BALANCE_CHANGES = "sink-table-balance-changes";
  public static final String SINK_JOB_DEAD_LETTERS = "sink-job-dead-letters";
  public static final String RECONCILIATION_DAY_CLOSER = "reconciliation-day-closer";
  public static final String RECONCILIATION_SUMMARIES = "reconciliation-summaries";
  public static final String SINK_TABLE_DAILY_RECONCILIATION = "sink-table-daily-reconciliation";
  public static final String SINK_DAILY_SUMMARIES = "sink-daily-summaries";
  public static final String SINK_SOURCE_RULES = "sink-source-rules";
  public static final String SINK_SPLIT_RULES = "sink-dead-letters-rules";
  public static final String SINK_TABLE_RULE_CHANGES = "sink-table-rule-changes";
  public static final String NOTIFY_SOURCE_ALERT_UPDATES = "notify-source-alert-updates";
  public static final String NOTIFY_SPLIT_ALERT_UPDATES = "notify-dead-letters-alert-updates";
  public static final String NOTIFY_FOLLOW_UPS = "notify-follow-ups";
  public static final String NOTIFY_TELEGRAM_UPDATES = "notify-telegram-updates";
  public static final String NOTIFY_COMMANDS = "notify-commands";
  public static final String NOTIFY_KNOWN_ALERTS = "notify-known-alerts";
  public static final String NOTIFY_SINK_COMMANDED = "notify-sink-commanded-updates";
  public static final String SINK_SOURCE_ALERT_UPDATES = "sink-source-alert-updates";
  public static final String SINK_SPLIT_ALERT_UPDATES = "sink-dead-letters-alert-updates";
  public static final String SINK_TABLE_ALERT_UPDATES = "sink-table-alert-updates";

  // The notify job.
  public static final String NOTIFY_SOURCE_ALERTS = "notify-source-alerts";
  public static final String NOTIFY_SPLIT_ALERTS = "notify-dead-letters-alerts";
  public static final String NOTIFY_ROUTES = "notify-routes";
  public static final String NOTIFY_DAILY_ROUTES = "notify-daily-routes";
  public static final String NOTIFY_RULE_CHANGES = "notify-rule-changes";
  public static final String NOTIFY_SOURCE_RULES = "notify-source-rules";
  public static final String NOTIFY_SPLIT_RULES = "notify-dead-letters-rules";
  public static final String NOTIFY_SOURCE_DAILY_SUMMARIES = "notify-source-daily-summaries";
  public static final String NOTIFY_SPLIT_DAILY_SUMMARIES = "notify-dead-letters-daily-summaries";
  public static final String NOTIFY_THRESHOLDS = "notify-thresholds";
  public static final String NOTIFY_ONCE = "notify-once";
  public static final String NOTIFY_DELIVERY = "notify-delivery";
  public static final String NOTIFY_FAILED = "notify-failed";
  public static final String NOTIFY_FAILED_SINK = "notify-failed-sink";
  public static final String NOTIFY_DEAD_LETTERS = "notify-dead-letters";
}
