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

  boolean isEmpty() {
    return values.isEmpty();
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
