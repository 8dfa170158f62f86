package io.riskstream.notify;

/**
 * One message to the bot from Telegram's {@code getUpdates} (a Flink POJO): where and from whom it
 * came, its text, and the update id that orders it.
 */
public class ChatCommand {
  public long updateId;
  public String chat;
  public long messageId;
  public String userId;

  /** Without the @; null when the sender has none. */
  public String username;

  public String text;

  public ChatCommand() {}

  public ChatCommand(
      long updateId, String chat, long messageId, String userId, String username, String text) {
    this.updateId = updateId;
    this.chat = chat;
    this.messageId = messageId;
    this.userId = userId;
    this.username = username;
    this.text = text;
  }

  /** Who, as an update's actor: {@code telegram:@name}, or the numeric id. */
  public String actor() {
    return "telegram:" + (username != null ? "@" + username : userId);
  }
}
