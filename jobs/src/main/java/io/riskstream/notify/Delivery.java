package io.riskstream.notify;

/**
 * What became of a message (a Flink POJO): delivered, or given up on after {@code attempts} with
 * the last error.
 */
public class Delivery {
  public Message message;
  public boolean delivered;
  public int attempts;
  public String lastError;
  public long finishedAt;

  public Delivery() {}

  public Delivery(Message message, boolean delivered, int attempts, String lastError) {
    this.message = message;
    this.delivered = delivered;
    this.attempts = attempts;
    this.lastError = lastError;
    this.finishedAt = System.currentTimeMillis();
  }
}
