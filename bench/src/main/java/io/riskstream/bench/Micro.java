package io.riskstream.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/** Runs the JMH micro-benchmarks (io.riskstream.bench.jmh) in a forked JVM and keeps the scores. */
final class Micro {
  private Micro() {}

  /** Every benchmark of io.riskstream.bench.jmh. */
  static List<String> run() throws Exception {
    return run("io\\.riskstream\\.bench\\.jmh\\..*");
  }

  /** One row per benchmark and parameter set: "name [params] | score ± error unit". */
  static List<String> run(String include) throws Exception {
    Options options =
        new OptionsBuilder().include(include).param("lagMinutes", "0").forks(1).build();
    Collection<RunResult> results = new Runner(options).run();
    List<String> rows = new ArrayList<>();
    for (RunResult r : results) {
      var params = r.getParams();
      List<String> values = new ArrayList<>();
      for (String key : params.getParamsKeys()) {
        values.add(key + "=" + params.getParam(key));
      }
      String name = params.getBenchmark().replace("io.riskstream.bench.jmh.", "");
      rows.add(
          String.format(
              Locale.ROOT,
              "| %s | %s | %.3f ± %.3f %s |",
              name,
              String.join(", ", values),
              r.getPrimaryResult().getScore(),
              r.getPrimaryResult().getScoreError(),
              r.getPrimaryResult().getScoreUnit()));
    }
    return rows;
  }
}
