package io.riskstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.riskstream.config.RiskstreamConfig;
import io.riskstream.kafka.KafkaTopics;
import io.riskstream.testing.KafkaStack;
import io.riskstream.testing.KafkaTestSupport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A standalone {@code detect} keeps its control API to this machine: the REST API that cancels jobs
 * answers on 127.0.0.1 and refuses connections on the machine's other addresses.
 */
class LoopbackOnlyITCase {
  @RegisterExtension static final KafkaStack STACK = new KafkaStack();

  @Test
  void theLocalRestApiListensOnLoopbackOnly(@TempDir Path dir) throws Exception {
    List<InetAddress> others = new ArrayList<>();
    for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
      if (nic.isUp() && !nic.isLoopback()) {
        nic.inetAddresses().filter(a -> a instanceof Inet4Address).forEach(others::add);
      }
    }
    assumeFalse(others.isEmpty(), "no address but loopback to try from");
    RiskstreamConfig config = KafkaTestSupport.config(STACK.kafka(), STACK.registry());
    KafkaTopics.create(STACK.kafka().bootstrapServers(), config.topics(), 2);
    List<String> args =
        new ArrayList<>(List.of("detect", "--log-file", dir.resolve("d.log").toString()));
    for (String set : KafkaTestSupport.settings(STACK.kafka(), STACK.registry())) {
      args.addAll(List.of("--set", set));
    }

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    CompletableFuture<Integer> run =
        CompletableFuture.supplyAsync(() -> Riskstream.run(args.toArray(String[]::new)));
    try {
      Pattern started = Pattern.compile("job ([0-9a-f]{32}), web UI http://127\\.0\\.0\\.1:(\\d+)");
      Matcher job = null;
      for (int i = 0; i < 120 && (job == null || !job.find(0)); i++) {
        Thread.sleep(500);
        job = started.matcher(printed.toString(StandardCharsets.UTF_8));
      }
      assertThat(job.find(0)).as(printed.toString(StandardCharsets.UTF_8)).isTrue();
      int port = Integer.parseInt(job.group(2));
      HttpClient http = HttpClient.newHttpClient();

      assertThat(
              http.send(
                      HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/jobs"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(200);
      for (InetAddress other : others) {
        assertThatThrownBy(
                () -> {
                  try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(other, port), 2_000);
                  }
                })
            .as("the REST port from " + other)
            .isInstanceOf(IOException.class);
      }
      assertThat(
              http.send(
                      HttpRequest.newBuilder(
                              URI.create("http://127.0.0.1:" + port + "/jobmanager/config"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body())
          .contains("{\"key\":\"jobmanager.bind-host\",\"value\":\"127.0.0.1\"}")
          .contains("{\"key\":\"rest.bind-address\",\"value\":\"127.0.0.1\"}");

      http.send(
          HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + port + "/jobs/" + job.group(1) + "?mode=cancel"))
              .method("PATCH", HttpRequest.BodyPublishers.noBody())
              .build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(run.get(1, TimeUnit.MINUTES)).isEqualTo(1);
    } finally {
      System.setOut(stdout);
    }
  }
}
