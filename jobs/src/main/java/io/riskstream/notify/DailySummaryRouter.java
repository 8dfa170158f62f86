package io.riskstream.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riskstream.avro.DailySummary;
import io.riskstream.io.EventJson;
import io.riskstream.reconcile.DailySummaries;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * A day's summary to every target of the merchant's routes (the default routes for the bank and
 * ledger lines that name no merchant), whatever their minimum severity: it is the day's report, not
 * an alert. One message per day, merchant and target, also across restarts.
 */
public final class DailySummaryRouter implements FlatMapFunction<DailySummary, Message> {
  private final NotifySettings settings;

  public DailySummaryRouter(NotifySettings settings) {
    this.settings = settings;
  }

  @Override
  public void flatMap(DailySummary summary, Collector<Message> out) {
    for (NotifySettings.Route route : settings.routesFor(summary.getMerchantId())) {
      for (String target : route.targets()) {
        ObjectNode body =
            EventJson.MAPPER
                .createObjectNode()
                .put("kind", "daily_summary")
                .put("text", summary.getSummary())
                .put("day", summary.getDay().toString())
                .put("merchant_id", summary.getMerchantId())
                .put("alerts_count", summary.getAlertsCount());
        out.collect(
            new Message(
                ThresholdGate.id(target, "daily|" + DailySummaries.key(summary)),
                target,
                route.name(),
                summary.getSummary(),
                body.toString(),
                ""));
      }
    }
  }
}
