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
    String line = "+" + "-".repeat(42) + "+" + "-".repeat(10) + "+" + "-".repeat(10) + "+\n";
    StringBuilder table = new StringBuilder(line);
    table.append(
        String.format("| %-40s | %8s | %8s |%n", "alert type / reason", "injected", "detected"));
    table.append(line);
    int injected = 0;
    int detected = 0;
    for (Map.Entry<String, int[]> row : rows.entrySet()) {
      table.append(
          String.format(
              "| %-40s | %,8d | %,8d |%n", row.getKey(), row.getValue()[0], row.getValue()[1]));
      injected += row.getValue()[0];
      detected += row.getValue()[1];
    }
    table
        .append(line)
        .append(String.format("| %-40s | %,8d | %,8d |%n", "total", injected, detected))
        .append(line);
    return table.toString();
  }
}
