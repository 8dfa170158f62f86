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
import java.time.Duration;
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
  /**
   * What to generate; {@code events} is reached or passed by at most one scenario. {@code caseGap}
   * is the mean event time between two scenarios (each at least a millisecond after the last): the
   * traffic's density, about 1.5 events per second of event time at the default 3 s, and about
   * 3,000 at 1 ms. What happens within a scenario (a payment settling, a bank line following its
   * claim, an order expiring) keeps its own times at every density.
   */
  public record Settings(
      long events, long seed, double fraudRate, Instant start, Duration caseGap) {
    /**
     * Far enough back that millions of events (about three seconds apart) still end in the past:
     * event times after the moment a record is written are bad input (events.max-ahead).
     */
    public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

    public static final Duration DEFAULT_CASE_GAP = Duration.ofSeconds(3);

    public Settings {
      if (events < 1) {
        throw new IllegalArgumentException("events must be at least 1");
      }
      if (fraudRate < 0 || fraudRate > 1) {
        throw new IllegalArgumentException("fraud rate must be between 0 and 1");
      }
      if (caseGap.isNegative() || caseGap.isZero()) {
        throw new IllegalArgumentException("the gap between cases must be positive");
      }
    }

    public Settings(long events, long seed, double fraudRate, Instant start) {
      this(events, seed, fraudRate, start, DEFAULT_CASE_GAP);
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
  private final double caseGapMillis;
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
  private int pendingVersions; // ledger lines' PENDING versions, written out with their final ones

  private TrafficGenerator(Settings settings) {
    this.settings = settings;
    this.random = new SplittableRandom(settings.seed());
    this.clock = settings.start().toEpochMilli();
    this.caseGapMillis = settings.caseGap().toNanos() / 1e6;
  }

  public static Traffic generate(Settings settings) {
    return new TrafficGenerator(settings).run();
  }

  /**
   * How long after the last event of the traffic {@link #closing} comes: past the longest wait of
   * any rule (the pending SLA, 2 h) plus the disorder bound, so that every injected case is
   * decided.
   */
  public static final Duration CLOSING_AFTER = Duration.ofHours(3);

  /**
   * One harmless order {@link #CLOSING_AFTER} after {@code after}: it moves every watermark past
   * the traffic, so that all its windows close and every injected case is decided. It raises
   * nothing: a SUCCESS payment with its UTR, the DEDUCTED bank line of that UTR and a ledger line
   * for the order, on a worker and account of their own.
   */
  public static Traffic closing(Instant after) {
    return closing(after, "CLOSE", "000000000000");
  }

  /**
   * A closing order as {@link #closing(Instant)} writes, its ids ending in {@code name} and paid
   * with {@code utr}: one of several closing orders of the same traffic, each on keys of its own.
   */
  public static Traffic closing(Instant after, String name, String utr) {
    Instant at = after.plus(CLOSING_AFTER);
    Payment payment =
        Payment.newBuilder()
            .setEventId("PE-" + name)
            .setOrderNo("O-" + name)
            .setMerchantId("M-" + name)
            .setKind(PaymentKind.COLLECT)
            .setStatus(PaymentStatus.SUCCESS)
            .setAmount(money(1))
            .setUtr(utr)
            .setEventTime(at)
            .build();
    Bill bill =
        Bill.newBuilder()
            .setBillId("B-" + name)
            .setUtr(utr)
            .setCwid("CW-" + name)
            .setDirection(BillDirection.CREDIT)
            .setAmount(money(1))
            .setCurrency("INR")
            .setDeductStatus(DeductStatus.DEDUCTED)
            .setPickedUp(true)
            .setEventTime(at)
            .build();
    BalanceChange line =
        BalanceChange.newBuilder()
            .setLogId("L-" + name)
            .setAccountId("A-" + name)
            .setOrderNo("O-" + name)
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
    Long pendingAt; // a PENDING version of the line at this time, before its final one

    LedgerDraft(BalanceChange.Builder line) {
      this.line = line;
    }
  }

  private Traffic run() {
    // Redeliveries (about 1%) are added at the end; aim below N so that the total lands near it.
    long target = Math.max(1, Math.round(settings.events() / (1 + REDELIVERY_RATE)));
    while (size() < target) {
      clock += (long) (-Math.log(1 - random.nextDouble()) * caseGapMillis) + 1;
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
    return payments.size() + bills.size() + ledger.size() + pendingVersions;
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
    if (roll < 0.68) {
      collect(
          collectOrder(user, userIp(user), worker, workerAccount(worker), normalAmount()),
          BillShape.MATCHING);
    } else if (roll < 0.70) {
      // Refunded hours later, with its refund ledger line.
      Order order = collectOrder(user, userIp(user), worker, workerAccount(worker), normalAmount());
      collect(order, BillShape.MATCHING);
      refund(order, lastSuccessTime() + seconds(3_600, 6 * 3_600), true);
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
    return new Collect(order).shape(shape).write(clock);
  }

  String collect(Order order, BillShape shape, long at) {
    return new Collect(order).shape(shape).write(at);
  }

  /**
   * A collect order as {@link #collect} writes it, with what a scenario changes: the bill's amount,
   * worker, counterparty, a bill left PENDING, no ledger line, or no SUCCESS at all.
   */
  final class Collect {
    private final Order order;
    private BillShape shape = BillShape.MATCHING;
    private Integer billWorker;
    private String billVpa;
    private boolean billStuck;
    private boolean ledger = true;
    private boolean succeeds = true;

    Collect(Order order) {
      this.order = order;
    }

    Collect shape(BillShape shape) {
      this.shape = shape;
      return this;
    }

    /** The bank line is on another worker's statement. */
    Collect billOf(int worker) {
      this.billWorker = worker;
      return this;
    }

    /** The bank line shows another payer UPI id. */
    Collect billFrom(String vpa) {
      this.billVpa = vpa;
      return this;
    }

    /** The bank line stays PENDING: never deducted. */
    Collect billStuck() {
      this.billStuck = true;
      return this;
    }

    Collect noLedger() {
      this.ledger = false;
      return this;
    }

    /** PAID and billed, but never confirmed: no SUCCESS, no ledger line. */
    Collect neverConfirmed() {
      this.succeeds = false;
      this.ledger = false;
      return this;
    }

    /** Writes the order's events from {@code at}; returns its UTR. */
    String write(long at) {
      String utr = utr();
      long paidAt = at + seconds(30, 180);
      long successAt = paidAt + seconds(10, 120);
      payment(order, PaymentStatus.CREATED, at, null, null);
      payment(order, PaymentStatus.PAID, paidAt, utr, "UPI");
      if (succeeds) {
        payment(order, PaymentStatus.SUCCESS, successAt, utr, "UPI");
      }
      BigDecimal amount = order.amount();
      BigDecimal billed =
          switch (shape) {
            case MATCHING -> amount;
            case UNDERPAID ->
                amount.subtract(
                    money(1 + random.nextInt(Math.max(1, Math.min(500, amount.intValue() / 2)))));
            case OVERPAID -> amount.add(money(1 + random.nextInt(500)));
          };
      long billedAt = paidAt + seconds(-60, 600);
      int worker = billWorker == null ? order.worker() : billWorker;
      String vpa = billVpa == null ? userVpa(order.user()) : billVpa;
      if (billStuck) {
        billLine(utr, worker, BillDirection.CREDIT, billed, billedAt, vpa, true, null);
      } else {
        bill(utr, worker, BillDirection.CREDIT, billed, billedAt, vpa, true);
      }
      if (ledger) {
        ledgerLine(order.account(), order.orderNo(), 323, amount, successAt + seconds(1, 5), null);
      }
      return utr;
    }
  }

  /** A REFUNDED payment of a confirmed order at {@code at}, and its 324 refund line if booked. */
  void refund(Order order, long at, boolean booked) {
    payment(order, PaymentStatus.REFUNDED, at, null, null);
    if (booked) {
      ledgerLine(
          order.account(), order.orderNo(), 324, order.amount().negate(), at + seconds(1, 5), null);
    }
  }

  /**
   * A claim the bank never confirms: CREATED, PAID with {@code utr}, and FAILED once the back
   * office gives up on it, well within the pending SLA.
   */
  void claimOnly(Order order, long at, String utr, String channel) {
    long paidAt = at + seconds(30, 180);
    payment(order, PaymentStatus.CREATED, at, null, null);
    payment(order, PaymentStatus.PAID, paidAt, utr, channel);
    payment(order, PaymentStatus.FAILED, paidAt + seconds(35 * 60, 60 * 60), null, channel);
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
    // The withdraw is booked PENDING first and settles within minutes (a status update of the
    // line).
    LedgerDraft withdraw =
        ledgerLine(
            order.account(),
            order.orderNo(),
            322,
            amount.negate(),
            successAt + seconds(60, 600),
            null);
    withdraw.pendingAt = successAt + seconds(1, 5);
    pendingVersions++;
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

  long lastSuccessTime() {
    for (int i = payments.size() - 1; i >= 0; i--) {
      if (payments.get(i).getStatus() == PaymentStatus.SUCCESS) {
        return payments.get(i).getEventTime().toEpochMilli();
      }
    }
    throw new IllegalStateException("no SUCCESS payment yet");
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

  /**
   * A bank statement line. Most lines picked up by an order are DEDUCTED at once; one in twenty is
   * PENDING first and DEDUCTED (a status update of the line) within the pending SLA.
   */
  void bill(
      String utr,
      int worker,
      BillDirection direction,
      BigDecimal amount,
      long at,
      String counterparty,
      boolean pickedUp) {
    Long deductedAt = at;
    if (pickedUp && random.nextInt(20) == 0) {
      deductedAt = at + seconds(60, 90 * 60);
    }
    billLine(utr, worker, direction, amount, at, counterparty, pickedUp, deductedAt);
  }

  /**
   * A statement line: PENDING at {@code at} and DEDUCTED at {@code deductedAt}, or DEDUCTED at once
   * when the two are equal, or PENDING for good when {@code deductedAt} is null.
   */
  void billLine(
      String utr,
      int worker,
      BillDirection direction,
      BigDecimal amount,
      long at,
      String counterparty,
      boolean pickedUp,
      Long deductedAt) {
    Bill.Builder line =
        Bill.newBuilder()
            .setBillId(String.format("B-%08d", ++billLines))
            .setUtr(utr)
            .setCwid(cwid(worker))
            .setDirection(direction)
            .setAmount(amount)
            .setCurrency("INR")
            .setCounterpartyVpa(counterparty)
            .setPickedUp(pickedUp)
            .setEventTime(Instant.ofEpochMilli(at));
    if (deductedAt == null || deductedAt != at) {
      bills.add(Bill.newBuilder(line).setDeductStatus(DeductStatus.PENDING).build());
    }
    if (deductedAt != null) {
      bills.add(
          line.setDeductStatus(DeductStatus.DEDUCTED)
              .setEventTime(Instant.ofEpochMilli(deductedAt))
              .build());
    }
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
      BalanceChange built = line.setOpeningBalance(opening).setClosingBalance(closing).build();
      if (built.getState() == LedgerState.SUCCESS) {
        balances.put(line.getAccountId(), closing);
      }
      lines.add(built);
      if (draft.pendingAt != null) {
        lines.add(
            BalanceChange.newBuilder(built)
                .setState(LedgerState.PENDING)
                .setEventTime(Instant.ofEpochMilli(draft.pendingAt))
                .build());
      }
    }
    lines.sort(Comparator.comparing(BalanceChange::getEventTime)); // stable: ties keep log order
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

  /** {@code utr} as a payer mistypes it: two neighbouring digits swapped; a UTR not used yet. */
  String mistyped(String utr) {
    while (true) {
      int i = random.nextInt(utr.length() - 1);
      if (utr.charAt(i) == utr.charAt(i + 1)) {
        continue;
      }
      String typed = utr.substring(0, i) + utr.charAt(i + 1) + utr.charAt(i) + utr.substring(i + 2);
      if (utrs.add(typed)) {
        return typed;
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
