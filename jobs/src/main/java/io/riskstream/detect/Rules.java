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
public final class Rules implements Serializable {
  public static final String FORGED_UTR = "forged-utr";
  public static final String AMOUNT_MISMATCH = "amount-mismatch";
  public static final String DUPLICATE_PAYMENT = "duplicate-payment";
  public static final String MISSING_ORDER = "missing-order";
  public static final String LARGE_AMOUNT = "large-amount";
  public static final String IP_BURST = "ip-burst";
  public static final String BALANCE_MISMATCH = "balance-mismatch";

  /** A rule's id and the version of its settings, stamped on every alert it raises. */
  public record RuleVersion(String id, int version) implements Serializable {}

  /** The settings every rule has: its version and the severity of each of its reasons. */
  public record Basic(RuleVersion rule, Map<Reason, Severity> severities) implements Serializable {
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
  public record LargeAmount(RuleVersion rule, BigDecimal limit, BigDecimal adminLimit)
      implements Serializable {}

  /** IP_BURST settings. */
  public record IpBurst(Basic basic, int distinctPayers, Duration window) implements Serializable {}

  /** A rule's default settings and its merchants' overrides. */
  public static final class PerMerchant<T> implements Serializable {
    private final T defaults;
    private final Map<String, T> merchants;

    PerMerchant(T defaults, Map<String, T> merchants) {
      this.defaults = defaults;
      this.merchants = merchants;
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
      PerMerchant<Basic> balanceMismatch) {
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
}
