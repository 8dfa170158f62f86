package io.riskstream.backtest;

import io.riskstream.avro.Alert;
import io.riskstream.generate.Label;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Alerts against the labels of injected fraud: what was found, missed, and raised without a label.
 */
public record GroundTruth(Set<Label> found, Set<Label> missed, List<Alert> unlabelled) {
  public static GroundTruth compare(List<Alert> alerts, List<Label> labels) {
    Set<Label> expected = new LinkedHashSet<>(labels);
    Set<Label> found = new LinkedHashSet<>();
    List<Alert> unlabelled = new ArrayList<>();
    for (Alert alert : alerts) {
      Label label = Label.of(alert);
      if (expected.contains(label)) {
        found.add(label);
      } else {
        unlabelled.add(alert);
      }
    }
    Set<Label> missed = new LinkedHashSet<>(expected);
    missed.removeAll(found);
    return new GroundTruth(found, missed, unlabelled);
  }

  public double recall() {
    int total = found.size() + missed.size();
    return total == 0 ? 1.0 : (double) found.size() / total;
  }

  public double precision(int alerts) {
    return alerts == 0 ? 1.0 : (double) (alerts - unlabelled.size()) / alerts;
  }

  /**
   * The table of alerts per type and reason, with injected labels beside them when there are any.
   */
  public static String table(List<Alert> alerts, List<Label> labels) {
    Map<String, int[]> rows = new TreeMap<>();
    for (Label label : labels) {
      rows.computeIfAbsent(label.type() + " / " + label.reason(), k -> new int[2])[0]++;
    }
    for (Alert alert : alerts) {
      rows.computeIfAbsent(alert.getType() + " / " + alert.getReason(), k -> new int[2])[1]++;
    }
    return countTable(rows, "injected", "detected");
  }

  /**
   * Counts per "type / reason" as a text table with one column per count and a total row; shared by
   * the ground-truth table and {@code backtest --compare}.
   */
  static String countTable(Map<String, int[]> rows, String... columns) {
    int[] widths = new int[columns.length];
    StringBuilder line = new StringBuilder("+" + "-".repeat(42));
    StringBuilder head = new StringBuilder(String.format("| %-40s ", "alert type / reason"));
    for (int c = 0; c < columns.length; c++) {
      widths[c] = Math.max(8, columns[c].length());
      line.append("+").append("-".repeat(widths[c] + 2));
      head.append(String.format("| %" + widths[c] + "s ", columns[c]));
    }
    line.append("+\n");
    head.append("|\n");
    StringBuilder table = new StringBuilder(line).append(head).append(line);
    int[] totals = new int[columns.length];
    for (Map.Entry<String, int[]> row : rows.entrySet()) {
      table.append(String.format("| %-40s ", row.getKey()));
      for (int c = 0; c < columns.length; c++) {
        table.append(String.format("| %," + widths[c] + "d ", row.getValue()[c]));
        totals[c] += row.getValue()[c];
      }
      table.append("|\n");
    }
    table.append(line).append(String.format("| %-40s ", "total"));
    for (int c = 0; c < columns.length; c++) {
      table.append(String.format("| %," + widths[c] + "d ", totals[c]));
    }
    return table.append("|\n").append(line).toString();
  }
}
