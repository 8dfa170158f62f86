package io.riskstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PhaseJvmTest {
  @Test
  void shouldReadWhatTheCompilerThreadsTookOfThisJvmsCpu() {
    long process = ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
    // This JVM has compiled JUnit and AssertJ's hot paths by now; 0 would mean /proc went unread.
    assertThat(PhaseJvm.compilerCpuNanos()).isPositive().isLessThanOrEqualTo(process);
  }
}
