package io.riskstream.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Ports for the servers a test starts. */
public final class Ports {
  private Ports() {}

  /**
   * A port free at the moment of asking, for a server that must be told its port before it starts
   * (KRaft's listeners, a Flink cluster's RPC and REST ports).
   */
  public static int free() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free local port", e);
    }
  }
}
