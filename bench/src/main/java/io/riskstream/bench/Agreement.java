package io.riskstream.bench;

import io.riskstream.avro.Alert;
import io.riskstream.avro.EvidenceSource;
import io.riskstream.detect.Reason;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Whether the SQL peer and riskstream found the same things on the rules they share, key by key:
 * NO_BANK_RECORD by UTR and order, UNDERPAID/OVERPAID by order and bill, BILL_WITHOUT_ORDER by
 * bill, IP_BURST by IP (the peer's hopping windows can say it more than once per burst; the key is
 * what on-call acts on).
 */
record Agreement(Map<String, Counts> byReason) {
  record Counts(int both, Set<String> onlyRiskstream, Set<String> onlyPeer) {
    boolean agree() {
      return onlyRiskstream.isEmpty() && onlyPeer.isEmpty();
    }
  }

  static final List<Reason> REASONS =
      List.of(
          Reason.NO_BANK_RECORD,
          Reason.UNDERPAID,
          Reason.OVERPAID,
          Reason.BILL_WITHOUT_ORDER,
          Reason.DISTINCT_ACCOUNTS);

  static Agreement of(List<Alert> alerts, Set<String> peer) {
    Set<String> riskstream = new TreeSet<>();
    for (Alert a : alerts) {
      String key = key(a);
      if (key != null) {
        riskstream.add(a.getReason() + "|" + key);
      }
    }
    Map<String, Counts> byReason = new TreeMap<>();
    for (Reason reason : REASONS) {
      Set<String> ours = filter(riskstream, reason.name());
      Set<String> theirs = filter(peer, reason.name());
      Set<String> both = new TreeSet<>(ours);
      both.retainAll(theirs);
      Set<String> onlyOurs = new TreeSet<>(ours);
      onlyOurs.removeAll(theirs);
      Set<String> onlyTheirs = new TreeSet<>(theirs);
      onlyTheirs.removeAll(ours);
      byReason.put(reason.name(), new Counts(both.size(), onlyOurs, onlyTheirs));
    }
    return new Agreement(byReason);
  }

  boolean agree() {
    return byReason.values().stream().allMatch(Counts::agree);
  }

  private static Set<String> filter(Set<String> findings, String reason) {
    Set<String> out = new TreeSet<>();
    findings.stream().filter(f -> f.startsWith(reason + "|")).forEach(out::add);
    return out;
  }

  private static String key(Alert a) {
    return switch (Reason.of(a)) {
      case NO_BANK_RECORD -> a.getUtr() + "|" + a.getOrderNo();
      case UNDERPAID, OVERPAID -> a.getOrderNo() + "|" + billId(a);
      case BILL_WITHOUT_ORDER -> billId(a);
      case DISTINCT_ACCOUNTS -> a.getIp();
      default -> null;
    };
  }

  private static String billId(Alert a) {
    return a.getEvidence().stream()
        .filter(e -> e.getSource() == EvidenceSource.BILL)
        .map(e -> e.getId())
        .findFirst()
        .orElse("?");
  }
}
