package io.riskstream.detect;

import io.riskstream.avro.Severity;
import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The detection rules and their settings, per rule and per merchant, as the detectors read them.
 * Immutable; {@link RulesFile} reads and checks the YAML they come from.
 */
public final class Rules implements RulesInForce {
  public static final String FORGED_UTR = "forged-utr";
  public static final String AMOUNT_MISMATCH = "amount-mismatch";
  public static final String DUPLICATE_PAYMENT = "duplicate-payment";
  public static final String MISSING_ORDER = "missing-order";
  public static final String LARGE_AMOUNT = "large-amount";
  public static final String IP_BURST = "ip-burst";
  public static final String BALANCE_MISMATCH = "balance-mismatch";
  public static final String STATUS_MISMATCH = "status-mismatch";
  public static final String PENDING_TOO_LONG = "pending-too-long";
  public static final String COUNTERPARTY_MISMATCH = "counterparty-mismatch";
  public static final String SUSPICIOUS_REFUND = "suspicious-refund";
  public static final String UTR_TYPO = "utr-typo";

  /** A rule's id and the version of its settings, stamped on every alert it raises. */
  public record RuleVersion(String id, int version) implements Serializable {}

  /**
   * The settings every rule has: its version, the severity of each of its reasons, and whether it
   * raises alerts at all.
   */
  public record Basic(RuleVersion rule, Map<Reason, Severity> severities, boolean enabled)
      implements Serializable {
    public Severity severity(Reason reason) {
      return severities.get(reason);
    }
  }

  /** FORGED_UTR settings: what a well-formed UTR is, per channel. */
  public record ForgedUtr(Basic basic, Map<String, Pattern> patterns) implements Serializable {
    /** Whether {@code utr} is well formed for {@code channel} (null channel: UPI). */
    public boolean wellFormed(String utr, String channel) {
      Pattern pattern = patterns.get(channel == null ? "UPI" : channel);
      return (pattern != null ? pattern : patterns.get("default")).matcher(utr).matches();
    }
  }

  /** LARGE_AMOUNT settings, the default ones or a merchant's. */
  public record LargeAmount(
      RuleVersion rule, BigDecimal limit, BigDecimal adminLimit, boolean enabled)
      implements Serializable {}

  /** IP_BURST settings. */
  public record IpBurst(Basic basic, int distinctPayers, Duration window) implements Serializable {}

  /** PENDING_TOO_LONG settings: how long each of its reasons' lines or orders may stay pending. */
  public record PendingTooLong(Basic basic, Map<Reason, Duration> slas) implements Serializable {
    public Duration sla(Reason reason) {
      return slas.get(reason);
    }
  }

  /** SUSPICIOUS_REFUND settings: how soon after its SUCCESS a refund is suspicious. */
  public record SuspiciousRefund(Basic basic, Duration refundWindow) implements Serializable {}

  /** A rule's default settings and its merchants' overrides. */
  public static final class PerMerchant<T> implements Serializable {
    private final T defaults;
    private final Map<String, T> merchants;

    PerMerchant(T defaults, Map<String, T> merchants) {
      this.defaults = defaults;
      this.merchants = merchants;
    }

    <R> PerMerchant<R> map(java.util.function.Function<T, R> f) {
      Map<String, R> mapped = new java.util.TreeMap<>();
      merchants.forEach((m, t) -> mapped.put(m, f.apply(t)));
      return new PerMerchant<>(f.apply(defaults), mapped);
    }

    /** The merchant's settings, or the defaults when it has none or is unknown (null). */
    public T of(String merchantId) {
      return merchantId == null ? defaults : merchants.getOrDefault(merchantId, defaults);
    }
  }

  private final Duration matchWindow;
  private final Duration utrRetention;
  private final Duration orderRetention;
  private final Duration accountRetention;
  private final PerMerchant<ForgedUtr> forgedUtr;
  private final PerMerchant<Basic> amountMismatch;
  private final PerMerchant<Basic> duplicatePayment;
  private final PerMerchant<Basic> missingOrder;
  private final PerMerchant<LargeAmount> largeAmount;
  private final PerMerchant<IpBurst> ipBurst;
  private final PerMerchant<Basic> balanceMismatch;
  private final PerMerchant<Basic> statusMismatch;
  private final PerMerchant<PendingTooLong> pendingTooLong;
  private final PerMerchant<Basic> counterpartyMismatch;
  private final PerMerchant<SuspiciousRefund> suspiciousRefund;
  private final PerMerchant<Basic> utrTypo;
  private final Map<String, PerMerchant<Boolean>> enabled;

  Rules(
      Duration matchWindow,
      Duration utrRetention,
      Duration orderRetention,
      Duration accountRetention,
      PerMerchant<ForgedUtr> forgedUtr,
      PerMerchant<Basic> amountMismatch,
      PerMerchant<Basic> duplicatePayment,
      PerMerchant<Basic> missingOrder,
      PerMerchant<LargeAmount> largeAmount,
      PerMerchant<IpBurst> ipBurst,
      PerMerchant<Basic> balanceMismatch,
      PerMerchant<Basic> statusMismatch,
      PerMerchant<PendingTooLong> pendingTooLong,
      PerMerchant<Basic> counterpartyMismatch,
      PerMerchant<SuspiciousRefund> suspiciousRefund,
      PerMerchant<Basic> utrTypo,
      Map<String, PerMerchant<Boolean>> enabled) {
    this.matchWindow = matchWindow;
    this.utrRetention = utrRetention;
    this.orderRetention = orderRetention;
    this.accountRetention = accountRetention;
    this.forgedUtr = forgedUtr;
    this.amountMismatch = amountMismatch;
    this.duplicatePayment = duplicatePayment;
    this.missingOrder = missingOrder;
    this.largeAmount = largeAmount;
    this.ipBurst = ipBurst;
    this.balanceMismatch = balanceMismatch;
    this.statusMismatch = statusMismatch;
    this.pendingTooLong = pendingTooLong;
    this.counterpartyMismatch = counterpartyMismatch;
    this.suspiciousRefund = suspiciousRefund;
    this.utrTypo = utrTypo;
    this.enabled = enabled;
  }

  /**
   * Whether rule {@code ruleId} raises alerts for the merchant (null: unknown, the rule's default).
   * A switched-off rule still keeps its state, so that switching it on again decides on everything
   * it has seen.
   */
  public boolean enabled(String ruleId, String merchantId) {
    return enabled.get(ruleId).of(merchantId);
  }

  /** A fixed rule set: the same rules at every event time. */
  @Override
  public Rules at(long eventTime) {
    return this;
  }

  /** The built-in defaults of docs/contract.md (Alerts). */
  public static Rules defaults() {
    return RulesFile.defaults();
  }

  /** The defaults with {@code file} merged over them; {@code null} gives the defaults. */
  public static Rules load(Path file) {
    return RulesFile.load(file);
  }

  public Duration matchWindow() {
    return matchWindow;
  }

  public Duration utrRetention() {
    return utrRetention;
  }

  public Duration orderRetention() {
    return orderRetention;
  }

  public Duration accountRetention() {
    return accountRetention;
  }

  public ForgedUtr forgedUtr(String merchantId) {
    return forgedUtr.of(merchantId);
  }

  public Basic amountMismatch(String merchantId) {
    return amountMismatch.of(merchantId);
  }

  public Basic duplicatePayment(String merchantId) {
    return duplicatePayment.of(merchantId);
  }

  public Basic missingOrder(String merchantId) {
    return missingOrder.of(merchantId);
  }

  /** LARGE_AMOUNT settings of a merchant: its override, or the defaults. */
  public LargeAmount largeAmount(String merchantId) {
    return largeAmount.of(merchantId);
  }

  public IpBurst ipBurst() {
    return ipBurst.of(null);
  }

  public Basic balanceMismatch() {
    return balanceMismatch.of(null);
  }

  public Basic statusMismatch(String merchantId) {
    return statusMismatch.of(merchantId);
  }

  /**
   * PENDING_TOO_LONG settings of a merchant; bank and ledger lines, which name none, read the
   * defaults (null).
   */
  public PendingTooLong pendingTooLong(String merchantId) {
    return pendingTooLong.of(merchantId);
  }

  public Basic counterpartyMismatch(String merchantId) {
    return counterpartyMismatch.of(merchantId);
  }

  public SuspiciousRefund suspiciousRefund(String merchantId) {
    return suspiciousRefund.of(merchantId);
  }

  public Basic utrTypo() {
    return utrTypo.of(null);
  }
}
