package io.riskstream.notify;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.detect.Masked;
import io.riskstream.detect.Money;
import java.math.BigDecimal;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.util.TimeUtils;

/** What on-call reads: short, actionable, with personal data masked ({@link Masked}). */
public final class Messages {
  private Messages() {}

  /** Masks the alert's own personal data wherever it appears in {@code text}. */
  public static String mask(String text, Alert alert) {
    String masked = Masked.vpas(text);
    if (alert.getAccountId() != null) {
      masked = masked.replace(alert.getAccountId(), Masked.account(alert.getAccountId()));
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
   * An update of an alert on-call heard of: what it is now, why or by whom, which alert. In
   * Telegram it is a reply to the alert's message.
   */
  public static String followUp(Alert alert, AlertUpdate update) {
    String why =
        update.getActor() != null
            ? "by " + update.getActor()
            : switch (update.getReason()) {
              case "LATE_EVIDENCE" -> "late evidence";
              case "EVIDENCE_ARRIVED" -> "the missing evidence arrived";
              default -> update.getReason();
            };
    return update.getStatus()
        + " · "
        + alert.getType()
        + " / "
        + alert.getReason()
        + "\n"
        + why
        + (update.getNote() == null ? "" : ": " + mask(update.getNote(), alert))
        + "\nalert "
        + alert.getAlertId();
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
                            : a.getIp() != null
                                ? "IP " + a.getIp()
                                : Masked.account(a.getAccountId()))
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
