package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.Evidence;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * UTR_TYPO / LIKELY_TYPO (docs/contract.md (Alerts)): a claim that raised NO_BANK_RECORD and a bank
 * line that raised BILL_WITHOUT_ORDER are one payment whose UTR was mistyped when they share the
 * worker and the direction, their amounts are equal, their event times are at most W apart, and
 * their UTRs are at most two edits apart (a transposition of neighbours is one). Plain Java.
 */
public final class UtrTypoRules {
  static final int MAX_EDITS = 2;

  private UtrTypoRules() {}

  /** Whether {@code claim} (a NO_BANK_RECORD) and {@code line} (a BILL_WITHOUT_ORDER) pair. */
  static boolean pair(TypoCandidate claim, TypoCandidate line, Duration w) {
    Alert c = claim.alert;
    Alert b = line.alert;
    return claim.cwid.equals(line.cwid)
        && claim.direction.equals(line.direction)
        && c.getAmount() != null
        && b.getAmount() != null
        && c.getAmount().compareTo(b.getAmount()) == 0
        && Math.abs(claim.time - line.time) <= w.toMillis()
        && !c.getUtr().equals(b.getUtr())
        && distance(c.getUtr(), b.getUtr()) <= MAX_EDITS;
  }

  /**
   * The optimal-string-alignment distance: insertions, deletions, substitutions and transpositions
   * of neighbours, each one edit. By hand: the maintained libraries on Maven Central offer
   * Levenshtein, which counts a transposition, the commonest typo of a 12-digit number, as two.
   */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  /** The alert naming both UTRs, with both alerts' evidence, about the claim's order. */
  static Alert likelyTypo(TypoCandidate claim, TypoCandidate line, Rules rules) {
    Alert c = claim.alert;
    Alert b = line.alert;
    long gap = line.time - claim.time;
    String when =
        gap == 0
            ? "at the same time"
            : Durations.format(Duration.ofMillis(Math.abs(gap)))
                + (gap > 0 ? " later" : " earlier");
    String summary =
        String.format(
            "Order %s claims UTR %s but %s's bank statement shows %s with UTR %s %s: likely a"
                + " mistyped UTR; backfill it",
            c.getOrderNo(), c.getUtr(), b.getCwid(), Money.format(b.getAmount()), b.getUtr(), when);
    List<Evidence> evidence = new ArrayList<>(c.getEvidence());
    evidence.addAll(b.getEvidence());
    Instant at = c.getEventTime().isAfter(b.getEventTime()) ? c.getEventTime() : b.getEventTime();
    Rules.Basic settings = rules.utrTypo();
    return Alerts.alert(
            Reason.LIKELY_TYPO,
            settings.severity(Reason.LIKELY_TYPO),
            settings.rule(),
            summary,
            evidence,
            at)
        .setMerchantId(c.getMerchantId())
        .setCwid(c.getCwid())
        .setAccountId(c.getAccountId())
        .setUserId(c.getUserId())
        .setOrderNo(c.getOrderNo())
        .setUtr(c.getUtr())
        .setIp(c.getIp())
        .setAmount(c.getAmount())
        .build();
  }
}
