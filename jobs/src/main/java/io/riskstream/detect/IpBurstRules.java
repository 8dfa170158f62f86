package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.EvidenceSource;
import io.riskstream.avro.Payment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The rule of IP_BURST / DISTINCT_ACCOUNTS in plain Java, beside its operator ({@link
 * IpBurstDetector}, which keeps the state and the timers): who a payer is, the sliding window of
 * the payers who paid last, and the alert.
 */
public final class IpBurstRules {
  private static final Comparator<Evidence> BY_TIME =
      Comparator.comparing(Evidence::getEventTime).thenComparing(Evidence::getId);

  private IpBurstRules() {}

  /**
   * A payment as the rule reads it: who paid, when, and the keys its alert names (six of a
   * payment's seventeen fields). What waits for the watermark in an IP's state (a Flink POJO).
   */
  public static final class IpPayment {
    static final Comparator<IpPayment> IN_ORDER = // as EventOrder.PAYMENTS
        Comparator.comparingLong((IpPayment p) -> p.time).thenComparing(p -> p.eventId);

    public String eventId;
    public long time;
    public String payer;
    public String merchantId;
    public String userId;
    public String accountId;

    static IpPayment of(Payment p) {
      IpPayment seen = new IpPayment();
      seen.eventId = p.getEventId();
      seen.time = p.getEventTime().toEpochMilli();
      seen.payer = payer(p);
      seen.merchantId = p.getMerchantId();
      seen.userId = p.getUserId();
      seen.accountId = p.getAccountId();
      return seen;
    }

    Evidence evidence() {
      return new Evidence(EvidenceSource.PAYMENT, eventId, Instant.ofEpochMilli(time));
    }
  }

  /** Whether the payment counts for the IP rule: it has an IP and a payer. */
  public static boolean counts(Payment p) {
    return p.getIp() != null && !p.getIp().isEmpty() && payer(p) != null;
  }

  /** Who paid: user_id, else account_id, else payer_vpa; null when none is known. */
  public static String payer(Payment p) {
    if (p.getUserId() != null) {
      return p.getUserId();
    }
    return p.getAccountId() != null ? p.getAccountId() : p.getPayerVpa();
  }

  /**
   * Keeps the {@code n} payers who paid last, forgetting the one whose latest payment is earliest.
   * Exact, and what bounds the state of a NAT address with 100,000 payers a day to N entries: the
   * rule only asks whether at least N distinct payers are in the window, and the N most recent are
   * the last to leave it, so the count kept is min(count, N) at every step; when the count reaches
   * N (the only moment an alert fires) the N kept are all of them.
   */
  static void keepMostRecent(Map<String, Evidence> payers, int n) {
    while (payers.size() > n) {
      String earliest = null;
      Evidence min = null;
      for (Map.Entry<String, Evidence> e : payers.entrySet()) {
        if (min == null || BY_TIME.compare(e.getValue(), min) < 0) {
          min = e.getValue();
          earliest = e.getKey();
        }
      }
      payers.remove(earliest);
    }
  }

  /**
   * Forgets payers whose latest payment is at or before {@code cutoff}: the window is (t - window,
   * t].
   */
  static boolean evictBefore(Map<String, Evidence> payers, long cutoff) {
    return payers.values().removeIf(e -> e.getEventTime().toEpochMilli() <= cutoff);
  }

  /** The time of the latest payment of {@code payers}, which must not be empty. */
  static long latest(Map<String, Evidence> payers) {
    return payers.values().stream()
        .mapToLong(e -> e.getEventTime().toEpochMilli())
        .max()
        .orElseThrow();
  }

  static Alert burst(
      String ip, IpPayment trigger, Map<String, Evidence> latest, Rules.IpBurst settings) {
    List<Evidence> evidence = new ArrayList<>(latest.values());
    evidence.sort(BY_TIME);
    List<String> payers = new ArrayList<>(latest.keySet());
    payers.sort(null);
    String summary =
        String.format(
            "%d distinct payers (%s) paid from IP %s within %s",
            payers.size(),
            String.join(", ", payers.stream().map(Masked::payer).toList()),
            ip,
            Durations.format(settings.window()));
    return Alerts.alert(
            Reason.DISTINCT_ACCOUNTS,
            settings.basic().severity(Reason.DISTINCT_ACCOUNTS),
            settings.basic().rule(),
            summary,
            evidence,
            Instant.ofEpochMilli(trigger.time))
        .setMerchantId(trigger.merchantId)
        .setUserId(trigger.userId)
        .setAccountId(trigger.accountId)
        .setIp(ip)
        .build();
  }
}
