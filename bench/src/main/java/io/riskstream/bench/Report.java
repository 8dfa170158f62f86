package io.riskstream.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** bench/RESULTS.md: the machine, the commit, every figure as median (min–max), the ratios. */
record Report(
    Bench bench,
    Workload workload,
    double generateSeconds,
    double loadSeconds,
    long paymentsAndBills,
    Agreement agreement,
    Map<String, Figure> figures,
    List<String> micro) {

  String markdown() {
    StringBuilder md = new StringBuilder();
    Figure limit = figures.get("limit");
    Figure riskstream = figures.get("riskstream");
    Figure peer = figures.get("peer");
    md.append("# riskstream benchmark results\n\n");
    md.append("Written by the harness (`bench/README.md`), not by hand. Reproduce with:\n\n```\n")
        .append("mvn -B -q -DskipTests package\n")
        .append(
            "java -Xmx8g -jar bench/target/riskstream-bench.jar --events %d --runs %d --parallelism %d --latency-seconds %d\n"
                .formatted(bench.events, bench.runs, bench.parallelism, bench.latencySeconds))
        .append("```\n\n");
    md.append("| | |\n|---|---|\n");
    md.append("| date | ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(" |\n");
    md.append("| commit | `").append(commit()).append("` |\n");
    md.append("| machine | ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" cores, ")
        .append(gib(totalMemory()))
        .append(" GiB RAM, ")
        .append(System.getProperty("os.name"))
        .append(' ')
        .append(System.getProperty("os.arch"))
        .append(" |\n");
    md.append("| JVM | ")
        .append(System.getProperty("java.vm.name"))
        .append(' ')
        .append(System.getProperty("java.runtime.version"))
        .append(", max heap ")
        .append(gib(Runtime.getRuntime().maxMemory()))
        .append(" GiB |\n");
    md.append(
        "| workload | %,d events (%,d payments, %,d bills, %,d balance changes), seed %d, 2%% fraud |\n"
            .formatted(
                workload.size(),
                workload.traffic().payments().size(),
                workload.traffic().bills().size(),
                workload.traffic().balanceChanges().size(),
                bench.seed));
    md.append(
        "| setup | embedded KRaft broker and registry in a child JVM on the same machine; Flink mini cluster in the harness JVM, parallelism %d, RocksDB, checkpoints every 10 s, EXACTLY_ONCE alert sink; runs: %d |\n"
            .formatted(bench.parallelism, bench.runs));
    md.append(
        "| generate / load | %.1f s / %.1f s (%,.0f events/s into Kafka) |\n\n"
            .formatted(generateSeconds, loadSeconds, workload.size() / loadSeconds));

    md.append("## Throughput (events/s, median of runs, min–max)\n\n");
    md.append("| pipeline | events/s | ratio |\n|---|---:|---:|\n");
    md.append("| limit: bare KafkaConsumers, decode only | ")
        .append(limit.show(0))
        .append(" | 1.00 |\n");
    md.append("| riskstream `detect` (all seven alert types), drained from earliest | ")
        .append(riskstream.show(0))
        .append(" | ")
        .append(ratio(riskstream.median(), limit.median()))
        .append(" of the limit |\n");
    md.append("| Flink SQL peer (4 rules; reads payments and bills only) | ")
        .append(peer.show(0))
        .append(" | riskstream is ")
        .append(ratio(riskstream.median(), peer.median()))
        .append("× the peer |\n\n");
    md.append("Alerts per riskstream run: ").append(figures.get("alerts").show(0)).append(".\n\n");

    md.append("## Agreement of the peer with riskstream (run 1)\n\n");
    md.append("| reason | both | only riskstream | only peer |\n|---|---:|---:|---:|\n");
    agreement
        .byReason()
        .forEach(
            (reason, c) ->
                md.append(
                    "| %s | %d | %d | %d |\n"
                        .formatted(
                            reason, c.both(), c.onlyRiskstream().size(), c.onlyPeer().size())));
    md.append("\n").append(agreement.agree() ? "They agree on every key.\n\n" : disagreements());

    md.append("## Latency at half the measured rate\n\n");
    md.append(
        "Alert emitted (its record's timestamp) minus the moment its rule could first decide: when every input"
            + " partition had been written past the alert's decision time plus the 1 min disorder bound. Alerts"
            + " a read_committed consumer sees one checkpoint later (10 s here).\n\n");
    md.append("| | ms |\n|---|---:|\n");
    for (String name : new String[] {"p50", "p99", "max"}) {
      md.append("| ").append(name).append(" | ").append(figures.get(name).show(0)).append(" |\n");
    }
    md.append("\nRate achieved: ")
        .append(figures.get("achieved rate").show(0))
        .append(" events/s; alerts timed per run: ")
        .append(figures.get("timed alerts").show(0))
        .append(".\n\n");

    md.append(
        "## RocksDB state per key (native savepoint at lag 0 over the keys the run opened)\n\n");
    md.append("| operator | bytes per key |\n|---|---:|\n");
    md.append("| UtrMatcher, per UTR | ").append(figures.get("bytes/UTR").show(0)).append(" |\n");
    md.append("| OrderMatcher, per order | ")
        .append(figures.get("bytes/order").show(0))
        .append(" |\n");
    md.append("| BalanceChainChecker, per account | ")
        .append(figures.get("bytes/account").show(0))
        .append(" |\n");
    md.append("| IpBurstDetector, per IP | ")
        .append(figures.get("bytes/IP").show(0))
        .append(" |\n\n");

    if (!micro.isEmpty()) {
      md.append("## Micro-benchmarks (JMH, one fork)\n\n");
      md.append(
          "Serde: one typical payment through the Confluent wire format. Detectors: the first 10,000 events"
              + " that reach each one, through Flink's keyed operator harness, watermark following the events;"
              + " time per event.\n\n");
      md.append("| benchmark | parameters | score |\n|---|---|---:|\n");
      micro.forEach(row -> md.append(row).append('\n'));
      md.append('\n');
    }

    md.append("## Targets\n\n");
    md.append("| target | measured | met |\n|---|---|---|\n");
    target(
        md,
        "riskstream ≥ 0.5× the limit",
        ratio(riskstream.median(), limit.median()) + "×",
        riskstream.median() >= 0.5 * limit.median());
    target(
        md,
        "riskstream ≥ 2× the SQL peer",
        ratio(riskstream.median(), peer.median()) + "×",
        riskstream.median() >= 2 * peer.median());
    target(
        md,
        "p99 ≤ 1 s beyond the rule's wait",
        figures.get("p99").show(0) + " ms",
        figures.get("p99").median() <= 1_000);
    target(
        md,
        "≤ 200 B of state per open UTR",
        figures.get("bytes/UTR").show(0) + " B",
        figures.get("bytes/UTR").median() <= 200);
    return md.toString();
  }

  private String disagreements() {
    StringBuilder md = new StringBuilder("They disagree; a few keys of each side:\n\n");
    agreement
        .byReason()
        .forEach(
            (reason, c) -> {
              c.onlyRiskstream().stream()
                  .limit(5)
                  .forEach(k -> md.append("- riskstream only: `").append(k).append("`\n"));
              c.onlyPeer().stream()
                  .limit(5)
                  .forEach(k -> md.append("- peer only: `").append(k).append("`\n"));
            });
    return md.append('\n').toString();
  }

  private static void target(StringBuilder md, String what, String measured, boolean met) {
    md.append("| ")
        .append(what)
        .append(" | ")
        .append(measured)
        .append(" | ")
        .append(met ? "yes" : "**no**")
        .append(" |\n");
  }

  private static String ratio(double a, double b) {
    return String.format(Locale.ROOT, "%.2f", a / b);
  }

  private static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / (1024.0 * 1024 * 1024));
  }

  private static long totalMemory() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize();
  }

  private static String commit() {
    try {
      Process git =
          new ProcessBuilder("git", "rev-parse", "--short", "HEAD")
              .redirectErrorStream(true)
              .start();
      String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return git.waitFor() == 0 ? out : "unknown (not a git checkout)";
    } catch (IOException | InterruptedException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }
}
