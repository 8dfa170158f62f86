package io.riskstream.reconcile;

import io.riskstream.avro.DailyReconciliation;
import io.riskstream.avro.LedgerTotal;
import io.riskstream.detect.Money;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * The daily reconciliation's arithmetic (docs/tables.md, daily_reconciliation), plain Java: which
 * day a fact belongs to, when that day closes, adding a fact to its row, adding up a merchant's
 * rows, and the summary sentence on-call reads.
 */
public final class DayTotals {
  private static final BigDecimal ZERO = BigDecimal.ZERO.setScale(2);

  private DayTotals() {}

  /** The day (in {@code zone}) of an event time, as days since the epoch. */
  public static long day(long eventTime, ZoneId zone) {
    return LocalDate.ofInstant(java.time.Instant.ofEpochMilli(eventTime), zone).toEpochDay();
  }

  /** When a day closes: its end (the next day's start in {@code zone}) + W, in event time. */
  public static long closesAt(long day, ZoneId zone, Duration w) {
    return LocalDate.ofEpochDay(day + 1).atStartOfDay(zone).toInstant().plus(w).toEpochMilli();
  }

  public static DailyReconciliation empty(long day, String merchantId, String cwid, ZoneId zone) {
    return DailyReconciliation.newBuilder()
        .setDay(LocalDate.ofEpochDay(day))
        .setMerchantId(merchantId)
        .setCwid(cwid)
        .setTimeZone(zone.getId())
        .setCollectionsCount(0)
        .setCollectionsAmount(ZERO)
        .setPayoutsCount(0)
        .setPayoutsAmount(ZERO)
        .setRefundsCount(0)
        .setRefundsAmount(ZERO)
        .setBankCreditsCount(0)
        .setBankCreditsAmount(ZERO)
        .setBankDebitsCount(0)
        .setBankDebitsAmount(ZERO)
        .setLedger(new HashMap<>())
        .setFeesAmount(ZERO)
        .setNetBalanceChange(ZERO)
        .setUnmatchedCollectionsCount(0)
        .setUnmatchedCollectionsAmount(ZERO)
        .setUnmatchedBankCount(0)
        .setUnmatchedBankAmount(ZERO)
        .setRefundsWithoutLedger(0)
        .setAlerts(new HashMap<>())
        .setAlertsCount(0)
        .build();
  }

  /** Counts {@code f} in {@code row}. */
  public static void add(DailyReconciliation row, Fact f) {
    BigDecimal amount = f.amount;
    switch (f.kind) {
      case COLLECTION -> {
        row.setCollectionsCount(row.getCollectionsCount() + 1);
        row.setCollectionsAmount(row.getCollectionsAmount().add(amount));
      }
      case PAYOUT -> {
        row.setPayoutsCount(row.getPayoutsCount() + 1);
        row.setPayoutsAmount(row.getPayoutsAmount().add(amount));
      }
      case REFUND -> {
        row.setRefundsCount(row.getRefundsCount() + 1);
        row.setRefundsAmount(row.getRefundsAmount().add(amount));
      }
      case BANK_CREDIT -> {
        row.setBankCreditsCount(row.getBankCreditsCount() + 1);
        row.setBankCreditsAmount(row.getBankCreditsAmount().add(amount));
      }
      case BANK_DEBIT -> {
        row.setBankDebitsCount(row.getBankDebitsCount() + 1);
        row.setBankDebitsAmount(row.getBankDebitsAmount().add(amount));
      }
      case LEDGER -> {
        addLedger(row.getLedger(), Integer.toString(f.typeCode), 1, amount);
        if (f.fee != null) {
          row.setFeesAmount(row.getFeesAmount().add(f.fee));
        }
        row.setNetBalanceChange(row.getNetBalanceChange().add(amount));
      }
      case ALERT -> {
        row.getAlerts().merge(f.alertType, 1L, Long::sum);
        row.setAlertsCount(row.getAlertsCount() + 1);
        switch (f.alertReason) {
          case "NO_BANK_RECORD" -> {
            row.setUnmatchedCollectionsCount(row.getUnmatchedCollectionsCount() + 1);
            row.setUnmatchedCollectionsAmount(row.getUnmatchedCollectionsAmount().add(amount));
          }
          case "BILL_WITHOUT_ORDER" -> {
            row.setUnmatchedBankCount(row.getUnmatchedBankCount() + 1);
            row.setUnmatchedBankAmount(row.getUnmatchedBankAmount().add(amount));
          }
          case "REFUND_WITHOUT_LEDGER" ->
              row.setRefundsWithoutLedger(row.getRefundsWithoutLedger() + 1);
          default -> {}
        }
      }
    }
  }

  /** Adds {@code row} (another worker's, of the same day) into {@code total}. */
  public static void merge(DailyReconciliation total, DailyReconciliation row) {
    total.setCollectionsCount(total.getCollectionsCount() + row.getCollectionsCount());
    total.setCollectionsAmount(total.getCollectionsAmount().add(row.getCollectionsAmount()));
    total.setPayoutsCount(total.getPayoutsCount() + row.getPayoutsCount());
    total.setPayoutsAmount(total.getPayoutsAmount().add(row.getPayoutsAmount()));
    total.setRefundsCount(total.getRefundsCount() + row.getRefundsCount());
    total.setRefundsAmount(total.getRefundsAmount().add(row.getRefundsAmount()));
    total.setBankCreditsCount(total.getBankCreditsCount() + row.getBankCreditsCount());
    total.setBankCreditsAmount(total.getBankCreditsAmount().add(row.getBankCreditsAmount()));
    total.setBankDebitsCount(total.getBankDebitsCount() + row.getBankDebitsCount());
    total.setBankDebitsAmount(total.getBankDebitsAmount().add(row.getBankDebitsAmount()));
    row.getLedger()
        .forEach((type, t) -> addLedger(total.getLedger(), type, t.getCount(), t.getAmount()));
    total.setFeesAmount(total.getFeesAmount().add(row.getFeesAmount()));
    total.setNetBalanceChange(total.getNetBalanceChange().add(row.getNetBalanceChange()));
    total.setUnmatchedCollectionsCount(
        total.getUnmatchedCollectionsCount() + row.getUnmatchedCollectionsCount());
    total.setUnmatchedCollectionsAmount(
        total.getUnmatchedCollectionsAmount().add(row.getUnmatchedCollectionsAmount()));
    total.setUnmatchedBankCount(total.getUnmatchedBankCount() + row.getUnmatchedBankCount());
    total.setUnmatchedBankAmount(total.getUnmatchedBankAmount().add(row.getUnmatchedBankAmount()));
    total.setRefundsWithoutLedger(total.getRefundsWithoutLedger() + row.getRefundsWithoutLedger());
    row.getAlerts().forEach((type, n) -> total.getAlerts().merge(type, n, Long::sum));
    total.setAlertsCount(total.getAlertsCount() + row.getAlertsCount());
  }

  private static void addLedger(
      Map<String, LedgerTotal> ledger, String type, long count, BigDecimal amount) {
    LedgerTotal t = ledger.get(type);
    if (t == null) {
      ledger.put(type, new LedgerTotal(count, amount));
    } else {
      t.setCount(t.getCount() + count);
      t.setAmount(t.getAmount().add(amount));
    }
  }

  /**
   * What on-call reads for one merchant's day, or (merchant "") for the bank and ledger lines that
   * name no merchant.
   */
  public static String summary(DailyReconciliation day) {
    StringBuilder s = new StringBuilder().append(day.getDay()).append(" · ");
    if (day.getMerchantId().isEmpty()) {
      s.append("bank and ledger lines: bank credits ")
          .append(Money.format(day.getBankCreditsAmount()))
          .append(" (")
          .append(day.getBankCreditsCount())
          .append("), ")
          .append(Money.format(day.getUnmatchedBankAmount()))
          .append(" of it claimed by no order (")
          .append(lines(day.getUnmatchedBankCount()))
          .append("); bank debits ")
          .append(Money.format(day.getBankDebitsAmount()))
          .append(" (")
          .append(day.getBankDebitsCount())
          .append("); ledger net ")
          .append(Money.format(day.getNetBalanceChange()))
          .append(" over ")
          .append(lines(day.getLedger().values().stream().mapToLong(LedgerTotal::getCount).sum()))
          .append(", fees ")
          .append(Money.format(day.getFeesAmount()));
    } else {
      s.append(day.getMerchantId())
          .append(": collections ")
          .append(Money.format(day.getCollectionsAmount()))
          .append(" (")
          .append(day.getCollectionsCount())
          .append("), ")
          .append(Money.format(day.getUnmatchedCollectionsAmount()))
          .append(" of it without a bank line (")
          .append(day.getUnmatchedCollectionsCount())
          .append("); payouts ")
          .append(Money.format(day.getPayoutsAmount()))
          .append(" (")
          .append(day.getPayoutsCount())
          .append("); refunds ")
          .append(day.getRefundsCount())
          .append(
              day.getRefundsWithoutLedger() == 0
                  ? ", all with ledger lines"
                  : ", " + day.getRefundsWithoutLedger() + " without a ledger line");
    }
    s.append("; ")
        .append(day.getAlertsCount())
        .append(day.getAlertsCount() == 1 ? " alert" : " alerts");
    if (day.getAlertsCount() > 0) {
      StringJoiner types = new StringJoiner(", ", " (", ")");
      new TreeMap<>(day.getAlerts()).forEach((type, n) -> types.add(type + " " + n));
      s.append(types);
    }
    return s.toString();
  }

  private static String lines(long n) {
    return n + (n == 1 ? " line" : " lines");
  }
}
