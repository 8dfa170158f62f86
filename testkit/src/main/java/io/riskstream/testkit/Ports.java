package io.riskstream.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Ports for the servers a test starts. */
public final class Ports {
  private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

  private Ports() {}

  /**
   * A port free at the moment of asking, for a server that must be told its port before it starts
   * (KRaft's listeners, a Flink cluster's RPC and REST ports).
   */
  public static int free() {
    // The kernel may hand the port just closed out again: a broker's listeners asked for one after
    // the other once got the same port and refused to start. A port is given once per JVM.
    for (int attempt = 0; attempt < 100; attempt++) {
      try (ServerSocket socket = new ServerSocket(0)) {
        socket.setReuseAddress(true);
        if (GIVEN.add(socket.getLocalPort())) {
          return socket.getLocalPort();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("no free local port", e);
      }
    }
    throw new IllegalStateException("no local port free that was not given out before");
  }
}
