package io.riskstream.backtest;

import io.riskstream.avro.Alert;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What a second rule set changes on the same history, alert by alert: since an alert's id is a hash
 * of its type, reason and evidence, the same finding has the same id under both, and the difference
 * of the id sets is exact.
 */
public record RuleComparison(List<Alert> added, List<Alert> removed, List<Alert> unchanged) {
  public static RuleComparison of(List<Alert> before, List<Alert> after) {
    Set<String> was = before.stream().map(Alert::getAlertId).collect(Collectors.toSet());
    Set<String> is = after.stream().map(Alert::getAlertId).collect(Collectors.toSet());
    List<Alert> added = new ArrayList<>();
    List<Alert> unchanged = new ArrayList<>();
    for (Alert a : after) {
      (was.contains(a.getAlertId()) ? unchanged : added).add(a);
    }
    List<Alert> removed = before.stream().filter(a -> !is.contains(a.getAlertId())).toList();
    return new RuleComparison(added, removed, unchanged);
  }

  /** Per type and reason: how many alerts B adds, removes and keeps. */
  public String table() {
    Map<String, int[]> rows = new TreeMap<>();
    count(rows, added, 0);
    count(rows, removed, 1);
    count(rows, unchanged, 2);
    return GroundTruth.countTable(rows, "added", "removed", "unchanged");
  }

  /** The added and removed alerts, each with its change, for the file a comparison writes. */
  public Map<String, List<Alert>> changes() {
    Map<String, List<Alert>> changes = new LinkedHashMap<>();
    changes.put("added", added);
    changes.put("removed", removed);
    return changes;
  }

  private static void count(Map<String, int[]> rows, List<Alert> alerts, int column) {
    for (Alert a : alerts) {
      rows.computeIfAbsent(a.getType() + " / " + a.getReason(), k -> new int[3])[column]++;
    }
  }
}
