package io.riskstream.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.AlertStatus;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * {@code /ack} and {@code /resolve} from Telegram (docs/notify.md): only from the allow list's
 * chats and users, with the sender as actor; everyone else gets a reply saying they may not.
 */
class TelegramCommandsTest {
  private static final NotifySettings.Commands COMMANDS =
      new NotifySettings.Commands(
          List.of(
              new NotifySettings.Allow("-100", List.of("asha", "@Ravi", "555")),
              new NotifySettings.Allow("-200", null)),
          null);

  private static ChatCommand from(
      long update, String chat, String userId, String name, String text) {
    return new ChatCommand(update, chat, 7_000 + update, userId, name, text);
  }

  @Test
  void allowedChatsAndUsersWriteUpdatesAndEveryoneElseIsToldNo() throws Exception {
    try (var h = ProcessFunctionTestHarnesses.forProcessFunction(new TelegramCommands(COMMANDS))) {
      h.processElement(from(1, "-100", "11", "asha", "/ack a1"), 0);
      h.processElement(
          from(2, "-100", "12", "ravi", "/resolve@riskstream_bot a2 refund booked"), 0);
      h.processElement(from(3, "-100", "555", null, "/ack a3 looking"), 0);
      h.processElement(from(4, "-200", "99", "anyone", "/ack a4"), 0);
      h.processElement(from(5, "-100", "13", "bob", "/ack a5"), 0);
      h.processElement(from(6, "-300", "11", "asha", "/resolve a6 done"), 0);
      h.processElement(from(7, "-100", "11", "asha", "/resolve a7"), 0);
      h.processElement(from(8, "-100", "11", "asha", "good morning"), 0);

      assertThat(h.extractOutputValues())
          .extracting(
              c -> c.update.getAlertId(),
              c -> c.update.getStatus(),
              c -> c.update.getActor(),
              c -> c.update.getNote(),
              c -> c.update.getReason())
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(
                  "a1", AlertStatus.ACKNOWLEDGED, "telegram:@asha", null, "BY_PERSON"),
              org.assertj.core.groups.Tuple.tuple(
                  "a2", AlertStatus.RESOLVED, "telegram:@ravi", "refund booked", "BY_PERSON"),
              org.assertj.core.groups.Tuple.tuple(
                  "a3", AlertStatus.ACKNOWLEDGED, "telegram:555", "looking", "BY_PERSON"),
              org.assertj.core.groups.Tuple.tuple(
                  "a4", AlertStatus.ACKNOWLEDGED, "telegram:@anyone", null, "BY_PERSON"));
      assertThat(h.getSideOutput(TelegramCommands.REPLIES))
          .extracting(StreamRecord::getValue)
          .extracting(m -> m.target, m -> m.replyToMessage, m -> m.text)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(
                  "telegram:-100",
                  7_005L,
                  "@bob may not acknowledge or resolve alerts from this chat; the routes file's"
                      + " telegram.commands.allow says who may"),
              org.assertj.core.groups.Tuple.tuple(
                  "telegram:-300",
                  7_006L,
                  "@asha may not acknowledge or resolve alerts from this chat; the routes file's"
                      + " telegram.commands.allow says who may"),
              org.assertj.core.groups.Tuple.tuple(
                  "telegram:-100", 7_007L, "usage: /resolve <alert_id> <how it was resolved>"));
    }
  }
}
