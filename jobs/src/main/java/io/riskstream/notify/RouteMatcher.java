package io.riskstream.notify;

import io.riskstream.avro.Alert;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Turns an alert into one notice per target of every route it takes (merchant routes, else default;
 * severity).
 */
public final class RouteMatcher implements FlatMapFunction<Alert, Notice> {
  private final NotifySettings settings;

  public RouteMatcher(NotifySettings settings) {
    this.settings = settings;
  }

  @Override
  public void flatMap(Alert alert, Collector<Notice> out) {
    NotifySettings.Threshold threshold = settings.thresholdFor(alert);
    String thresholdId = threshold == null ? null : threshold.id();
    for (NotifySettings.Route route : settings.routesFor(alert)) {
      for (String target : route.targets()) {
        out.collect(
            new Notice(target, route.name(), thresholdId, route.individualBelowThreshold(), alert));
      }
    }
  }
}
