package io.riskstream.notify;

import io.riskstream.avro.AlertStatus;
import io.riskstream.avro.AlertUpdate;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * {@code /ack <alert_id>} and {@code /resolve <alert_id> <note>} from Telegram (docs/notify.md):
 * from a chat and user on the routes file's allow list, an {@link AlertUpdate} with the sender as
 * actor, on to {@link KnownAlerts} (which refuses an alert it does not know); from anyone else, or
 * malformed, a reply saying why, on the {@link #REPLIES} side output. Other messages to the bot are
 * ignored.
 */
public final class TelegramCommands extends ProcessFunction<ChatCommand, Commanded> {
  /** Replies to the sender, straight to delivery. */
  public static final OutputTag<Message> REPLIES =
      new OutputTag<>("command-replies", TypeInformation.of(Message.class));

  /** The reason code of an update made from Telegram, as from the command line. */
  static final String BY_PERSON = "BY_PERSON";

  private final NotifySettings.Commands commands;

  public TelegramCommands(NotifySettings.Commands commands) {
    this.commands = commands;
  }

  @Override
  public void processElement(ChatCommand command, Context ctx, Collector<Commanded> out) {
    List<String> words = List.of(command.text.strip().split("\\s+", 3));
    String verb = words.get(0).replaceFirst("@.*$", ""); // "/ack@riskstream_bot" in groups
    if (!verb.equals("/ack") && !verb.equals("/resolve")) {
      return;
    }
    if (commands == null || !commands.allows(command.chat, command.userId, command.username)) {
      ctx.output(
          REPLIES,
          reply(
              command,
              (command.username != null ? "@" + command.username : "user " + command.userId)
                  + " may not acknowledge or resolve alerts from this chat; the routes file's"
                  + " telegram.commands.allow says who may"));
      return;
    }
    boolean resolve = verb.equals("/resolve");
    if (words.size() < 2 || (resolve && words.size() < 3)) {
      ctx.output(
          REPLIES,
          reply(
              command,
              resolve
                  ? "usage: /resolve <alert_id> <how it was resolved>"
                  : "usage: /ack <alert_id> [note]"));
      return;
    }
    Instant now = Instant.now();
    AlertUpdate update =
        AlertUpdate.newBuilder()
            .setAlertId(words.get(1))
            .setStatus(resolve ? AlertStatus.RESOLVED : AlertStatus.ACKNOWLEDGED)
            .setReason(BY_PERSON)
            .setNote(words.size() > 2 ? words.get(2) : null)
            .setActor(command.actor())
            .setEvidence(List.of())
            .setEventTime(now)
            .setUpdatedAt(now)
            .build();
    out.collect(new Commanded(command, update));
  }

  /** A reply to the command's message in its chat, once per command (its update id). */
  static Message reply(ChatCommand command, String text) {
    String target = "telegram:" + command.chat;
    Message message =
        new Message(
            ThresholdGate.id(target, "reply|" + command.updateId),
            target,
            "commands",
            text,
            null,
            null);
    message.replyToMessage = command.messageId;
    return message;
  }
}
