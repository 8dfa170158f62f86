package io.riskstream.generate;

import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.BillDirection;
import io.riskstream.avro.DeductStatus;
import io.riskstream.avro.LedgerState;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentKind;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.detect.Reason;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Realistic synthetic wallet traffic with injected fraud, and the labels naming every alert the
 * injected cases must raise. Normal traffic is built to raise none: unique UTRs, one IP per user,
 * bills within the match window of their claims, amounts under the limits and balances chained per
 * account. The same settings give the same bytes.
 */
public final class TrafficGenerator {
  /** What to generate; {@code events} is reached or passed by at most one scenario. */
  public record Settings(long events, long seed, double fraudRate, Instant start) {
    /**
     * Far enough back that millions of events (about three seconds apart) still end in the past:
     * event times after the moment a record is written are bad input (events.max-ahead).
     */
    public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

    public Settings {
      if (events < 1) {
        throw new IllegalArgumentException("events must be at least 1");
      }
      if (fraudRate < 0 || fraudRate > 1) {
        throw new IllegalArgumentException("fraud rate must be between 0 and 1");
      }
    }
  }

  static final BigDecimal LIMIT = new BigDecimal("100000.00");
  static final BigDecimal ADMIN_LIMIT = new BigDecimal("10000.00");
  private static final int MERCHANTS = 12;
  static final int WORKERS = 40;
  static final int USERS = 5000;
  private static final String[] BANKS = {"okhdfc", "okicici", "oksbi", "ybl", "paytm", "axl"};
  static final int[] ADMIN_TYPES = {326, 335, 341, 342};
  private static final double REDELIVERY_RATE = 0.01;

  private final Settings settings;
  final SplittableRandom random;
  private final List<Payment> payments = new ArrayList<>();
  private final List<Bill> bills = new ArrayList<>();
  private final List<LedgerDraft> ledger = new ArrayList<>();
  private final List<Label> labels = new ArrayList<>();
  private final Set<String> utrs = new HashSet<>();
  private long clock;
  private int orders;
  private int paymentEvents;
  private int billLines;
  private int logLines;
  private int freshAccounts;
  private int freshIps;
  private int fraudCases;

  private TrafficGenerator(Settings settings) {
    this.settings = settings;
    this.random = new SplittableRandom(settings.seed());
    this.clock = settings.start().toEpochMilli();
  }

  public static Traffic generate(Settings settings) {
    return new TrafficGenerator(settings).run();
  }

  /** How long after the last event of the traffic {@link #closing} comes. */
  public static final java.time.Duration CLOSING_AFTER = java.time.Duration.ofHours(1);

  /**
   * One harmless event per stream an hour after {@code after}: it moves every watermark past the
   * traffic, so that all its windows close and every injected case is decided. It raises nothing (a
   * CREATED payment, a PENDING bill, a small reward on an account of its own).
   */
  public static Traffic closing(Instant after) {
    Instant at = after.plus(CLOSING_AFTER);
    Payment payment =
        Payment.newBuilder()
            .setEventId("PE-CLOSE")
            .setOrderNo("O-CLOSE")
            .setMerchantId("M-CLOSE")
            .setKind(PaymentKind.COLLECT)
            .setStatus(PaymentStatus.CREATED)
            .setAmount(money(1))
            .setEventTime(at)
            .build();
    Bill bill =
        Bill.newBuilder()
            .setBillId("B-CLOSE")
            .setUtr("000000000000")
            .setCwid("CW-CLOSE")
            .setDirection(BillDirection.CREDIT)
            .setAmount(money(1))
            .setCurrency("INR")
            .setDeductStatus(DeductStatus.PENDING)
            .setPickedUp(false)
            .setEventTime(at)
            .build();
    BalanceChange line =
        BalanceChange.newBuilder()
            .setLogId("L-CLOSE")
            .setAccountId("A-CLOSE")
            .setTypeCode(325)
            .setAmount(money(1))
            .setOpeningBalance(money(0))
            .setClosingBalance(money(1))
            .setState(LedgerState.SUCCESS)
            .setEventTime(at)
            .build();
    return new Traffic(List.of(payment), List.of(bill), List.of(line), List.of());
  }

  /**
   * A ledger line before its balances are known: those are chained per account once all lines
   * exist.
   */
  static final class LedgerDraft {
    final BalanceChange.Builder line;
    BigDecimal forcedOpening; // CHAIN_BREAK: an opening balance that is not the previous closing
    BigDecimal closingError = BigDecimal.ZERO; // ARITHMETIC: closing != opening + amount

    LedgerDraft(BalanceChange.Builder line) {
      this.line = line;
    }
  }

  private Traffic run() {
    // Redeliveries (about 1%) are added at the end; aim below N so that the total lands near it.
    long target = Math.max(1, Math.round(settings.events() / (1 + REDELIVERY_RATE)));
    while (size() < target) {
      clock += (long) (-Math.log(1 - random.nextDouble()) * 3_000) + 1;
      if (random.nextDouble() < settings.fraudRate()) {
        // One case per reason of docs/contract.md (Alerts), in turn (the large payment also raises
        // LEDGER_OVER_LIMIT).
        inject(Reason.values()[fraudCases++ % Reason.values().length]);
      } else {
        normal();
      }
    }
    List<BalanceChange> lines = chainBalances();
    List<Payment> p = withRedeliveries(sorted(payments, Payment::getEventTime));
    List<Bill> b = withRedeliveries(sorted(bills, Bill::getEventTime));
    List<BalanceChange> c = withRedeliveries(lines);
    return new Traffic(p, b, c, List.copyOf(labels));
  }

  private int size() {
    return payments.size() + bills.size() + ledger.size();
  }

  // ---- normal traffic
  // ------------------------------------------------------------------------------------------

  /**
   * Who an order is between: the payer (or -1 for a payout), the worker and wallet account, the
   * amount.
   */
  record Order(
      String orderNo,
      PaymentKind kind,
      int user,
      String ip,
      int worker,
      String account,
      BigDecimal amount) {}

  Order collectOrder(int user, String ip, int worker, String account, BigDecimal amount) {
    return new Order(orderNo(), PaymentKind.COLLECT, user, ip, worker, account, amount);
  }

  private void normal() {
    double roll = random.nextDouble();
    int user = random.nextInt(USERS);
    int worker = random.nextInt(WORKERS);
    if (roll < 0.70) {
      collect(
          collectOrder(user, userIp(user), worker, workerAccount(worker), normalAmount()),
          BillShape.MATCHING);
    } else if (roll < 0.78) {
      Order order = collectOrder(user, userIp(user), worker, workerAccount(worker), normalAmount());
      payment(order, PaymentStatus.CREATED, clock, null, null);
      payment(order, PaymentStatus.EXPIRED, clock + 15 * 60_000, null, null);
    } else if (roll < 0.98) {
      payout(worker, normalAmount());
    } else {
      int type = ADMIN_TYPES[random.nextInt(ADMIN_TYPES.length)];
      BigDecimal amount = money(50 + random.nextInt(5_000));
      ledgerLine(
          workerAccount(worker),
          null,
          type,
          type == 342 ? amount.negate() : amount,
          clock,
          operator());
    }
  }

  enum BillShape {
    MATCHING,
    UNDERPAID,
    OVERPAID
  }

  /**
   * A collect order: CREATED, PAID with a UTR, SUCCESS; a CREDIT bill near the claim; a 323 ledger
   * line.
   */
  String collect(Order order, BillShape shape) {
    return collect(order, shape, clock);
  }

  String collect(Order order, BillShape shape, long at) {
    String utr = utr();
    long paidAt = at + seconds(30, 180);
    long successAt = paidAt + seconds(10, 120);
    payment(order, PaymentStatus.CREATED, at, null, null);
    payment(order, PaymentStatus.PAID, paidAt, utr, "UPI");
    payment(order, PaymentStatus.SUCCESS, successAt, utr, "UPI");
    BigDecimal amount = order.amount();
    BigDecimal billed =
        switch (shape) {
          case MATCHING -> amount;
          case UNDERPAID ->
              amount.subtract(
                  money(1 + random.nextInt(Math.max(1, Math.min(500, amount.intValue() / 2)))));
          case OVERPAID -> amount.add(money(1 + random.nextInt(500)));
        };
    bill(
        utr,
        order.worker(),
        BillDirection.CREDIT,
        billed,
        paidAt + seconds(-60, 600),
        userVpa(order.user()),
        true);
    ledgerLine(order.account(), order.orderNo(), 323, amount, successAt + seconds(1, 5), null);
    return utr;
  }

  /** A claim that nothing follows: CREATED, then PAID with {@code utr}. */
  void claimOnly(Order order, long at, String utr, String channel) {
    payment(order, PaymentStatus.CREATED, at, null, null);
    payment(order, PaymentStatus.PAID, at + seconds(30, 180), utr, channel);
  }

  /**
   * A payout: CREATED, then SUCCESS with the bank's UTR; a DEBIT bill; a 322 withdraw ledger line.
   */
  private void payout(int worker, BigDecimal amount) {
    Order order =
        new Order(orderNo(), PaymentKind.PAYOUT, -1, null, worker, workerAccount(worker), amount);
    String utr = utr();
    long successAt = clock + seconds(60, 300);
    payment(order, PaymentStatus.CREATED, clock, null, "IMPS");
    payment(order, PaymentStatus.SUCCESS, successAt, utr, "IMPS");
    bill(utr, worker, BillDirection.DEBIT, amount, successAt + seconds(-60, 600), null, true);
    ledgerLine(
        order.account(), order.orderNo(), 322, amount.negate(), successAt + seconds(1, 5), null);
  }

  // ---- injected fraud
  // ------------------------------------------------------------------------------------------

  private void inject(Reason reason) {
    int user = random.nextInt(USERS);
    int worker = random.nextInt(WORKERS);
    Order order = collectOrder(user, userIp(user), worker, workerAccount(worker), normalAmount());
    Scenarios.of(reason).inject(this, new Scenarios.Start(reason, user, worker, order));
  }

  /** The number of the case being injected, for ids that must differ between cases. */
  int caseNumber() {
    return fraudCases;
  }

  long clock() {
    return clock;
  }

  long lastPaymentTime() {
    return payments.get(payments.size() - 1).getEventTime().toEpochMilli();
  }

  long lastLedgerTime() {
    return ledger.get(ledger.size() - 1).line.getEventTime().toEpochMilli();
  }

  /** An order number no order has. */
  String ghostOrderNo() {
    return String.format("O-R%07d", ++orders);
  }

  /** An IP no one has used. */
  String freshIp() {
    String ip = String.format("103.21.%d.%d", (freshIps / 250) % 250, 1 + freshIps % 250);
    freshIps++;
    return ip;
  }

  // ---- events
  // --------------------------------------------------------------------------------------------------

  void payment(Order order, PaymentStatus status, long at, String utr, String channel) {
    boolean collect = order.kind() == PaymentKind.COLLECT;
    int user = order.user();
    payments.add(
        Payment.newBuilder()
            .setEventId(eventId())
            .setOrderNo(order.orderNo())
            .setMerchantId(String.format("M-%03d", 101 + order.worker() % MERCHANTS))
            .setCwid(cwid(order.worker()))
            .setUserId(collect ? String.format("U-%06d", 100_001 + user) : null)
            .setAccountId(order.account())
            .setKind(order.kind())
            .setStatus(status)
            .setAmount(order.amount())
            .setUtr(utr)
            .setChannel(channel)
            .setPayerVpa(collect ? userVpa(user) : null)
            .setPayeeVpa(collect ? workerVpa(order.worker()) : null)
            .setIp(order.ip())
            .setDeviceId(collect ? String.format("D-%06d", user) : null)
            .setEventTime(Instant.ofEpochMilli(at))
            .build());
  }

  void bill(
      String utr,
      int worker,
      BillDirection direction,
      BigDecimal amount,
      long at,
      String counterparty,
      boolean pickedUp) {
    bills.add(
        Bill.newBuilder()
            .setBillId(String.format("B-%08d", ++billLines))
            .setUtr(utr)
            .setCwid(cwid(worker))
            .setDirection(direction)
            .setAmount(amount)
            .setCurrency("INR")
            .setCounterpartyVpa(counterparty)
            .setDeductStatus(
                pickedUp && random.nextInt(20) == 0 ? DeductStatus.PENDING : DeductStatus.DEDUCTED)
            .setPickedUp(pickedUp)
            .setEventTime(Instant.ofEpochMilli(at))
            .build());
  }

  LedgerDraft ledgerLine(
      String account, String order, int type, BigDecimal amount, long at, String operator) {
    LedgerDraft draft =
        new LedgerDraft(
            BalanceChange.newBuilder()
                .setLogId(String.format("L-%08d", ++logLines))
                .setAccountId(account)
                .setOrderNo(order)
                .setTypeCode(type)
                .setAmount(amount)
                .setClosingBalance(BigDecimal.ZERO.setScale(2))
                .setState(LedgerState.SUCCESS)
                .setOperatorId(operator)
                .setEventTime(Instant.ofEpochMilli(at)));
    ledger.add(draft);
    return draft;
  }

  void label(Reason reason, String key) {
    labels.add(new Label(reason.type().name(), reason.name(), key));
  }

  /**
   * Opening and closing balances, chained per account in event-time order (ties by log_id), as spec
   * 3 reads them.
   */
  private List<BalanceChange> chainBalances() {
    List<LedgerDraft> ordered = new ArrayList<>(ledger);
    ordered.sort(
        Comparator.comparing((LedgerDraft d) -> d.line.getEventTime())
            .thenComparing(d -> d.line.getLogId()));
    Map<String, BigDecimal> balances = new LinkedHashMap<>();
    List<BalanceChange> lines = new ArrayList<>(ordered.size());
    for (LedgerDraft draft : ordered) {
      BalanceChange.Builder line = draft.line;
      BigDecimal previous =
          balances.getOrDefault(
              line.getAccountId(),
              money(line.getAccountId().startsWith("WA-CW") ? 500_000 : 1_000));
      BigDecimal opening =
          draft.forcedOpening == null ? previous : previous.add(draft.forcedOpening);
      BigDecimal closing = opening.add(line.getAmount()).add(draft.closingError);
      balances.put(line.getAccountId(), closing);
      lines.add(line.setOpeningBalance(opening).setClosingBalance(closing).build());
    }
    return lines;
  }

  /** About 1% of events delivered twice: the copy changes nothing and must raise nothing. */
  private <T> List<T> withRedeliveries(List<T> events) {
    List<T> out = new ArrayList<>(events.size() + events.size() / 50);
    for (T event : events) {
      out.add(event);
      if (random.nextDouble() < REDELIVERY_RATE) {
        out.add(event);
      }
    }
    return out;
  }

  private static <T> List<T> sorted(List<T> events, java.util.function.Function<T, Instant> time) {
    List<T> copy = new ArrayList<>(events);
    copy.sort(Comparator.comparing(time));
    return copy;
  }

  // ---- identities and values
  // -----------------------------------------------------------------------------------

  private String orderNo() {
    return String.format("O-%08d", ++orders);
  }

  private String eventId() {
    return String.format("PE-%09d", ++paymentEvents);
  }

  String utr() {
    while (true) {
      String utr =
          String.valueOf(100_000_000_000L + (long) (random.nextDouble() * 899_999_999_999L));
      if (utrs.add(utr)) {
        return utr;
      }
    }
  }

  String operator() {
    return "OP-" + (1 + random.nextInt(5));
  }

  String freshAccount() {
    return String.format("UA-%06d", ++freshAccounts);
  }

  private static String cwid(int worker) {
    return String.format("CW-%04d", 1001 + worker);
  }

  static String workerAccount(int worker) {
    return "WA-" + cwid(worker);
  }

  private static String workerVpa(int worker) {
    return String.format("collect.cw%04d@%s", 1001 + worker, BANKS[worker % BANKS.length]);
  }

  static String userVpa(int user) {
    return String.format("user%06d@%s", 100_001 + user, BANKS[user % BANKS.length]);
  }

  /** One IP per user, so normal traffic never looks like a burst. */
  static String userIp(int user) {
    return String.format("49.36.%d.%d", user / 250, 1 + user % 250);
  }

  BigDecimal normalAmount() {
    double rupees = Math.exp(7.0 + 1.1 * random.nextGaussian());
    rupees = Math.max(10, Math.min(95_000, rupees));
    BigDecimal amount =
        BigDecimal.valueOf(rupees).setScale(random.nextBoolean() ? 0 : 2, RoundingMode.HALF_EVEN);
    return amount.setScale(2, RoundingMode.UNNECESSARY);
  }

  long seconds(int from, int to) {
    return (from + random.nextInt(to - from + 1)) * 1_000L;
  }

  static BigDecimal money(long rupees) {
    return BigDecimal.valueOf(rupees).setScale(2);
  }
}
