package io.riskstream.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One measured quantity over the runs: reported as the median with min–max. */
final class Figure {
  private final List<Double> values = new ArrayList<>();

  void add(double value) {
    values.add(value);
  }

  /** The value of the latest run. */
  double last() {
    return values.get(values.size() - 1);
  }

  /** Every value in run order: "0.41, 1.20, 1.13". */
  String values(int decimals) {
    return String.join(
        ", ",
        values.stream().map(v -> String.format(Locale.ROOT, "%." + decimals + "f", v)).toList());
  }

  double median() {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  double min() {
    return values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
  }

  double max() {
    return values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
  }

  /** "12,345 (12,001–12,900)" with the given number of decimals. */
  String show(int decimals) {
    String f = "%,." + decimals + "f";
    if (values.size() == 1) {
      return String.format(Locale.ROOT, f, median());
    }
    return String.format(Locale.ROOT, f + " (" + f + "–" + f + ")", median(), min(), max());
  }
}
