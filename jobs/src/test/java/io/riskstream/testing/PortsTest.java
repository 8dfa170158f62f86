package io.riskstream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.testkit.Ports;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {
  @Test
  void shouldNeverGiveOutThePortItGaveBefore() {
    // Listeners asked for one after the other: the kernel hands a just-closed port out again often
    // enough that 2,000 asks without the check repeat one.
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < 2_000; i++) {
      assertThat(ports.add(Ports.free())).as("ask %d", i).isTrue();
    }
  }
}
