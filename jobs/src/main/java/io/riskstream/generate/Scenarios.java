package io.riskstream.generate;

import static io.riskstream.generate.TrafficGenerator.ADMIN_LIMIT;
import static io.riskstream.generate.TrafficGenerator.ADMIN_TYPES;
import static io.riskstream.generate.TrafficGenerator.LIMIT;
import static io.riskstream.generate.TrafficGenerator.USERS;
import static io.riskstream.generate.TrafficGenerator.WORKERS;
import static io.riskstream.generate.TrafficGenerator.money;
import static io.riskstream.generate.TrafficGenerator.userIp;
import static io.riskstream.generate.TrafficGenerator.userVpa;
import static io.riskstream.generate.TrafficGenerator.workerAccount;

import io.riskstream.avro.BillDirection;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.detect.Reason;
import io.riskstream.generate.TrafficGenerator.BillShape;
import io.riskstream.generate.TrafficGenerator.LedgerDraft;
import io.riskstream.generate.TrafficGenerator.Order;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.EnumMap;
import java.util.Map;

/**
 * The injected cases: one scenario per reason of docs/contract.md (Alerts), each writing the events
 * that must raise exactly that alert (and labelling it), in a table by reason. Each starts from an
 * ordinary collect order of a random user and worker; what it adds or changes is the case.
 */
final class Scenarios {
  /** Where a scenario starts: its reason, a random user and worker, and an order between them. */
  record Start(Reason reason, int user, int worker, Order order) {}

  /** One injected case. */
  interface Scenario {
    void inject(TrafficGenerator g, Start at);
  }

  private static final Map<Reason, Scenario> TABLE = new EnumMap<>(Reason.class);

  static {
    TABLE.put(Reason.INVALID_FORMAT, new InvalidFormat());
    TABLE.put(Reason.NO_BANK_RECORD, new NoBankRecord());
    TABLE.put(Reason.UNDERPAID, new AmountMismatch(BillShape.UNDERPAID));
    TABLE.put(Reason.OVERPAID, new AmountMismatch(BillShape.OVERPAID));
    TABLE.put(Reason.UTR_REUSED, new UtrReused());
    TABLE.put(Reason.ORDER_PAID_TWICE, new OrderPaidTwice());
    TABLE.put(Reason.LEDGER_DOUBLE_CREDIT, new LedgerDoubleCredit());
    TABLE.put(Reason.BILL_WITHOUT_ORDER, new BillWithoutOrder());
    TABLE.put(Reason.LEDGER_WITHOUT_ORDER, new LedgerWithoutOrder());
    TABLE.put(Reason.PAYMENT_OVER_LIMIT, new PaymentOverLimit());
    TABLE.put(Reason.LEDGER_OVER_LIMIT, new LedgerOverLimit());
    TABLE.put(Reason.DISTINCT_ACCOUNTS, new IpBurst());
    TABLE.put(Reason.ARITHMETIC, new BrokenBalance());
    TABLE.put(Reason.CHAIN_BREAK, new BrokenBalance());
    TABLE.put(
        Reason.SUCCESS_WITHOUT_LEDGER,
        (g, at) -> byOrder(g, at, g.new Collect(at.order()).noLedger()));
    TABLE.put(Reason.LEDGER_WITHOUT_SUCCESS, new LedgerWithoutSuccess());
    TABLE.put(Reason.REFUND_WITHOUT_LEDGER, new Refund(false));
    TABLE.put(
        Reason.BANK_PENDING, (g, at) -> byOrder(g, at, g.new Collect(at.order()).neverConfirmed()));
    TABLE.put(Reason.BILL_PENDING, (g, at) -> byUtr(g, at, g.new Collect(at.order()).billStuck()));
    TABLE.put(Reason.LEDGER_PENDING, new LedgerPending());
    TABLE.put(
        Reason.OTHER_WORKER,
        (g, at) ->
            byUtr(
                g,
                at,
                g.new Collect(at.order())
                    .billOf((at.worker() + 1 + g.random.nextInt(WORKERS - 1)) % WORKERS)));
    TABLE.put(
        Reason.OTHER_VPA,
        (g, at) ->
            byUtr(
                g,
                at,
                g.new Collect(at.order())
                    .billFrom(userVpa((at.user() + 1 + g.random.nextInt(USERS - 1)) % USERS))));
    TABLE.put(Reason.FAST_REFUND, new Refund(true));
    TABLE.put(Reason.LIKELY_TYPO, new Typo());
    if (TABLE.size() != Reason.values().length) {
      throw new IllegalStateException("a reason without a scenario");
    }
  }

  private Scenarios() {}

  static Scenario of(Reason reason) {
    return TABLE.get(reason);
  }

  /** A collect order written as {@code plan} says, labelled by its order number. */
  private static void byOrder(TrafficGenerator g, Start at, TrafficGenerator.Collect plan) {
    plan.write(g.clock());
    g.label(at.reason(), at.order().orderNo());
  }

  /** A collect order written as {@code plan} says, labelled by its UTR. */
  private static void byUtr(TrafficGenerator g, Start at, TrafficGenerator.Collect plan) {
    g.label(at.reason(), plan.write(g.clock()));
  }

  /**
   * A confirmed order refunded: within minutes and booked (FAST_REFUND), or hours later and never
   * booked in the ledger (REFUND_WITHOUT_LEDGER).
   */
  private record Refund(boolean fast) implements Scenario {
    @Override
    public void inject(TrafficGenerator g, Start at) {
      g.collect(at.order(), BillShape.MATCHING);
      long after = fast ? g.seconds(60, 540) : g.seconds(3_600, 6 * 3_600);
      g.refund(at.order(), g.lastSuccessTime() + after, fast);
      g.label(at.reason(), at.order().orderNo());
    }
  }

  /** An order that expired, credited in the ledger all the same. */
  private static final class LedgerWithoutSuccess implements Scenario {
    @Override
    public void inject(TrafficGenerator g, Start at) {
      Order order = at.order();
      long when = g.clock();
      g.payment(order, PaymentStatus.CREATED, when, null, null);
      g.payment(order, PaymentStatus.EXPIRED, when + 15 * 60_000, null, null);
      g.ledgerLine(
          order.account(), order.orderNo(), 323, order.amount(), when + g.seconds(60, 300), null);
      g.label(at.reason(), order.orderNo());
    }
  }

  /** A reward booked PENDING on an account of its own that never settles. */
  private static final class LedgerPending implements Scenario {
    @Override
    public void inject(TrafficGenerator g, Start at) {
      String account = g.freshAccount();
      LedgerDraft stuck =
          g.ledgerLine(account, null, 325, money(10 + g.random.nextInt(500)), g.clock(), null);
      stuck.line.setState(io.riskstream.avro.LedgerState.PENDING);
      g.label(at.reason(), account);
    }
  }

  /** A claim with a malformed UTR (11 digits on UPI, or not alphanumeric on IMPS). */
  private static final class InvalidFormat implements Scenario {
    @Override
    public void inject(TrafficGenerator g, Start at) {
      boolean upi = g.random.nextBoolean();
      String utr =
          upi ? String.format("%011d", 10_000_000_000L + g.caseNumber()) : "X" + g.caseNumber();
      g.claimOnly(at.order(), g.clock(), utr, upi ? "UPI" : "IMPS");
      g.label(at.reason(), utr);
    }
  }

  /**
   * A claim whose UTR the payer mistyped: the worker's statement shows the same amount minutes
   * later with the UTR they meant. Its own NO_BANK_RECORD and BILL_WITHOUT_ORDER, and the pair.
   */
  private static final class Typo implements Scenario {
    @Override
    public void inject(TrafficGenerator g, Start at) {
      String meant = g.utr();
      String typed = g.mistyped(meant);
      g.claimOnly(at.order(), g.clock(), typed, "UPI");
      g.bill(
          meant,
          at.worker(),
          BillDirection.CREDIT,
          at.order().amount(),
          g.clock() + g.seconds(200, 600),
          userVpa(at.user()),
          false);
      g.label(Reason.NO_BANK_RECORD, typed);
      g.label(Reason.BILL_WITHOUT_ORDER, meant);
      g.label(at.reason(), typed);
    }
  }

  /** A claim whose UTR the bank never reports. */
  private static final class NoBankRecord implements Scenario {
    @Override
    public void inject(TrafficGenerator g, Start at) {
      String utr = g.utr();
      g.claimOnly(at.order(), g.clock(), utr, "UPI");
      g.label(at.reason(), utr);
    }
  }

  /** A collect order whose bank line shows less, or more, than the claim. */
  private record AmountMismatch(BillShape shape) implements Scenario {
    @Override
    public void inject(TrafficGenerator g, Start at) {
      g.label(at.reason(), g.collect(at.order(), shape));
    }
  }

  /** A collected UTR claimed again, later, by another user's order. */
  private static final class UtrReused implements Scenario {
    @Override
    public void inject(TrafficGenerator g, Start at) {
      String utr = g.collect(at.order(), BillShape.MATCHING);
      int other = (at.user() + 1 + g.random.nextInt(USERS - 1)) % USERS;
      Order second =
          g.collectOrder(
              other, userIp(other), at.worker(), workerAccount(at.worker()), at.order().amount());
      g.claimOnly(second, g.clock() + g.seconds(300, 3_600), utr, "UPI");
      g.label(at.reason(), utr);
      // The other user's claim meets the first one's bank line: not their UPI id either.
      g.label(Reason.OTHER_VPA, utr);
    }
  }

  /** A collected order confirmed a second time with another UTR, and billed again. */
  private static final class OrderPaidTwice implements Scenario {
    @Override
    public void inject(TrafficGenerator g, Start at) {
      Order order = at.order();
      g.collect(order, BillShape.MATCHING);
      String second = g.utr();
      long when = g.lastPaymentTime() + g.seconds(60, 600);
      g.payment(order, PaymentStatus.SUCCESS, when, second, "UPI");
      g.bill(
          second,
          at.worker(),
          BillDirection.CREDIT,
          order.amount(),
          when + g.seconds(-60, 600),
          userVpa(at.user()),
          true);
      g.label(at.reason(), order.orderNo());
    }
  }

  /** A collected order's ledger credit written twice. */
  private static final class LedgerDoubleCredit implements Scenario {
    @Override
    public void inject(TrafficGenerator g, Start at) {
      Order order = at.order();
      g.collect(order, BillShape.MATCHING);
      long creditedAt = g.lastLedgerTime();
      g.ledgerLine(
          order.account(),
          order.orderNo(),
          323,
          order.amount(),
          creditedAt + g.seconds(1, 30),
          null);
      g.label(at.reason(), order.orderNo());
    }
  }

  /** Money on the worker's statement that no order claims. */
  private static final class BillWithoutOrder implements Scenario {
    @Override
    public void inject(TrafficGenerator g, Start at) {
      String utr = g.utr();
      g.bill(
          utr,
          at.worker(),
          BillDirection.CREDIT,
          at.order().amount(),
          g.clock(),
          userVpa(at.user()),
          false);
      g.label(at.reason(), utr);
    }
  }

  /** A recharge credited for an order that does not exist. */
  private static final class LedgerWithoutOrder implements Scenario {
    @Override
    public void inject(TrafficGenerator g, Start at) {
      String ghost = g.ghostOrderNo();
      g.ledgerLine(workerAccount(at.worker()), ghost, 321, at.order().amount(), g.clock(), null);
      g.label(at.reason(), ghost);
    }
  }

  /** A collect order at 1.2, 6 or 11 times the limit; its ledger line is over the limit too. */
  private static final class PaymentOverLimit implements Scenario {
    @Override
    public void inject(TrafficGenerator g, Start at) {
      BigDecimal large =
          LIMIT
              .multiply(BigDecimal.valueOf(new double[] {1.2, 6, 11}[g.random.nextInt(3)]))
              .add(money(g.random.nextInt(9_000)))
              .setScale(2, RoundingMode.HALF_EVEN);
      // Its own account, so that the ledger line's LEDGER_OVER_LIMIT is labelled by a key of its
      // own.
      Order big =
          g.collectOrder(at.user(), userIp(at.user()), at.worker(), g.freshAccount(), large);
      g.collect(big, BillShape.MATCHING);
      g.label(Reason.PAYMENT_OVER_LIMIT, big.orderNo());
      g.label(Reason.LEDGER_OVER_LIMIT, big.account());
    }
  }

  /** An admin adjustment over the admin limit, on an account of its own. */
  private static final class LedgerOverLimit implements Scenario {
    @Override
    public void inject(TrafficGenerator g, Start at) {
      int type = ADMIN_TYPES[g.random.nextInt(ADMIN_TYPES.length)];
      BigDecimal large =
          ADMIN_LIMIT
              .multiply(BigDecimal.valueOf(1 + g.random.nextInt(12)))
              .add(money(g.random.nextInt(5_000)));
      String account = g.freshAccount();
      g.ledgerLine(
          account, null, type, type == 342 ? large.negate() : large, g.clock(), g.operator());
      g.label(at.reason(), account);
    }
  }

  /** Five to seven users paying from one fresh IP within a few minutes. */
  private static final class IpBurst implements Scenario {
    @Override
    public void inject(TrafficGenerator g, Start at) {
      String ip = g.freshIp();
      int payers = 5 + g.random.nextInt(3);
      long when = g.clock();
      for (int i = 0; i < payers; i++) {
        int payer = (at.user() + i * 7) % USERS;
        int w = g.random.nextInt(WORKERS);
        g.collect(
            g.collectOrder(payer, ip, w, workerAccount(w), g.normalAmount()),
            BillShape.MATCHING,
            when);
        when += g.seconds(5, 40);
      }
      g.label(at.reason(), ip);
    }
  }

  /**
   * Two rewards on a fresh account, the second one broken: its closing balance off its opening plus
   * amount (ARITHMETIC), or its opening off the first one's closing (CHAIN_BREAK).
   */
  private static final class BrokenBalance implements Scenario {
    @Override
    public void inject(TrafficGenerator g, Start at) {
      String account = g.freshAccount();
      g.ledgerLine(account, null, 325, money(10 + g.random.nextInt(500)), g.clock(), null);
      LedgerDraft broken =
          g.ledgerLine(
              account,
              null,
              325,
              money(10 + g.random.nextInt(500)),
              g.clock() + g.seconds(60, 600),
              null);
      BigDecimal error = money(1 + g.random.nextInt(100));
      if (at.reason() == Reason.ARITHMETIC) {
        broken.closingError = error;
      } else {
        broken.forcedOpening = error; // added to the true opening when balances are chained
      }
      g.label(at.reason(), account);
    }
  }
}
