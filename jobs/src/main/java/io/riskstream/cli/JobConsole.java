package io.riskstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.client.JobCancellationException;
import org.apache.flink.util.ExceptionUtils;
import org.apache.flink.util.TimeUtils;

/**
 * The status line of a job running on a local cluster, read from Flink's REST API (what the web UI
 * shows): events read by the sources, the job's output, dead letters, the age of the last completed
 * checkpoint and how far the slowest operator's watermark is behind the clock, shown on a {@link
 * LiveLine}.
 */
final class JobConsole {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String web;
  private final JobClient job;
  private final String outputLabel;
  private final Predicate<String> output;
  private final LiveLine line;
  private final PrintStream out;

  JobConsole(
      String web,
      JobClient job,
      String outputLabel,
      Predicate<String> output,
      LiveLine line,
      PrintStream out) {
    this.web = web;
    this.job = job;
    this.outputLabel = outputLabel;
    this.output = output;
    this.line = line;
    this.out = out;
  }

  /**
   * Looks at the job every {@code every} and prints its status when the line is due, until the job
   * ends; a failed job is a {@link JobFailed}.
   */
  void watch(Duration every) throws InterruptedException {
    long began = System.nanoTime();
    CompletableFuture<JobExecutionResult> result = job.getJobExecutionResult();
    String last = null;
    while (true) {
      try {
        result.get(every.toMillis(), TimeUnit.MILLISECONDS);
        break;
      } catch (TimeoutException running) {
        String status = line.due() ? status() : null;
        if (status != null) {
          line.show(status);
          last = status;
        }
      } catch (ExecutionException e) {
        line.end();
        if (ExceptionUtils.findThrowable(e, JobCancellationException.class).isPresent()) {
          throw new JobFailed("the job was cancelled");
        }
        throw new JobFailed(
            "the job failed (its log has the details): "
                + ExceptionUtils.findThrowable(e, t -> t.getCause() == null)
                    .map(Throwable::toString)
                    .orElse(e.toString()));
      }
    }
    line.end();
    out.println(
        "finished after "
            + rounded(Duration.ofNanos(System.nanoTime() - began))
            + (last == null ? "" : "; last status: " + last));
  }

  /** One status line, or null while the REST API does not answer (starting, or gone). */
  String status() {
    try {
      String jobPath = "/jobs/" + job.getJobID();
      long in = 0;
      long produced = 0;
      long deadLetters = 0;
      long slowestWatermark = Long.MAX_VALUE;
      for (JsonNode vertex : get(jobPath).path("vertices")) {
        String name = vertex.path("name").asText();
        String path = jobPath + "/vertices/" + vertex.path("id").asText();
        List<String> wanted = new ArrayList<>();
        for (JsonNode metric : get(path + "/subtasks/metrics")) {
          String id = metric.path("id").asText();
          if (id.matches("Source__[^.]*\\.numRecordsIn")
              || id.endsWith(".riskstream.deadLetters")
              || (id.equals("numRecordsIn") && output.test(name))) {
            wanted.add(id);
          }
        }
        if (!wanted.isEmpty()) {
          String query =
              URLEncoder.encode(String.join(",", wanted), StandardCharsets.UTF_8) + "&agg=sum";
          for (JsonNode value : get(path + "/subtasks/metrics?get=" + query)) {
            String id = value.path("id").asText();
            long sum = (long) value.path("sum").asDouble();
            if (id.endsWith(".riskstream.deadLetters")) {
              deadLetters += sum;
            } else if (id.equals("numRecordsIn")) {
              produced += sum;
            } else {
              in += sum;
            }
          }
        }
        if (!name.startsWith("Source:")) {
          for (JsonNode subtask : get(path + "/watermarks")) {
            long watermark = subtask.path("value").asLong(Long.MIN_VALUE);
            if (watermark > Long.MIN_VALUE) {
              slowestWatermark = Math.min(slowestWatermark, watermark);
            }
          }
        }
      }
      JsonNode latest = get(jobPath + "/checkpoints").path("latest").path("completed");
      long now = System.currentTimeMillis();
      return LocalTime.now().format(CLOCK)
          + "  in "
          + String.format("%,d", in)
          + " · "
          + outputLabel
          + " "
          + String.format("%,d", produced)
          + " · dead letters "
          + String.format("%,d", deadLetters)
          + " · "
          + (latest.isObject()
              ? "checkpoint "
                  + latest.path("id").asLong()
                  + " "
                  + rounded(Duration.ofMillis(now - latest.path("latest_ack_timestamp").asLong()))
                  + " ago"
              : "no checkpoint yet")
          + " · "
          + (slowestWatermark == Long.MAX_VALUE
              ? "no watermark yet"
              : "watermark lag " + rounded(Duration.ofMillis(Math.max(0, now - slowestWatermark))));
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** A duration to its largest whole unit, as Flink and the docs write it: 4 s, 3 min, 11 d. */
  static String rounded(Duration d) {
    Duration unit =
        d.compareTo(Duration.ofDays(1)) >= 0
            ? Duration.ofDays(1)
            : d.compareTo(Duration.ofHours(1)) >= 0
                ? Duration.ofHours(1)
                : d.compareTo(Duration.ofMinutes(1)) >= 0
                    ? Duration.ofMinutes(1)
                    : Duration.ofSeconds(1);
    Duration whole = unit.multipliedBy(d.dividedBy(unit));
    return whole.isZero() ? "0 s" : TimeUtils.formatWithHighestUnit(whole);
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(web + path)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("HTTP " + response.statusCode() + " for " + path);
    }
    return JSON.readTree(response.body());
  }

  /** A job that ended in failure: one line, exit code 1, the details in the log. */
  static final class JobFailed extends RuntimeException {
    JobFailed(String message) {
      super(message);
    }
  }
}
