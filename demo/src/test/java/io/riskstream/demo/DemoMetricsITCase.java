package io.riskstream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riskstream.avro.Alert;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo serves its metrics for Prometheus, and every series the Grafana dashboard ({@code
 * deploy/grafana/riskstream.json}) queries is among them, with the labels the panels group by.
 */
class DemoMetricsITCase {
  private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "riskstream.json");
  private static final Pattern SERIES = Pattern.compile("\\bflink_[A-Za-z0-9_]+");
  private static final Pattern SAMPLE =
      Pattern.compile("^([A-Za-z_:][A-Za-z0-9_:]*)(\\{.*})? (.+)$");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final String ALERTS =
      "flink_taskmanager_job_task_operator_riskstream_alerts_type_reason_severity_emitted";

  record Sample(String name, Map<String, String> labels, double value) {}

  @Test
  void everySeriesTheDashboardQueriesIsServedAndTheAlertCountsAreTheTopics(@TempDir Path work)
      throws Exception {
    Demo.Options options =
        new Demo.Options(
            Duration.ofSeconds(10), 200, 1, 0.05, Demo.freePort(0), Demo.freePort(0), work, true);
    AtomicReference<List<Sample>> scraped = new AtomicReference<>();
    AtomicReference<Map<String, Long>> committed = new AtomicReference<>();
    new Demo(options, new PrintStream(OutputStream.nullOutputStream()))
        .run(
            result -> {
              Map<String, Long> byTypeAndSeverity =
                  result.alerts().stream()
                      .collect(
                          Collectors.groupingBy(
                              DemoMetricsITCase::typeAndSeverity,
                              TreeMap::new,
                              Collectors.counting()));
              committed.set(byTypeAndSeverity);
              // The counters run ahead of the committed alerts by at most a checkpoint (2 s).
              long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
              do {
                scraped.set(scrape(result.metricsUrl()));
                if (emitted(scraped.get()).equals(byTypeAndSeverity)) {
                  break;
                }
                sleep();
              } while (System.nanoTime() < deadline);
            });

    Set<String> served =
        scraped.get().stream().map(Sample::name).collect(Collectors.toCollection(TreeSet::new));
    assertThat(served).containsAll(dashboardSeries());
    assertThat(committed.get()).isNotEmpty();
    assertThat(emitted(scraped.get())).isEqualTo(committed.get());
    // The notify job's counters exist per target before anything failed: "failed" is a 0, not a
    // gap.
    assertThat(
            scraped.get().stream()
                .filter(
                    s ->
                        s.name()
                            .equals(
                                "flink_taskmanager_job_task_operator_riskstream_notify_target_deadLettered"))
                .map(s -> s.labels().get("target") + "=" + s.value()))
        .containsExactly("telegram:_100200300=0.0");
  }

  /** Every {@code flink_*} series named in a panel's query. */
  private static Set<String> dashboardSeries() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
    Set<String> series = new TreeSet<>();
    for (JsonNode panel : dashboard.get("panels")) {
      for (JsonNode target : panel.path("targets")) {
        Matcher m = SERIES.matcher(target.get("expr").asText());
        while (m.find()) {
          series.add(m.group());
        }
      }
    }
    assertThat(series).hasSizeGreaterThan(20);
    return series;
  }

  /** The alerts counter summed per "TYPE/SEVERITY", shadow detectors left out. */
  private static Map<String, Long> emitted(List<Sample> samples) {
    Map<String, Long> counts = new TreeMap<>();
    for (Sample s : samples) {
      if (s.name().equals(ALERTS) && !s.labels().get("operator_name").contains("shadow")) {
        counts.merge(
            s.labels().get("type") + "/" + s.labels().get("severity"), (long) s.value(), Long::sum);
      }
    }
    counts.values().removeIf(n -> n == 0);
    return counts;
  }

  private static String typeAndSeverity(Alert alert) {
    return alert.getType() + "/" + alert.getSeverity();
  }

  private static List<Sample> scrape(String url) {
    try {
      String body =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      List<Sample> samples = new ArrayList<>();
      for (String line : body.split("\n")) {
        Matcher m = SAMPLE.matcher(line);
        if (line.startsWith("#") || !m.matches()) {
          continue;
        }
        Map<String, String> labels = new TreeMap<>();
        if (m.group(2) != null) {
          Matcher l = LABEL.matcher(m.group(2));
          while (l.find()) {
            labels.put(l.group(1), l.group(2));
          }
        }
        samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
      }
      return samples;
    } catch (Exception e) {
      throw new IllegalStateException("cannot scrape " + url, e);
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
