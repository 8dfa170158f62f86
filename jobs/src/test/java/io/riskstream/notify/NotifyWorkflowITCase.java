package io.riskstream.notify;

import static io.riskstream.notify.NotifyTestSupport.alert;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertStatus;
import io.riskstream.avro.AlertType;
import io.riskstream.avro.AlertUpdate;
import io.riskstream.avro.DailySummary;
import io.riskstream.avro.RuleUpdate;
import io.riskstream.avro.Severity;
import io.riskstream.backtest.Backtest;
import io.riskstream.io.EventJson;
import io.riskstream.testing.KafkaStack;
import io.riskstream.testkit.RecordingHttpServer;
import io.riskstream.testkit.RecordingHttpServer.Answer;
import io.riskstream.testkit.RecordingHttpServer.Request;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The notification workflow on a Flink MiniCluster against a real local HTTP server. */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NotifyWorkflowITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = KafkaStack.miniCluster(2);

  private static final String TOKEN = "123:test-token";
  private static final String SECRET =
      "whsec_"
          + Base64.getEncoder()
              .encodeToString("webhook-secret-key".getBytes(StandardCharsets.UTF_8));
  private static final String TELEGRAM = "/bot" + TOKEN + "/sendMessage";
  private static final String HOOK = "/hooks/ops";

  @TempDir Path dir;
  private RecordingHttpServer server;
  private NotifySettings settings;

  @BeforeEach
  void start() throws Exception {
    server = new RecordingHttpServer();
    Files.writeString(dir.resolve("token"), TOKEN);
    Files.writeString(dir.resolve("hook-secret"), SECRET);
    settings =
        NotifyTestSupport.settings(
            dir,
            """
        telegram: {base-url: "%1$s", token-file: "%2$s/token"}
        routes:
          - name: default
            min-severity: HIGH
            telegram-chats: ["-100"]
          - name: merchant-7
            merchants: [M-7]
            min-severity: LOW
            webhooks: [{name: ops, url: "%1$s/hooks/ops", secret-file: "%2$s/hook-secret"}]
        delivery: {max-attempts: 4, initial-backoff: 100 ms, max-backoff: 500 ms, timeout: 1 s, dedup-ttl: 1 d}
        rate-limits:
          per-chat: {messages: 100, per: 1 s}
          per-group: {messages: 25, per: 1 s}
          per-bot: {messages: 30, per: 1 s}
        """
                .formatted(server.url(), dir));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private List<Delivery> run(List<Alert> alerts) throws Exception {
    return run(alerts, List.of(), List.of());
  }

  private List<Delivery> run(
      List<Alert> alerts, List<DailySummary> days, List<RuleUpdate> ruleUpdates) throws Exception {
    return run(alerts, env -> stream(env, List.of(), AlertUpdate.class), days, ruleUpdates);
  }

  private List<Delivery> run(
      List<Alert> alerts,
      java.util.function.Function<StreamExecutionEnvironment, DataStream<AlertUpdate>> updates,
      List<DailySummary> days,
      List<RuleUpdate> ruleUpdates)
      throws Exception {
    return run(alerts, updates, List.of(), days, ruleUpdates).deliveries();
  }

  /** What a run gave: its deliveries, and the updates Telegram commands made. */
  private record Result(List<Delivery> deliveries, List<AlertUpdate> commanded) {}

  private Result run(
      List<Alert> alerts,
      java.util.function.Function<StreamExecutionEnvironment, DataStream<AlertUpdate>> updates,
      List<ChatCommand> commands,
      List<DailySummary> days,
      List<RuleUpdate> ruleUpdates)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    NotifyWorkflow.Outputs out =
        NotifyWorkflow.define(
            stream(env, alerts, Alert.class),
            updates.apply(env),
            stream(env, days, DailySummary.class),
            stream(env, ruleUpdates, RuleUpdate.class),
            commands.isEmpty()
                ? Backtest.nothing(
                    env, org.apache.flink.api.common.typeinfo.TypeInformation.of(ChatCommand.class))
                // As in production, people answer an alert once it reached them.
                : env.fromData(commands)
                    .map(
                        new AfterTheAlertWentOut<>(),
                        org.apache.flink.api.common.typeinfo.TypeInformation.of(ChatCommand.class)),
            settings);
    List<Delivery> deliveries = new ArrayList<>();
    List<AlertUpdate> commanded = new ArrayList<>();
    try (CloseableIterator<Delivery> sent = out.deliveries().collectAsync();
        CloseableIterator<AlertUpdate> written = out.commanded().collectAsync()) {
      env.execute("notify-it");
      sent.forEachRemaining(deliveries::add);
      written.forEachRemaining(commanded::add);
    }
    return new Result(deliveries, commanded);
  }

  @Test
  void shouldTurnAllowedCommandsIntoUpdatesAndAnswerTheOthers() throws Exception {
    settings =
        new NotifySettings(
            new NotifySettings.Telegram(
                settings.telegram().baseUrl(),
                null,
                settings.telegram().tokenFile(),
                new NotifySettings.Commands(
                    List.of(new NotifySettings.Allow("-100", List.of("asha"))), null)),
            settings.routes(),
            settings.thresholds(),
            settings.delivery(),
            settings.rateLimits());
    Alert a1 = alert("a1", AlertType.FORGED_UTR, "NO_BANK_RECORD", Severity.HIGH, "M-1");
    current = server;

    Result result =
        run(
            List.of(a1),
            env -> stream(env, List.of(), AlertUpdate.class),
            List.of(
                new ChatCommand(1, "-100", 501, "11", "asha", "/resolve a1 bank line found"),
                new ChatCommand(2, "-100", 502, "12", "bob", "/ack a1"),
                new ChatCommand(3, "-100", 503, "11", "asha", "/ack nope")),
            List.of(),
            List.of());

    assertThat(result.commanded())
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.getAlertId()).isEqualTo("a1");
              assertThat(u.getStatus()).isEqualTo(AlertStatus.RESOLVED);
              assertThat(u.getActor()).isEqualTo("telegram:@asha");
              assertThat(u.getNote()).isEqualTo("bank line found");
            });
    List<String> replies = new ArrayList<>();
    for (Request r : server.requests(TELEGRAM)) {
      var body = EventJson.MAPPER.readTree(r.body());
      if (body.has("reply_to_message_id")) {
        replies.add(body.path("reply_to_message_id").asLong() + " " + body.path("text").asText());
      }
    }
    assertThat(replies)
        .containsExactlyInAnyOrder(
            "502 @bob may not acknowledge or resolve alerts from this chat; the routes file's"
                + " telegram.commands.allow says who may",
            "503 no alert nope is known here (alerts of the last 1 d): check the id");
  }

  @Test
  void shouldRouteByMerchantAndSeverityOnceEachAndSignWebhooks() throws Exception {
    Alert high = alert("a1", AlertType.FORGED_UTR, "NO_BANK_RECORD", Severity.HIGH, "M-1");
    List<Delivery> deliveries =
        run(
            List.of(
                high,
                alert("a2", AlertType.AMOUNT_MISMATCH, "OVERPAID", Severity.MEDIUM, "M-1"),
                alert("a3", AlertType.LARGE_AMOUNT, "PAYMENT_OVER_LIMIT", Severity.LOW, "M-7"),
                alert("a4", AlertType.DUPLICATE_PAYMENT, "UTR_REUSED", Severity.CRITICAL, "M-7"),
                high));

    assertThat(deliveries).allMatch(d -> d.delivered).hasSize(3);
    assertThat(server.requests(TELEGRAM))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.body())
                  .contains("\"chat_id\":\"-100\"")
                  .contains("alert a1")
                  .contains("ra****@okhdfc")
                  .doesNotContain("rajesh.kumar")
                  .doesNotContain("WA-CW-1001");
            });
    List<Request> hooks = server.requests(HOOK);
    assertThat(hooks)
        .extracting(r -> r.header("webhook-id"))
        .containsExactlyInAnyOrder(
            ThresholdGate.id("webhook:ops", "a3"), ThresholdGate.id("webhook:ops", "a4"));
    for (Request hook : hooks) {
      // Verified as a receiver would, with the JDK's HMAC, not with the code that signed it.
      String signed =
          hook.header("webhook-id") + "." + hook.header("webhook-timestamp") + "." + hook.body();
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(
          new SecretKeySpec("webhook-secret-key".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      assertThat(hook.header("webhook-signature"))
          .isEqualTo(
              "v1,"
                  + Base64.getEncoder()
                      .encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8))));
      assertThat(hook.body()).contains("\"account_id\":\"****1001\"");
    }
  }

  /** The server of the running test, for {@link AfterTheAlertWentOut}. */
  private static volatile RecordingHttpServer current;

  /**
   * Holds each update until the Bot API has answered the alert's own message: the follow-up is then
   * a reply to it, as it is in production where an update comes long after its alert.
   */
  private static final class AfterTheAlertWentOut<T>
      implements org.apache.flink.api.common.functions.MapFunction<T, T> {
    @Override
    public T map(T update) throws Exception {
      while (current.requests(TELEGRAM).isEmpty()) {
        Thread.sleep(50);
      }
      Thread.sleep(1_000); // the answer reaches the delivery operator
      return update;
    }
  }

  @Test
  void shouldReplyInTelegramAndPostToWebhooksWhenAnAlertIsUpdated() throws Exception {
    current = server;
    server.script(
        TELEGRAM,
        Answer.status(200, "{\"ok\":true,\"result\":{\"message_id\":41,\"chat\":{\"id\":-100}}}"));
    Alert a1 = alert("a1", AlertType.FORGED_UTR, "NO_BANK_RECORD", Severity.HIGH, "M-1");
    Alert a7 = alert("a7", AlertType.FORGED_UTR, "NO_BANK_RECORD", Severity.HIGH, "M-7");
    AlertUpdate resolved =
        AlertUpdate.newBuilder()
            .setAlertId("a1")
            .setStatus(AlertStatus.RESOLVED)
            .setReason("EVIDENCE_ARRIVED")
            .setNote("BILL B-1 of 2026-11-21T19:00:00Z arrived after the deadline")
            .setActor(null)
            .setEvidence(
                List.of(
                    new io.riskstream.avro.Evidence(
                        io.riskstream.avro.EvidenceSource.BILL,
                        "B-1",
                        java.time.Instant.parse("2026-11-21T19:00:00Z"))))
            .setEventTime(java.time.Instant.parse("2026-11-21T19:00:00Z"))
            .setUpdatedAt(java.time.Instant.parse("2026-11-21T19:00:01Z"))
            .build();
    AlertUpdate retracted =
        AlertUpdate.newBuilder(resolved)
            .setAlertId("a7")
            .setStatus(AlertStatus.RETRACTED)
            .setReason("LATE_EVIDENCE")
            .setNote("BILL B-7 arrived after the decision but falls within it")
            .build();

    List<Delivery> deliveries =
        run(
            List.of(a1, a7),
            env ->
                env.fromData(
                        List.of(resolved, resolved, retracted, retracted),
                        new AvroTypeInfo<>(AlertUpdate.class))
                    .map(new AfterTheAlertWentOut<>(), new AvroTypeInfo<>(AlertUpdate.class)),
            List.of(),
            List.of());

    assertThat(deliveries).allMatch(d -> d.delivered).hasSize(4);
    List<Request> telegram = server.requests(TELEGRAM);
    assertThat(telegram).hasSize(2);
    var original = EventJson.MAPPER.readTree(telegram.get(0).body());
    var reply = EventJson.MAPPER.readTree(telegram.get(1).body());
    assertThat(original.has("reply_to_message_id")).isFalse();
    assertThat(reply.path("chat_id").asText()).isEqualTo("-100");
    assertThat(reply.path("reply_to_message_id").asLong()).isEqualTo(41);
    assertThat(reply.path("text").asText())
        .isEqualTo(
            "RESOLVED · FORGED_UTR / NO_BANK_RECORD\n"
                + "the missing evidence arrived: BILL B-1 of 2026-11-21T19:00:00Z arrived after the"
                + " deadline\nalert a1");
    List<Request> hooks = server.requests(HOOK);
    String followUp =
        ThresholdGate.id("webhook:ops", "a7|RETRACTED|" + retracted.getUpdatedAt().toEpochMilli());
    assertThat(hooks)
        .extracting(r -> r.header("webhook-id"))
        .containsExactlyInAnyOrder(ThresholdGate.id("webhook:ops", "a7"), followUp);
    var event =
        EventJson.MAPPER.readTree(
            hooks.stream()
                .filter(r -> r.header("webhook-id").equals(followUp))
                .findFirst()
                .orElseThrow()
                .body());
    assertThat(event.path("kind").asText()).isEqualTo("update");
    assertThat(event.path("alert_id").asText()).isEqualTo("a7");
    assertThat(event.path("update").path("status").asText()).isEqualTo("RETRACTED");
    assertThat(event.path("update").path("reason").asText()).isEqualTo("LATE_EVIDENCE");
    assertThat(event.path("update").path("evidence").get(0).path("id").asText()).isEqualTo("B-1");
  }

  private static <T extends org.apache.avro.specific.SpecificRecordBase> DataStream<T> stream(
      StreamExecutionEnvironment env, List<T> records, Class<T> type) {
    return records.isEmpty()
        ? Backtest.nothing(env, new AvroTypeInfo<>(type))
        : env.fromData(records, new AvroTypeInfo<>(type));
  }

  private static DailySummary day(String merchant, String text) {
    return DailySummary.newBuilder()
        .setDay(java.time.LocalDate.parse("2026-11-21"))
        .setMerchantId(merchant)
        .setSummary(text)
        .setAlertsCount(3)
        .setEventTime(java.time.Instant.parse("2026-11-21T19:00:00Z"))
        .build();
  }

  @Test
  void shouldSendEachDailySummaryOnceToItsMerchantsRoutesWhateverTheirSeverity() throws Exception {
    DailySummary m7 = day("M-7", "2026-11-21 · M-7: collections ₹1,000.00 (1)");
    DailySummary lines =
        day(null, "2026-11-21 · bank and ledger lines: bank credits ₹1,000.00 (1)");

    List<Delivery> deliveries = run(List.of(), List.of(m7, lines, m7), List.of());

    assertThat(deliveries).allMatch(d -> d.delivered).hasSize(2);
    assertThat(server.requests(TELEGRAM))
        .singleElement()
        .satisfies(r -> assertThat(r.body()).contains("bank and ledger lines").contains("-100"));
    assertThat(server.requests(HOOK))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.header("webhook-id"))
                  .isEqualTo(ThresholdGate.id("webhook:ops", "daily|2026-11-21|M-7"));
              assertThat(r.body())
                  .contains("\"kind\":\"daily_summary\"")
                  .contains("\"day\":\"2026-11-21\"")
                  .contains("\"merchant_id\":\"M-7\"")
                  .contains("collections ₹1,000.00 (1)");
            });
  }

  private static RuleUpdate rule(int version, String settings) {
    return RuleUpdate.newBuilder()
        .setRuleId("large-amount")
        .setVersion(version)
        .setMode(io.riskstream.avro.RuleMode.ACTIVE)
        .setSettings(settings)
        .setEffectiveFrom(java.time.Instant.parse("2026-12-01T18:30:00Z"))
        .setAuthor("priya")
        .setReason("M-7 chargebacks")
        .setCreatedAt(java.time.Instant.parse("2026-12-01T10:00:00Z"))
        .build();
  }

  @Test
  void shouldTellTheDefaultRouteOnceWhatEachRuleVersionChanges() throws Exception {
    RuleUpdate v2 = rule(2, "limit: 100000.00\nmerchants:\n  M-7: {limit: 100000.00}\n");
    RuleUpdate v3 = rule(3, "limit: 100000.00\nmerchants:\n  M-7: {limit: 75000.00}\n");

    List<Delivery> deliveries = run(List.of(), List.of(), List.of(v2, v3, v3));

    assertThat(deliveries).allMatch(d -> d.delivered).hasSize(2);
    assertThat(server.requests(TELEGRAM))
        .extracting(Request::body)
        .anySatisfy(
            body ->
                assertThat(body)
                    .contains(
                        "large-amount v3 ACTIVE by priya (M-7 chargebacks): for M-7: limit"
                            + " 100000.00 → 75000.00, effective 2026-12-01T18:30:00Z"));
    assertThat(server.requests(HOOK)).as("the merchant route is not told").isEmpty();
  }

  @Test
  void shouldRetryServerErrorsAndTimeoutsAndDeliverOnce() throws Exception {
    server.script(TELEGRAM, Answer.status(500, "{\"ok\":false}"), Answer.slow(2_000));

    List<Delivery> deliveries =
        run(List.of(alert("a1", AlertType.FORGED_UTR, "NO_BANK_RECORD", Severity.HIGH, "M-1")));

    assertThat(deliveries)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.delivered).isTrue();
              assertThat(d.attempts).isEqualTo(3);
            });
    assertThat(server.requests(TELEGRAM)).hasSize(3);
  }

  @Test
  void shouldWaitAsLongAsA429Says() throws Exception {
    server.script(
        TELEGRAM,
        Answer.status(
            429,
            "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: retry after 3\","
                + "\"parameters\":{\"retry_after\":3}}"));

    run(List.of(alert("a1", AlertType.FORGED_UTR, "NO_BANK_RECORD", Severity.HIGH, "M-1")));

    List<Request> tries = server.requests(TELEGRAM);
    assertThat(tries).hasSize(2);
    long gap = tries.get(1).receivedAt() - tries.get(0).receivedAt();
    System.out.printf("429 with retry_after 3: the next try came %,d ms later%n", gap);
    assertThat(gap).isGreaterThanOrEqualTo(3_000);
  }

  @Test
  void shouldSpreadAGroupsMessagesWithinItsRateLimit() throws Exception {
    List<Alert> alerts = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      alerts.add(alert("r" + i, AlertType.FORGED_UTR, "NO_BANK_RECORD", Severity.HIGH, "M-1"));
    }

    List<Delivery> deliveries = run(alerts);

    // The group limit scaled from 20 per minute to 25 per second, so that the test takes seconds.
    assertThat(deliveries).hasSize(100).allMatch(d -> d.delivered);
    List<Long> times =
        server.requests(TELEGRAM).stream().map(Request::receivedAt).sorted().toList();
    assertThat(times).hasSize(100);
    int busiestSecond = 0;
    for (int i = 0, j = 0; i < times.size(); i++) {
      while (times.get(i) - times.get(j) >= 1_000) {
        j++;
      }
      busiestSecond = Math.max(busiestSecond, i - j + 1);
    }
    System.out.printf(
        "100 messages to one group (limit 25/s): spread over %,d ms, at most %d in any second%n",
        times.get(99) - times.get(0), busiestSecond);
    // As the receiver counts, by arrival. Without the limit all 100 arrive within a few hundred ms;
    // without the limiter's jitter margin the tail of one burst and the head of the next meet.
    assertThat(busiestSecond).isLessThanOrEqualTo(25);
  }

  @Test
  void shouldReportAPermanentFailureWithItsError() throws Exception {
    server.script(HOOK, Answer.status(400, "{\"error\":\"unknown route\"}"));

    List<Delivery> deliveries =
        run(
            List.of(
                alert("a1", AlertType.LARGE_AMOUNT, "PAYMENT_OVER_LIMIT", Severity.LOW, "M-7")));

    assertThat(deliveries)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.delivered).isFalse();
              assertThat(d.attempts).isEqualTo(1);
              assertThat(d.lastError).isEqualTo("400 {\"error\":\"unknown route\"}");
            });
  }
}
