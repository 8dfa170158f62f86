package io.riskstream.bench;

import static java.util.stream.Collectors.joining;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.util.TimeUtils;

/** bench/RESULTS.md: the machine, the commit, every figure as median (min–max), the ratios. */
record Report(
    Bench bench,
    Workload workload,
    double generateSeconds,
    double loadSeconds,
    Agreement agreement,
    Map<String, Figure> figures,
    List<String> micro) {

  /**
   * The latency runs' load: {@code fixed} formatted with --latency-rate if given, else {@code
   * half}.
   */
  private String latencyAt(String fixed, String half) {
    return bench.latencyRate > 0 ? fixed.formatted(bench.latencyRate) : half;
  }

  private String checkpoints() {
    return TimeUtils.formatWithHighestUnit(bench.checkpointInterval);
  }

  String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# riskstream benchmark results\n\n");
    md.append("Written by the harness (`bench/README.md`), not by hand. Reproduce with:\n\n```\n")
        .append("mvn -B -q -DskipTests package\n")
        .append(
            "java -jar bench/target/riskstream-bench.jar --events %d --warm-ups %d --runs %d --parallelism %d --latency-seconds %d"
                .formatted(
                    bench.events,
                    bench.warmUps,
                    bench.runs,
                    bench.parallelism,
                    bench.latencySeconds))
        .append(latencyAt(" --latency-rate %.0f", ""))
        .append(bench.sets.stream().map(set -> " --set '" + set + "'").collect(joining()))
        .append("\n```\n\n");
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
        .append(", each phase's heap fixed at ")
        .append(Bench.PHASE_HEAP)
        .append(" (-Xms = -Xmx)")
        .append(" |\n");
    md.append(
        ("| workload | %,d events (%,d payments, %,d bills, %,d balance changes), seed %d, 2%% fraud,"
                + " %,.1f events per second of event time (a scenario every %s on average) |\n")
            .formatted(
                workload.size(),
                workload.traffic().payments().size(),
                workload.traffic().bills().size(),
                workload.traffic().balanceChanges().size(),
                bench.seed,
                workload.eventsPerSecond(),
                TimeUtils.formatWithHighestUnit(bench.caseGap)));
    md.append(
        ("| setup | embedded KRaft broker and registry in a child JVM on the same machine; each"
                + " phase's Flink mini cluster in a JVM of its own, kept for every run (the decode"
                + " limit in the harness's), parallelism %d, RocksDB with %s per slot in every job,"
                + " checkpoints every %s, EXACTLY_ONCE alert sink; %d warm-up runs of every phase over"
                + " the whole workload, not recorded, then %d runs |\n")
            .formatted(
                bench.parallelism, Bench.SLOT_MEMORY, checkpoints(), bench.warmUps, bench.runs));
    md.append("| load average (1 min) before each run | ")
        .append(figures.get("load average").values(2))
        .append(" |\n");
    md.append(
        "| generate / load | %.1f s / %.1f s (%,.0f events/s into Kafka) |\n\n"
            .formatted(generateSeconds, loadSeconds, workload.size() / loadSeconds));

    md.append("## Throughput (median of runs, min–max)\n\n");
    md.append(
        "Every figure is per event of the workload (%,d events in three topics), whatever a pipeline"
                .formatted(workload.size())
            + " reads, and runs from the moment its first record moved to its last commit, as a"
            + " deployed job runs once started: events/s is the workload over that wall time; CPU is"
            + " the process CPU time of the phase's JVM (its mini cluster) and the broker's JVM over"
            + " it. JIT is the share of the phase's JVM's CPU its JIT compiler threads took then: near"
            + " 0 when its code was compiled in the warm-up, as a long-running job's is. Start is the"
            + " time from submission to the first record (the mini cluster's start, the job's"
            + " deployment, its sources finding their partitions), which the last column's rate"
            + " includes. The phases run in the order of the table, each on a fresh mini cluster,"
            + " after a full garbage collection.\n\n");
    md.append(
        "| pipeline | reads | events/s | CPU µs per event | JIT, % of CPU | start, s |"
            + " events/s with the start |\n"
            + "|---|---|---:|---:|---:|---:|---:|\n");
    row(md, "riskstream `detect`, RocksDB (as deployed)", "all three topics", "riskstream");
    row(md, "riskstream `detect`, heap backend", "all three topics", "riskstream-heap");
    row(
        md,
        "skeleton: the same sources, key-bys, union and exactly-once sink; no-op detectors",
        "all three topics",
        "skeleton");
    row(
        md,
        "state floor: the same graph; each detector reads and writes one value per event and"
            + " forgets its key with one timer",
        "all three topics",
        "floor");
    row(md, "state floor, heap backend", "all three topics", "floor-heap");
    row(md, "fair Flink SQL peer (4 of riskstream's rules)", "payments and bills", "peer");
    row(
        md,
        "decode limit: bare KafkaConsumers, decode only (information)",
        "all three topics",
        "limit");
    md.append("\nAlerts per riskstream run: ")
        .append(figures.get("alerts").show(0))
        .append(".\n\n");

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
    md.append(
        "In every run riskstream raised the same alerts (by alert id) on the heap backend as on"
            + " RocksDB, and the skeleton and the state floor none: the harness stops otherwise.\n\n");

    md.append("## Latency at ").append(latencyAt("%,.0f events/s", "half the measured rate"));
    md.append("\n\n");
    md.append(
        "Alert emitted (its record's timestamp) minus the moment its rule could first decide: when every input"
            + " partition had been written past the alert's decision time plus the 1 min disorder bound. A"
            + " read_committed consumer (every reader of the alert topic) receives it when the checkpoint"
            + " after it commits (every "
            + checkpoints()
            + "): the second column times the same alerts as one, polling through the run, first"
            + " received them.\n\n");
    md.append("| | emitted, ms | received read_committed, ms |\n|---|---:|---:|\n");
    for (String name : new String[] {"p50", "p99"}) {
      md.append(
          "| %s | %s | %s |\n"
              .formatted(
                  name, figures.get(name).show(0), figures.get("read_committed " + name).show(0)));
    }
    md.append("| max | ").append(figures.get("max").show(0)).append(" | |\n");
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
        .append(" |\n");
    md.append("| LedgerPendingDetector, per ledger line (most are forgotten once settled) | ")
        .append(figures.get("bytes/ledger line").show(0))
        .append(" |\n\n");

    if (!micro.isEmpty()) {
      md.append("## Micro-benchmarks (JMH, one fork)\n\n");
      md.append(
          "Serde: one typical payment through the Confluent wire format. Detectors: the first 10,000 events"
              + " that reach each one, through Flink's keyed operator harness, watermark following the events;"
              + " time per event. Shuffle: one record from one operator to the next, with Flink's Avro"
              + " serializer or the field-by-field one the state uses.\n\n");
      md.append("| benchmark | parameters | score |\n|---|---|---:|\n");
      micro.forEach(row -> md.append(row).append('\n'));
      md.append('\n');
    }

    md.append("## Targets (same-run ratios: the median of each run's ratio, min–max)\n\n");
    md.append("| target | measured | met |\n|---|---|---|\n");
    target(md, "riskstream / skeleton ≥ 0.5", figures.get("riskstream/skeleton"), "", 0.5, true);
    target(md, "riskstream on RocksDB / on heap ≥ 0.6", figures.get("rocksdb/heap"), "", 0.6, true);
    target(md, "riskstream / fair SQL peer ≥ 3", figures.get("riskstream/peer"), "", 3, true);
    target(md, "riskstream CPU ≤ 60 µs per event", figures.get("riskstream cpu"), " µs", 60, false);
    target(
        md,
        "p99 ≤ 250 ms beyond the rule's wait, at "
            + latencyAt("%,.0f events/s", "half the measured rate"),
        figures.get("p99"),
        " ms",
        250,
        false);
    target(md, "≤ 200 B of state per open UTR", figures.get("bytes/UTR"), " B", 200, false);

    md.append("\n## What keyed state on RocksDB leaves (information)\n\n");
    md.append(
        "The state floor keeps the least state a detector that joins events by key can: one value"
            + " per key, read and written with every event, and one timer per key to forget it."
            + " Detectors that remember every event they read by its key and forget keys in event"
            + " time, as riskstream's do, do at least that much, so its ratio to the skeleton bounds"
            + " riskstream's; its ratio on RocksDB to on the heap is what the backend costs state that"
            + " is nothing but keys and timers.\n\n");
    md.append("| ratio | measured |\n|---|---|\n");
    md.append("| state floor / skeleton: the most that detectors keeping state reach | ")
        .append(figures.get("floor/skeleton").show(2))
        .append(" |\n");
    md.append("| state floor on RocksDB / on heap: what RocksDB costs the least state | ")
        .append(figures.get("floor rocksdb/heap").show(2))
        .append(" |\n");
    md.append("| riskstream / state floor: what the rules cost beyond the least state | ")
        .append(figures.get("riskstream/floor").show(2))
        .append(" |\n");
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

  /** A target met when the median is at least (or at most) {@code bound}. */
  private static void target(
      StringBuilder md, String what, Figure measured, String unit, double bound, boolean atLeast) {
    boolean met = atLeast ? measured.median() >= bound : measured.median() <= bound;
    md.append("| ")
        .append(what)
        .append(" | ")
        .append(measured.show(atLeast ? 2 : 0))
        .append(unit)
        .append(" | ")
        .append(met ? "yes" : "**no**")
        .append(" |\n");
  }

  private void row(StringBuilder md, String pipeline, String reads, String phase) {
    md.append("| ")
        .append(pipeline)
        .append(" | ")
        .append(reads)
        .append(" | ")
        .append(figures.get(phase).show(0))
        .append(" | ")
        .append(figures.get(phase + " cpu").show(0))
        .append(" | ")
        .append(figures.get(phase + " jit").show(0))
        .append(" | ")
        .append(figures.get(phase + " start").show(2))
        .append(" | ")
        .append(figures.get(phase + " whole").show(0))
        .append(" |\n");
  }

  private static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / (1024.0 * 1024 * 1024));
  }

  private static long totalMemory() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize();
  }

  /**
   * The commit the harness was built from (the jar's build info, with "-dirty" for uncommitted
   * changes); {@code git} in the working directory only for a build without it: a jar built from
   * another checkout must not report this one's.
   */
  private static String commit() {
    try (var in = io.riskstream.cli.Riskstream.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        java.util.Properties build = new java.util.Properties();
        build.load(in);
        String id = build.getProperty("git.commit.id.abbrev");
        if (id != null) {
          return id + ("true".equals(build.getProperty("git.dirty")) ? "-dirty" : "");
        }
      }
    } catch (IOException e) {
      // fall back to the working directory's checkout
    }
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
