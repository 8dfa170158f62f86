package io.riskstream.notify;

import io.riskstream.avro.Alert;

/** An alert on its way to one target of one route (a Flink POJO). */
public class Notice {
  /** {@code telegram:<chat id>} or {@code webhook:<name>}. */
  public String target;

  public String route;

  /** The threshold rule the alert falls under, or null. */
  public String thresholdId;

  /**
   * Target + threshold + merchant for thresholded alerts, target + alert id otherwise: the gate's
   * key.
   */
  public String groupKey;

  public boolean individualBelowThreshold;
  public Alert alert;

  public Notice() {}

  public Notice(
      String target,
      String route,
      String thresholdId,
      boolean individualBelowThreshold,
      Alert alert) {
    this.target = target;
    this.route = route;
    this.thresholdId = thresholdId;
    this.individualBelowThreshold = individualBelowThreshold;
    this.alert = alert;
    this.groupKey =
        thresholdId == null
            ? target + "|" + alert.getAlertId()
            : target + "|" + thresholdId + "|" + alert.getMerchantId();
  }
}
