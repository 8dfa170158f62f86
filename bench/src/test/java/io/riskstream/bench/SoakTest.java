package io.riskstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.ConfigOptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The soak phase on a few thousand keys; the real figures are in bench/README.md. */
class SoakTest {
  @Test
  void everyLoadedKeyIsOpenWithOneCleanupTimerAndEachCheckpointIsMeasured() throws Exception {
    for (String timers : new String[] {"heap", "rocksdb"}) {
      Soak soak = new Soak(new PrintStream(new ByteArrayOutputStream()));
      soak.utrs = 4_000;
      soak.orders = 3_000;
      soak.accounts = 200;
      soak.linesPerAccount = 5;
      soak.timers = timers;
      soak.slotMemory = timers.equals("heap") ? "unbounded" : "64mb";

      List<Soak.Figures> figures = soak.run();

      assertThat(figures)
          .extracting(Soak.Figures::state, Soak.Figures::keys, Soak.Figures::events)
          .containsExactly(
              tuple("UtrMatcher (by UTR)", 4_000L, 8_000L),
              tuple("OrderMatcher (by order)", 3_000L, 6_000L),
              tuple("BalanceChainChecker (by account)", 200L, 1_000L));
      for (Soak.Figures f : figures) {
        // Every decision is taken; what is left is one cleanup timer per open key.
        assertThat(f.timers()).as(timers + " " + f.state()).isEqualTo(f.keys());
        assertThat(f.freshEventsPerSecond()).isPositive();
        assertThat(f.steadyEventsPerSecond()).isPositive();
        assertThat(f.syncMillis()).isPositive();
        assertThat(f.checkpointBytes()).as(timers + " " + f.state()).isGreaterThan(f.keys() * 50);
      }
    }
  }

  @Test
  void aSetRocksDbKeyOverridesTheJobsSettingsAndAnyOtherKeyIsRefused() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine refusing = new CommandLine(new Soak(new PrintStream(new ByteArrayOutputStream())));
    refusing.setErr(new java.io.PrintWriter(err, true));
    assertThat(refusing.execute("--set", "pipeline.object-reuse=false")).isEqualTo(2);
    assertThat(err.toString())
        .contains("--set takes state.backend.rocksdb.KEY=VALUE")
        .contains("was pipeline.object-reuse=false");

    Soak soak = new Soak(new PrintStream(new ByteArrayOutputStream()));
    new CommandLine(soak)
        .parseArgs(
            "--set",
            "state.backend.rocksdb.use-bloom-filter=true",
            "--set",
            "state.backend.rocksdb.compression.per.level=NO_COMPRESSION");
    var rocksdb = soak.rocksdb(Path.of("/tmp/unused"));
    assertThat(rocksdb.get(option("state.backend.rocksdb.use-bloom-filter"))).isEqualTo("true");
    // The jobs' own compression, replaced.
    assertThat(rocksdb.get(option("state.backend.rocksdb.compression.per.level")))
        .isEqualTo("NO_COMPRESSION");
  }

  private static org.apache.flink.configuration.ConfigOption<String> option(String key) {
    return ConfigOptions.key(key).stringType().noDefaultValue();
  }
}
