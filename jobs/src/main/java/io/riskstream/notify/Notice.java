package io.riskstream.notify;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertUpdate;

/**
 * An alert on its way to one target of one route, or an update of an alert that went there (a Flink
 * POJO).
 */
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

  /** An update of {@code alert} for this target ({@link FollowUps}); null for the alert itself. */
  public AlertUpdate update;

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

  /** This notice's target and route, for {@code update} of its alert. */
  Notice with(AlertUpdate update) {
    Notice notice = new Notice(target, route, thresholdId, individualBelowThreshold, alert);
    notice.update = update;
    return notice;
  }
}
