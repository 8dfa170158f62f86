package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertStatus;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.avro.Bill;
import io.riskstream.avro.BillDirection;
import io.riskstream.avro.DeductStatus;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.EvidenceSource;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Joins claims and bank statement lines by UTR, in either arrival order: FORGED_UTR
 * (INVALID_FORMAT, NO_BANK_RECORD), AMOUNT_MISMATCH, UTR_REUSED, BILL_WITHOUT_ORDER,
 * COUNTERPARTY_MISMATCH (OTHER_WORKER, OTHER_VPA) and PENDING_TOO_LONG / BILL_PENDING ({@link
 * UtrRules}).
 *
 * <p>Each event schedules the decisions it takes part in, at the event time at which each is taken
 * (a claim: at its time and at its time + W; a claim and a bill that differ in amount, worker or
 * UPI id: at the later of the two; a bill: at its time + W, and a PENDING one at its time + the
 * pending SLA), and each decision is taken once, when the watermark reaches that time, over the one
 * claim or bill it is about; one that can no longer find anything (see {@link #drop}) is not
 * scheduled, or is dropped. Nothing is evaluated again over all of a UTR's claims, so the cost of
 * an event does not grow with the number of orders that claim the UTR; only a new bill visits every
 * claim, once, since each may mismatch it.
 *
 * <p>State per UTR: one value read and written once per event and per wakeup ({@link UtrState}):
 * the earliest claim of each order, the bills by bill_id (a UTR has one or two), the earliest
 * well-formed claim of each kind, the decisions waiting for the watermark, and when the UTR must
 * next wake ({@link Wakeups}: one timer per UTR; forgotten once quiet for the UTR retention, 30
 * days); and what has fired ({@link FiredSet}: a claim replaced by an earlier one of its order,
 * when that arrives late, must not raise the same finding twice). A hot UTR (screenshot reuse at
 * scale: thousands of orders) keeps its claims and decisions beyond {@link #MAX_INLINE} in map
 * states read one entry at a time, so that its value stays small. Fewer, larger state accesses
 * because each RocksDB access costs a JNI call and a (de)serialisation: in the bench, riskstream on
 * RocksDB ran at a third of its rate on the heap.
 */
public final class UtrMatcher extends KeyedCoProcessFunction<String, Payment, Bill, Alert>
    implements RuleDriven, Expiry.Expiring {
  /** Decisions are strings: kind, then ids, separated by NUL (no id contains it). */
  private static final char SEP = '\0';

  private static final char AT_CLAIM = 'C';
  private static final char AT_CLAIM_DUE = 'D';
  private static final char AT_PAIR = 'P';
  private static final char AT_BILL_DUE = 'B';
  private static final char AT_BILL_PENDING = 'N';

  /**
   * Claims and decisions a UTR keeps in its value; a hot UTR's beyond these are in map states. A
   * UTR has one claim, or a few when it is reused, and a handful of decisions at a time; every
   * event reads and writes the whole value, so what it holds inline is what a hot UTR pays on each
   * event ({@code HotKeys}: 52 µs an event at 32, when the value held 32 payments).
   */
  static final int MAX_INLINE = 8;

  private RulesInForce rules;
  private transient MapState<String, Payment> claims;
  private transient ValueState<UtrState> utr;

  /** Where a UTR's retention timer goes: null without a {@link DetectorOperator}. */
  private transient Expiry expiry;

  private transient EventTimeBuffer<String> decisions;
  private transient FiredSet fired;
  private transient AlertOutput output;
  private transient Counter claimsMatched;
  private transient Counter claimsUnmatched;
  // For the oldestUnmatchedClaimAgeMs and openClaims gauges only: the event times of this
  // subtask's claims still waiting for a bill, and how many. Not checkpointed (after a restore it
  // covers new claims only); the alerts never depend on it.
  private transient TreeMap<Long, Integer> waitingClaims;
  private transient long openClaims;
  private transient long lastWatermark;

  public UtrMatcher(RulesInForce rules) {
    this.rules = rules;
  }

  @Override
  public void use(RulesInForce rules) {
    this.rules = rules;
  }

  @Override
  public void expireWith(Expiry expiry) {
    this.expiry = expiry;
  }

  /**
   * Only a UTR whose map states hold nothing expires here ({@link #endOf}): see {@link #forget}.
   */
  @Override
  public void expire() {
    utr.clear();
  }

  /** A UTR's small state, one value (a Flink POJO: fields evolve with savepoints). */
  public static final class UtrState {
    /**
     * The earliest claim of each order, for the first {@link #MAX_INLINE} orders; a hot UTR's
     * further orders' claims are in the map state {@code claims}.
     */
    public Map<String, Payment> claims = new HashMap<>();

    /** Whether claims went to the map state: a UTR claimed by more orders than are kept here. */
    public boolean hot;

    /**
     * Whether no finding of the UTR has fired, so that its {@link FiredSet} is empty: set for a new
     * UTR only, so that state restored from a version without it (false) is cleared as before.
     */
    public boolean firedNothing;

    /** The bank statement's lines with this UTR, by bill_id: each line's latest version. */
    public Map<String, Bill> bills = new HashMap<>();

    /** When lines that were PENDING before their DEDUCTED version were first seen, by bill_id. */
    public Map<String, Long> pendingSince = new HashMap<>();

    /**
     * The earliest well-formed claim of each payment kind, when it is not the claim kept for its
     * order in {@link #claims}: then only the order is kept, in {@link #firstClaimOrders}. A UTR's
     * first claim is nearly always its only claim, and stored twice it was a third of the value.
     */
    public Map<String, Payment> firstClaims = new HashMap<>();

    /** The order whose claim in {@link #claims} is the earliest well-formed one of each kind. */
    public Map<String, String> firstClaimOrders = new HashMap<>();

    /**
     * Decisions waiting for the watermark, by the time each is taken, up to {@link #MAX_INLINE} of
     * them; the rest wait in the map state {@code decisions} (a bill of a UTR claimed by thousands
     * of orders schedules one per claim).
     */
    public Map<Long, List<String>> decisions = new HashMap<>();

    /** How many decisions wait in the map state: none for all but hot UTRs, which then read it. */
    public long spilled;

    public long[] wakeups = Wakeups.none();

    /** The earliest well-formed claim of {@code kind}, or null. */
    Payment firstClaim(PaymentKind kind) {
      String order = firstClaimOrders.get(kind.name());
      return order == null ? firstClaims.get(kind.name()) : claims.get(order);
    }

    /** Makes {@code claim} the earliest well-formed one of {@code kind} (null: there is none). */
    void firstClaim(PaymentKind kind, Payment claim) {
      firstClaimOrders.remove(kind.name());
      firstClaims.remove(kind.name());
      if (claim != null && claims.get(claim.getOrderNo()) == claim) {
        firstClaimOrders.put(kind.name(), claim.getOrderNo());
      } else if (claim != null) {
        firstClaims.put(kind.name(), claim);
      }
    }

    /** The earliest well-formed claim of each kind that has one. */
    List<Payment> firstClaims() {
      List<Payment> first = new ArrayList<>(2);
      for (PaymentKind kind : PaymentKind.values()) {
        Payment claim = firstClaim(kind);
        if (claim != null) {
          first.add(claim);
        }
      }
      return first;
    }

    /**
     * Keeps {@code claim} as its order's, inline: a first claim of a kind that named the claim it
     * replaces keeps that claim itself.
     */
    void putClaim(Payment claim) {
      String order = claim.getOrderNo();
      Payment replaced = claims.put(order, claim);
      if (replaced != null) {
        firstClaimOrders
            .entrySet()
            .removeIf(
                first -> {
                  boolean named = first.getValue().equals(order);
                  if (named) {
                    firstClaims.put(first.getKey(), replaced);
                  }
                  return named;
                });
      }
    }

    int inline() {
      return decisions.values().stream().mapToInt(List::size).sum();
    }

    static TypeInformation<UtrState> type() {
      return type(
          StateRecordSerializer.typeOf(Payment.class), StateRecordSerializer.typeOf(Bill.class));
    }

    /**
     * The value's type with claims and bank lines kept by the given types: {@link
     * StateRecordSerializer} now, Flink's Avro serializer in state written before it.
     */
    static TypeInformation<UtrState> type(
        TypeInformation<Payment> payment, TypeInformation<Bill> bill) {
      return Types.POJO(
          UtrState.class,
          Map.of(
              "bills", Types.MAP(Types.STRING, bill),
              "pendingSince", Types.MAP(Types.STRING, Types.LONG),
              "claims", Types.MAP(Types.STRING, payment),
              "hot", Types.BOOLEAN,
              "firedNothing", Types.BOOLEAN,
              "firstClaims", Types.MAP(Types.STRING, payment),
              "firstClaimOrders", Types.MAP(Types.STRING, Types.STRING),
              "decisions", Types.MAP(Types.LONG, Types.LIST(Types.STRING)),
              "spilled", Types.LONG,
              "wakeups", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    }
  }

  @Override
  public void open(OpenContext context) {
    TypeInformation<Payment> payment = StateRecordSerializer.typeOf(Payment.class);
    claims =
        getRuntimeContext().getMapState(new MapStateDescriptor<>("claims", Types.STRING, payment));
    utr =
        KeyedStateCache.value(
            getRuntimeContext(), context, new ValueStateDescriptor<>("utr", UtrState.type()));
    decisions =
        new EventTimeBuffer<>(getRuntimeContext(), "decisions", Types.STRING, decision -> decision);
    fired = new FiredSet(getRuntimeContext());
    output = new AlertOutput(getRuntimeContext(), () -> rules);
    claimsMatched =
        getRuntimeContext().getMetricGroup().addGroup("riskstream").counter("claimsMatched");
    claimsUnmatched =
        getRuntimeContext().getMetricGroup().addGroup("riskstream").counter("claimsUnmatched");
    waitingClaims = new TreeMap<>();
    getRuntimeContext()
        .getMetricGroup()
        .addGroup("riskstream")
        .<Long, Gauge<Long>>gauge(
            "oldestUnmatchedClaimAgeMs",
            () ->
                waitingClaims.isEmpty()
                    ? 0L
                    : Math.max(0L, lastWatermark - waitingClaims.firstKey()));
    getRuntimeContext()
        .getMetricGroup()
        .addGroup("riskstream")
        .<Long, Gauge<Long>>gauge("openClaims", () -> openClaims);
  }

  /** Only claims reach this operator (see {@link DetectionWorkflow}). */
  @Override
  public void processElement1(Payment claim, Context ctx, Collector<Alert> out) throws Exception {
    long time = claim.getEventTime().toEpochMilli();
    TimerService timers = ctx.timerService();
    output.countIfLate(time, timers.currentWatermark());
    lastWatermark = Math.max(lastWatermark, timers.currentWatermark());
    String order = claim.getOrderNo();
    UtrState state = read();
    Payment known = claim(state, order);
    if (known != null && EventOrder.PAYMENTS.compare(known, claim) <= 0) {
      // A later claim of the same order, or a redelivery: the earliest one speaks for the order.
      return;
    }
    if (known != null) {
      // An earlier claim of the order, arrived late: it speaks for the order from now on, what the
      // later one raised is withdrawn, and the earlier one's decisions are taken afresh.
      for (String key : UtrRules.claimKeys(order, state.bills.keySet())) {
        String withdrawn = fired.withdraw(key);
        if (withdrawn != null) {
          output.send(
              AlertUpdates.withdrawn(withdrawn, claim),
              updates(ctx, key.startsWith("no-bank-record|") ? known.getCwid() : null));
        }
      }
    }
    Payment firstBefore = firstValid(state);
    putClaim(state, order, claim);
    boolean wellFormed = UtrRules.wellFormed(claim, rules.at(time));
    Payment firstOfKind = state.firstClaim(claim.getKind());
    Map<Long, List<String>> scheduled = new HashMap<>();
    Map<String, Bill> statement = state.bills;
    if (wellFormed
        && (firstOfKind == null || EventOrder.PAYMENTS.compare(claim, firstOfKind) < 0)) {
      state.firstClaim(claim.getKind(), claim);
      // BILL_WITHOUT_ORDER can no longer follow for a line this claim is in time for.
      for (Bill bill : statement.values()) {
        if (kind(bill) == claim.getKind() && time <= billDue(bill)) {
          drop(state, billDue(bill), atBillDue(bill), timers);
        }
      }
    } else if (!wellFormed
        && known != null
        && firstOfKind != null
        && firstOfKind.getEventId().equals(known.getEventId())) {
      // The order's earliest claim is now a malformed one: its well-formed claim no longer counts,
      // and the lines it was in time for, whose BILL_WITHOUT_ORDER was dropped, are decided again.
      replaceFirst(state, claim.getKind());
      for (Bill bill : statement.values()) {
        if (kind(bill) == claim.getKind() && billDue(bill) > timers.currentWatermark()) {
          scheduleBillDue(state, bill, scheduled);
        }
      }
    }

    Payment firstNow = firstValid(state);
    boolean first = firstNow != null && firstNow.getEventId().equals(claim.getEventId());
    if (!(wellFormed && first)) {
      // The UTR's earliest well-formed claim is neither malformed nor a reuse: nothing to decide
      // at its time unless an earlier claim takes its place before then (below).
      scheduled.computeIfAbsent(time, t -> new ArrayList<>()).add(decision(AT_CLAIM, claim));
    }
    if (firstBefore != null
        && firstNow != null
        && !firstNow.getEventId().equals(firstBefore.getEventId())) {
      if (firstBefore.getEventTime().toEpochMilli() <= timers.currentWatermark()) {
        // A claim earlier than the UTR's first, arrived after claims were decided against that
        // first: UTR_REUSED is decided again for every other claim (their evidence names the
        // first; the one that was first is now a reuse). Rare: only a late claim gets here.
        for (Payment other : allClaims(state)) {
          if (!other.getEventId().equals(claim.getEventId())) {
            scheduled
                .computeIfAbsent(other.getEventTime().toEpochMilli(), t -> new ArrayList<>())
                .add(decision(AT_CLAIM, other));
          }
        }
      } else if (isKept(state, firstBefore)) {
        // The claim that was first, and so had nothing to decide at its time, now may be a reuse.
        scheduled
            .computeIfAbsent(firstBefore.getEventTime().toEpochMilli(), t -> new ArrayList<>())
            .add(decision(AT_CLAIM, firstBefore));
      }
    }
    long w = rules.at(time).matchWindow().toMillis();
    if (wellFormed) {
      boolean billedInTime = false;
      for (Bill bill : statement.values()) {
        if (UtrRules.matches(claim.getKind(), bill.getDirection())) {
          if (UtrRules.pairDiffers(claim, bill)) {
            scheduled
                .computeIfAbsent(UtrRules.pairTime(claim, bill), t -> new ArrayList<>())
                .add(pair(claim, bill));
          }
          billedInTime |= UtrRules.onStatement(bill, state.pendingSince) <= time + w;
          if (billDue(bill) <= timers.currentWatermark()) {
            settle(UtrRules.atBillDue(ctx.getCurrentKey(), bill, null, ruleAt(bill)), state, ctx);
          }
        }
      }
      if (billedInTime) {
        claimsMatched.inc(); // a line stays on the statement: NO_BANK_RECORD cannot follow
      } else {
        scheduled
            .computeIfAbsent(time + w, t -> new ArrayList<>())
            .add(decision(AT_CLAIM_DUE, claim));
      }
      if (known == null && !hasBillOf(statement, direction(claim.getKind()))) {
        waitingClaims.merge(time, 1, Integer::sum);
        openClaims++;
      }
    }
    schedule(state, scheduled, timers);
    keep(state, timers, time);
  }

  @Override
  public void processElement2(Bill bill, Context ctx, Collector<Alert> out) throws Exception {
    long time = bill.getEventTime().toEpochMilli();
    TimerService timers = ctx.timerService();
    output.countIfLate(time, timers.currentWatermark());
    UtrState state = read();
    Map<String, Bill> statement = state.bills;
    Bill known = statement.get(bill.getBillId());
    if (known != null) {
      // A status update of a statement line: PENDING -> DEDUCTED moves it on, and the rules that
      // name DEDUCTED read that version with its event time. The same status again is a
      // redelivery; PENDING after DEDUCTED (arrived late) changes nothing.
      if (known.getDeductStatus() == DeductStatus.PENDING
          && bill.getDeductStatus() == DeductStatus.DEDUCTED) {
        statement.put(bill.getBillId(), bill);
        state.pendingSince.merge(bill.getBillId(), known.getEventTime().toEpochMilli(), Math::min);
        if (billPendingDue(known) <= timers.currentWatermark()) {
          long pendingAt = known.getEventTime().toEpochMilli();
          settle(
              UtrRules.atBillPending(ctx.getCurrentKey(), known, pendingAt, rules.at(pendingAt)),
              state,
              ctx);
        }
        Map<Long, List<String>> scheduled = new HashMap<>();
        scheduleBillDue(state, bill, scheduled);
        schedulePairsOfNewVersion(state, known, bill, timers.currentWatermark(), scheduled);
        schedule(state, scheduled, timers);
        keep(state, timers, time);
      } else if (bill.getDeductStatus() == DeductStatus.PENDING
          && bill.getEventTime().toEpochMilli() != known.getEventTime().toEpochMilli()) {
        // The PENDING version after its DEDUCTED one: BILL_PENDING still compares the two, and
        // the line has been on the statement since then.
        state.pendingSince.merge(bill.getBillId(), time, Math::min);
        for (Payment claim : allClaims(state)) {
          settleClaim(claim, bill, state, ctx);
        }
        schedule(state, Map.of(billPendingDue(bill), List.of(atBillPending(bill))), timers);
        keep(state, timers, time);
      }
      return;
    }
    boolean firstOfItsDirection = !hasBillOf(statement, bill.getDirection());
    statement.put(bill.getBillId(), bill);
    // Every claim may mismatch a new bill: the one visit of all claims, once per bill.
    Map<Long, List<String>> scheduled = new HashMap<>();
    for (Payment claim : allClaims(state)) {
      Rules claimRules = rules.at(claim.getEventTime().toEpochMilli());
      if (UtrRules.matches(claim.getKind(), bill.getDirection())
          && UtrRules.wellFormed(claim, claimRules)) {
        if (UtrRules.pairDiffers(claim, bill)) {
          scheduled
              .computeIfAbsent(UtrRules.pairTime(claim, bill), t -> new ArrayList<>())
              .add(pair(claim, bill));
        }
        if (firstOfItsDirection) {
          stopWaiting(claim.getEventTime().toEpochMilli());
        }
        // A line stays on the statement: the claim's NO_BANK_RECORD cannot follow.
        long due = claim.getEventTime().toEpochMilli() + claimRules.matchWindow().toMillis();
        if (time <= due && drop(state, due, decision(AT_CLAIM_DUE, claim), timers)) {
          claimsMatched.inc();
        }
      }
      settleClaim(claim, bill, state, ctx);
    }
    scheduleBillDue(state, bill, scheduled);
    if (bill.getDeductStatus() == DeductStatus.PENDING) {
      scheduled
          .computeIfAbsent(billPendingDue(bill), t -> new ArrayList<>())
          .add(atBillPending(bill));
    }
    schedule(state, scheduled, timers);
    keep(state, timers, time);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
    UtrState state = utr.value();
    if (state == null) {
      return; // a timer of its own for a hot UTR's extra wakeup, after the UTR was forgotten
    }
    long watermark = Math.max(timestamp, ctx.timerService().currentWatermark());
    lastWatermark = Math.max(lastWatermark, watermark);
    Wakeups.Fired woken =
        Wakeups.fire(state.wakeups, timestamp, watermark, ctx.timerService(), expiry);
    if (woken.onlyExpired()) {
      forget(state); // every UTR ends here once, with nothing left to decide
      return;
    }
    // The times the watermark passed, and this timer's own (a hot UTR's extra wakeup).
    SortedSet<Long> times = new TreeSet<>();
    times.add(timestamp);
    for (long t : woken.passed()) {
      times.add(t);
    }
    Payment firstValid = firstValid(state);
    for (long time : times) {
      for (String decision : take(state, time)) {
        String[] part = decision.split(String.valueOf(SEP), -1);
        for (Finding finding : decide(ctx.getCurrentKey(), part, state, firstValid)) {
          if (!output.enabled(finding.alert())) {
            continue;
          }
          state.firedNothing = false; // fire() records the finding in the FiredSet
          if (output.raise(
              finding, fired.fire(finding), out, updates(ctx, typoWorker(finding.alert())))) {
            if (Reason.of(finding.alert()) == Reason.NO_BANK_RECORD) {
              claimsUnmatched.inc();
            }
            offerTypo(finding.alert(), state, ctx);
            settle(finding, state, ctx); // the evidence may be here already, after the deadline
          }
        }
      }
    }
    if (woken.expired()) {
      forget(state);
    } else {
      state.wakeups = woken.wakeups();
      state.wakeups = endOf(state, ctx.timerService());
      utr.update(state);
    }
  }

  /**
   * Clears the UTR's state. The map states only if they may hold entries: a clear is a RocksDB
   * iterator and a seek each, and most UTRs have put nothing there.
   */
  private void forget(UtrState state) throws Exception {
    if (state.hot) {
      claims.clear();
    }
    if (!state.firedNothing) {
      fired.clear();
    }
    utr.clear();
  }

  /**
   * Makes the decisions wait in the UTR's value while it holds fewer than {@link #MAX_INLINE}, in
   * the map state beyond, and wakes the UTR at each one's time. A redelivered decision waits once.
   */
  private void schedule(UtrState state, Map<Long, List<String>> scheduled, TimerService timers)
      throws Exception {
    int room = MAX_INLINE - state.inline();
    Map<Long, List<String>> spill = new HashMap<>();
    for (Map.Entry<Long, List<String>> entry : scheduled.entrySet()) {
      List<String> bucket = state.decisions.get(entry.getKey());
      for (String decision : entry.getValue()) {
        if (bucket != null && bucket.contains(decision)) {
          continue;
        }
        if (room > 0) {
          bucket = state.decisions.computeIfAbsent(entry.getKey(), t -> new ArrayList<>(2));
          bucket.add(decision);
          room--;
        } else {
          spill.computeIfAbsent(entry.getKey(), t -> new ArrayList<>()).add(decision);
        }
      }
      state.wakeups = Wakeups.at(state.wakeups, entry.getKey(), timers, expiry);
    }
    if (!spill.isEmpty()) {
      decisions.addAll(spill, t -> {});
      state.spilled += spill.values().stream().mapToInt(List::size).sum();
    }
  }

  /**
   * A pair is decided with the line's version of that time, but scheduled only if the version it
   * met differed from its claim ({@link UtrRules#pairDiffers}): when the line's next version
   * differs where the one before did not, and the pair is not decided yet, it is scheduled now, at
   * the time it would have waited for.
   */
  private void schedulePairsOfNewVersion(
      UtrState state, Bill before, Bill now, long watermark, Map<Long, List<String>> scheduled)
      throws Exception {
    for (Payment claim : allClaims(state)) {
      long at = UtrRules.pairTime(claim, before);
      if (at > watermark
          && UtrRules.matches(claim.getKind(), now.getDirection())
          && !UtrRules.pairDiffers(claim, before)
          && UtrRules.pairDiffers(claim, now)) {
        scheduled.computeIfAbsent(at, t -> new ArrayList<>()).add(pair(claim, now));
      }
    }
  }

  /**
   * Drops a waiting decision that can no longer find anything, and the UTR's wakeup at its time if
   * nothing else waits then: whether it was waiting. A hot UTR's spilled decisions stay, and are
   * taken as usual (they find nothing).
   */
  private static boolean drop(UtrState state, long time, String decision, TimerService timers) {
    List<String> bucket = state.decisions.get(time);
    if (bucket == null || !bucket.remove(decision)) {
      return false;
    }
    if (bucket.isEmpty()) {
      state.decisions.remove(time);
      if (state.spilled == 0) {
        state.wakeups = Wakeups.cancel(state.wakeups, time, timers);
      }
    }
    return true;
  }

  /**
   * Schedules BILL_WITHOUT_ORDER for this version of a line, unless it cannot be raised: the
   * version is not DEDUCTED, or a well-formed claim of its kind is already in time for it.
   */
  private void scheduleBillDue(UtrState state, Bill bill, Map<Long, List<String>> scheduled) {
    Payment first = state.firstClaim(kind(bill));
    if (bill.getDeductStatus() == DeductStatus.DEDUCTED
        && (first == null || first.getEventTime().toEpochMilli() > billDue(bill))) {
      scheduled.computeIfAbsent(billDue(bill), t -> new ArrayList<>()).add(atBillDue(bill));
    }
  }

  /**
   * Answers the absence alert of {@code absence} (null: none) if it was raised and {@code state}
   * now holds an event that answers it ({@link AlertUpdates}): once, on the first such event.
   */
  private void settle(Finding absence, UtrState state, Context ctx) throws Exception {
    if (absence == null) {
      return;
    }
    Evidence answer = answer(absence.alert(), state);
    String raised =
        answer == null
            ? null
            : fired.answerOnce(
                absence.key(),
                absence.alert().getAlertId(),
                AlertUpdates.retracts(absence.alert(), answer));
    if (raised != null) {
      output.answer(absence.alert(), raised, answer, updates(ctx, typoWorker(absence.alert())));
    }
  }

  /**
   * Where the updates go: the alert-updates side output, and a retraction of a NO_BANK_RECORD or
   * BILL_WITHOUT_ORDER also to the typo pairing of worker {@code typoWorker} (null: not one).
   */
  private static Consumer<AlertUpdate> updates(Context ctx, String typoWorker) {
    return update -> {
      ctx.output(AlertUpdates.TAG, update);
      if (typoWorker != null && update.getStatus() == AlertStatus.RETRACTED) {
        ctx.output(
            TypoCandidate.TAG,
            TypoCandidate.retraction(
                update.getAlertId(), typoWorker, update.getEventTime().toEpochMilli()));
      }
    };
  }

  /** The worker of a NO_BANK_RECORD or BILL_WITHOUT_ORDER alert, which the typo pairing reads. */
  private static String typoWorker(Alert alert) {
    Reason reason = Reason.of(alert);
    return reason == Reason.NO_BANK_RECORD || reason == Reason.BILL_WITHOUT_ORDER
        ? alert.getCwid()
        : null;
  }

  /**
   * Offers a NO_BANK_RECORD or BILL_WITHOUT_ORDER alert, with the claim's or line's direction and
   * time, to the typo pairing of its worker.
   */
  private void offerTypo(Alert alert, UtrState state, Context ctx) throws Exception {
    if (typoWorker(alert) == null) {
      return;
    }
    if (Reason.of(alert) == Reason.NO_BANK_RECORD) {
      Payment claim = claim(state, alert.getOrderNo());
      ctx.output(
          TypoCandidate.TAG,
          TypoCandidate.of(
              alert, direction(claim.getKind()).name(), claim.getEventTime().toEpochMilli()));
    } else {
      Bill line = state.bills.get(alert.getEvidence().get(0).getId());
      ctx.output(
          TypoCandidate.TAG,
          TypoCandidate.of(alert, line.getDirection().name(), line.getEventTime().toEpochMilli()));
    }
  }

  /** Answers the claim's NO_BANK_RECORD, if decided, now that {@code line} is on the statement. */
  private void settleClaim(Payment claim, Bill line, UtrState state, Context ctx) throws Exception {
    long time = claim.getEventTime().toEpochMilli();
    Rules inForce = rules.at(time);
    // The deadline first: for a line in time (nearly all) no claim's format is checked again.
    if (time + inForce.matchWindow().toMillis() <= ctx.timerService().currentWatermark()
        && UtrRules.matches(claim.getKind(), line.getDirection())
        && UtrRules.wellFormed(claim, inForce)) {
      settle(UtrRules.atClaimDue(claim, List.of(), Map.of(), inForce), state, ctx);
    }
  }

  /**
   * The earliest event of {@code state} that the absence alert says is missing: a statement line of
   * the claim's direction (NO_BANK_RECORD, as on the statement since its first version), a
   * well-formed claim of the line's kind (BILL_WITHOUT_ORDER), the line's DEDUCTED version
   * (BILL_PENDING). Null when there is none yet, and for every other reason.
   */
  private Evidence answer(Alert alert, UtrState state) throws Exception {
    return switch (Reason.of(alert)) {
      case NO_BANK_RECORD -> {
        Payment claim = claim(state, alert.getOrderNo());
        Evidence first = null;
        for (Bill line : state.bills.values()) {
          long at = UtrRules.onStatement(line, state.pendingSince);
          if (claim != null
              && UtrRules.matches(claim.getKind(), line.getDirection())
              && (first == null || at < first.getEventTime().toEpochMilli())) {
            first = new Evidence(EvidenceSource.BILL, line.getBillId(), Instant.ofEpochMilli(at));
          }
        }
        yield first;
      }
      case BILL_WITHOUT_ORDER -> {
        Bill line = state.bills.get(alert.getEvidence().get(0).getId());
        Payment claim = line == null ? null : state.firstClaim(kind(line));
        yield claim == null ? null : Alerts.evidence(claim);
      }
      case BILL_PENDING -> {
        Bill line = state.bills.get(alert.getEvidence().get(0).getId());
        yield line != null && line.getDeductStatus() == DeductStatus.DEDUCTED
            ? Alerts.evidence(line)
            : null;
      }
      default -> null;
    };
  }

  /** The decisions taken at {@code time}, in a fixed order; the map state only if a hot UTR's. */
  private List<String> take(UtrState state, long time) throws Exception {
    List<String> due = state.decisions.remove(time);
    due = due == null ? new ArrayList<>() : due;
    if (state.spilled > 0) {
      List<String> spilled = decisions.take(time, Comparator.naturalOrder());
      state.spilled -= spilled.size();
      for (String decision : spilled) {
        if (!due.contains(decision)) {
          due.add(decision);
        }
      }
    }
    due.sort(Comparator.naturalOrder());
    return due;
  }

  /** Whether {@code claim} is still the one kept for its order (not replaced by an earlier one). */
  private boolean isKept(UtrState state, Payment claim) throws Exception {
    Payment kept = claim(state, claim.getOrderNo());
    return kept != null && kept.getEventId().equals(claim.getEventId());
  }

  /** The order's earliest claim of this UTR, or null. */
  private Payment claim(UtrState state, String order) throws Exception {
    Payment claim = state.claims.get(order);
    return claim != null || !state.hot ? claim : claims.get(order);
  }

  private void putClaim(UtrState state, String order, Payment claim) throws Exception {
    if (state.claims.containsKey(order) || state.claims.size() < MAX_INLINE) {
      state.putClaim(claim);
    } else {
      state.hot = true;
      claims.put(order, claim);
    }
  }

  /** Every order's earliest claim: only a hot UTR reads the map state. */
  private Collection<Payment> allClaims(UtrState state) throws Exception {
    if (!state.hot) {
      return state.claims.values();
    }
    List<Payment> all = new ArrayList<>(state.claims.values());
    claims.values().forEach(all::add);
    return all;
  }

  private UtrState read() throws Exception {
    UtrState state = utr.value();
    if (state == null) {
      state = new UtrState();
      state.firedNothing = true;
    }
    return state;
  }

  /** Keeps the UTR for the retention after {@code time}, its next wakeup set, and writes it. */
  private void keep(UtrState state, TimerService timers, long time) throws Exception {
    state.wakeups = endOf(state, timers);
    state.wakeups =
        Wakeups.rearm(
            state.wakeups, time + rules.at(time).utrRetention().toMillis(), timers, expiry);
    utr.update(state);
  }

  /**
   * The UTR's wakeups, marked to be read when it ends if its end is more than clearing its value:
   * it has entries in the map states {@link #forget} clears. Most UTRs never have, and expire
   * unread ({@link Wakeups}).
   */
  private long[] endOf(UtrState state, TimerService timers) {
    return state.hot || !state.firedNothing
        ? Wakeups.readAtEnd(state.wakeups, timers, expiry)
        : state.wakeups;
  }

  /** Takes one decision: none when it finds nothing or is about a claim replaced since. */
  private List<Finding> decide(String utr, String[] part, UtrState state, Payment firstValid)
      throws Exception {
    Map<String, Bill> statement = state.bills;
    char kind = part[0].charAt(0);
    if (kind == AT_BILL_DUE) {
      Bill bill = statement.get(part[1]);
      if (part.length > 2 && bill.getEventTime().toEpochMilli() != Long.parseLong(part[2])) {
        return List.of(); // the due of a version the line has moved on from (PENDING, DEDUCTED)
      }
      return listOf(UtrRules.atBillDue(utr, bill, state.firstClaim(kind(bill)), ruleAt(bill)));
    }
    if (kind == AT_BILL_PENDING) {
      long pendingAt = Long.parseLong(part[2]);
      return listOf(
          UtrRules.atBillPending(utr, statement.get(part[1]), pendingAt, rules.at(pendingAt)));
    }
    Payment claim = claim(state, part[1]);
    if (claim == null || !claim.getEventId().equals(part[2])) {
      return List.of();
    }
    Rules inForce = rules.at(claim.getEventTime().toEpochMilli());
    return switch (kind) {
      case AT_CLAIM -> listOf(UtrRules.atClaim(claim, firstValid, inForce));
      case AT_CLAIM_DUE -> {
        Finding unmatched =
            UtrRules.atClaimDue(claim, statement.values(), state.pendingSince, inForce);
        countMatched(claim, statement, unmatched == null);
        yield listOf(unmatched);
      }
      case AT_PAIR -> UtrRules.atPair(claim, statement.get(part[3]), inForce);
      default -> throw new IllegalStateException("unknown decision " + kind);
    };
  }

  private static List<Finding> listOf(Finding finding) {
    return finding == null ? List.of() : List.of(finding);
  }

  /** The UTR's earliest well-formed claim of either kind, or null. */
  private static Payment firstValid(UtrState state) {
    Payment first = null;
    for (Payment p : state.firstClaims()) {
      if (first == null || EventOrder.PAYMENTS.compare(p, first) < 0) {
        first = p;
      }
    }
    return first;
  }

  /**
   * Finds the earliest well-formed claim of {@code kind} again, after the one that was it stopped
   * counting. A scan of the claims, but only when an order's earlier, malformed claim arrives after
   * its well-formed one that was the UTR's first.
   */
  private void replaceFirst(UtrState state, PaymentKind kind) throws Exception {
    Payment earliest = null;
    for (Payment p : allClaims(state)) {
      if (p.getKind() == kind
          && UtrRules.wellFormed(p, rules.at(p.getEventTime().toEpochMilli()))
          && (earliest == null || EventOrder.PAYMENTS.compare(p, earliest) < 0)) {
        earliest = p;
      }
    }
    state.firstClaim(kind, earliest);
  }

  /**
   * A claim counts as matched once, at its time + W, if a bill of its direction arrived by then;
   * either way it stops waiting then.
   */
  private void countMatched(Payment claim, Map<String, Bill> statement, boolean matched) {
    if (!hasBillOf(statement, direction(claim.getKind()))) {
      stopWaiting(claim.getEventTime().toEpochMilli());
    }
    if (matched) {
      claimsMatched.inc();
    }
  }

  private static String decision(char kind, Payment claim) {
    return kind + "" + SEP + claim.getOrderNo() + SEP + claim.getEventId();
  }

  /** When BILL_WITHOUT_ORDER is decided for this version of a statement line. */
  private long billDue(Bill bill) {
    long time = bill.getEventTime().toEpochMilli();
    return time + rules.at(time).matchWindow().toMillis();
  }

  /** The decision at {@link #billDue}, naming the version (by its event time) it is about. */
  private static String atBillDue(Bill bill) {
    return AT_BILL_DUE + "" + SEP + bill.getBillId() + SEP + bill.getEventTime().toEpochMilli();
  }

  /** When BILL_PENDING is decided for a PENDING version of a statement line. */
  private long billPendingDue(Bill pending) {
    long time = pending.getEventTime().toEpochMilli();
    return time + rules.at(time).pendingTooLong(null).sla(Reason.BILL_PENDING).toMillis();
  }

  /** The decision at {@link #billPendingDue}, naming the PENDING version by its event time. */
  private static String atBillPending(Bill pending) {
    return AT_BILL_PENDING
        + ""
        + SEP
        + pending.getBillId()
        + SEP
        + pending.getEventTime().toEpochMilli();
  }

  private static String pair(Payment claim, Bill bill) {
    return decision(AT_PAIR, claim) + SEP + bill.getBillId();
  }

  /** The kind of payment that claims a line of this direction. */
  private static PaymentKind kind(Bill line) {
    return line.getDirection() == BillDirection.CREDIT ? PaymentKind.COLLECT : PaymentKind.PAYOUT;
  }

  private Rules ruleAt(Bill line) {
    return rules.at(line.getEventTime().toEpochMilli());
  }

  private static BillDirection direction(PaymentKind kind) {
    return kind == PaymentKind.COLLECT ? BillDirection.CREDIT : BillDirection.DEBIT;
  }

  private static boolean hasBillOf(Map<String, Bill> statement, BillDirection direction) {
    return statement.values().stream().anyMatch(b -> b.getDirection() == direction);
  }

  private void stopWaiting(long claimTime) {
    Integer waiting = waitingClaims.get(claimTime);
    if (waiting != null) {
      openClaims--;
      if (waiting > 1) {
        waitingClaims.put(claimTime, waiting - 1);
      } else {
        waitingClaims.remove(claimTime);
      }
    }
  }
}
