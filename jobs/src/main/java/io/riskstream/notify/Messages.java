package io.riskstream.notify;

import io.riskstream.avro.Alert;
import io.riskstream.detect.Money;
import java.math.BigDecimal;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.util.TimeUtils;

/**
 * What on-call reads: short, actionable, with personal data masked — UPI ids keep two characters
 * and the bank ({@code ra****@okhdfc}), account numbers their last four ({@code ****1234}).
 */
public final class Messages {
  private static final Pattern VPA =
      Pattern.compile("\\b([A-Za-z0-9._-]{1,2})[A-Za-z0-9._-]*@([A-Za-z][A-Za-z0-9]*)\\b");

  private Messages() {}

  public static String maskVpas(String text) {
    Matcher m = VPA.matcher(text);
    return m.replaceAll("$1****@$2");
  }

  public static String maskAccount(String account) {
    if (account == null) {
      return null;
    }
    return account.length() <= 4 ? "****" : "****" + account.substring(account.length() - 4);
  }

  /** Masks the alert's own personal data wherever it appears in {@code text}. */
  public static String mask(String text, Alert alert) {
    String masked = maskVpas(text);
    if (alert.getAccountId() != null) {
      masked = masked.replace(alert.getAccountId(), maskAccount(alert.getAccountId()));
    }
    return masked;
  }

  /** One alert: type, severity, merchant, the summary, amount, time, alert id. */
  public static String single(Alert alert) {
    StringBuilder text = new StringBuilder();
    text.append(alert.getSeverity())
        .append(" · ")
        .append(alert.getType())
        .append(" / ")
        .append(alert.getReason());
    text.append('\n').append(mask(alert.getSummary(), alert));
    text.append("\nmerchant ").append(alert.getMerchantId() == null ? "-" : alert.getMerchantId());
    if (alert.getAmount() != null) {
      text.append(" · ").append(Money.format(alert.getAmount()));
    }
    text.append(" · ").append(alert.getEventTime());
    text.append("\nalert ").append(alert.getAlertId());
    return text.toString();
  }

  /**
   * A threshold's summary: the count, the amounts and the top keys instead of one message per
   * alert.
   */
  public static String summary(
      NotifySettings.Threshold threshold, String merchant, List<Alert> alerts) {
    BigDecimal total =
        alerts.stream()
            .map(Alert::getAmount)
            .filter(a -> a != null)
            .reduce(BigDecimal.ZERO, BigDecimal::add);
    Map<String, Long> byReason =
        new TreeMap<>(
            alerts.stream()
                .collect(Collectors.groupingBy(Alert::getReason, Collectors.counting())));
    String topKeys =
        alerts.stream()
            .map(
                a ->
                    a.getUtr() != null
                        ? "UTR " + a.getUtr()
                        : a.getOrderNo() != null
                            ? "order " + a.getOrderNo()
                            : a.getIp() != null ? "IP " + a.getIp() : maskAccount(a.getAccountId()))
            .collect(Collectors.groupingBy(k -> k, Collectors.counting()))
            .entrySet()
            .stream()
            .sorted(
                Map.Entry.<String, Long>comparingByValue()
                    .reversed()
                    .thenComparing(Map.Entry.comparingByKey()))
            .limit(5)
            .map(e -> e.getKey() + (e.getValue() > 1 ? " ×" + e.getValue() : ""))
            .collect(Collectors.joining(", "));
    Alert first = alerts.stream().min(Comparator.comparing(Alert::getEventTime)).orElseThrow();
    Alert last = alerts.stream().max(Comparator.comparing(Alert::getEventTime)).orElseThrow();
    return String.format(
        "%s · %d %s alerts for merchant %s within %s (threshold %s)%nby reason: %s%ntotal %s · top: %s%n%s … %s",
        first.getSeverity(),
        alerts.size(),
        threshold.type(),
        merchant,
        TimeUtils.formatWithHighestUnit(threshold.window()),
        threshold.id(),
        byReason,
        Money.format(total),
        topKeys,
        first.getEventTime(),
        last.getEventTime());
  }
}
