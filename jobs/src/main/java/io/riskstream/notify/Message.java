package io.riskstream.notify;

/**
 * One message to one target (a Flink POJO): its idempotency id, the text, and for webhooks the JSON
 * body.
 */
public class Message {
  /**
   * Stable per alert (or summary window) and target: the webhook-id, and what deduplication keys
   * on.
   */
  public String id;

  public String target;
  public String route;
  public String text;
  public String body;

  /** The alert ids it speaks for, comma-separated. */
  public String alertIds;

  /**
   * For a follow-up, the alert whose message it answers: in Telegram a reply to that message
   * ({@link HttpDelivery} knows its message_id); null otherwise.
   */
  public String replyTo;

  /** The Telegram message this one answers (a command's reply); null otherwise. */
  public Long replyToMessage;

  public Message() {}

  public Message(
      String id, String target, String route, String text, String body, String alertIds) {
    this.id = id;
    this.target = target;
    this.route = route;
    this.text = text;
    this.body = body;
    this.alertIds = alertIds;
  }

  public boolean isTelegram() {
    return target.startsWith("telegram:");
  }

  public String chatOrWebhook() {
    return target.substring(target.indexOf(':') + 1);
  }
}
