package io.riskstream.reconcile;

import io.riskstream.avro.DailyReconciliation;
import io.riskstream.avro.DailySummary;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Adds up a merchant's rows of a closed day (one per worker) into the day's summary for on-call.
 * The rows of a day arrive when their day closes, before the watermark that closes it here, so the
 * summary is complete; a row written again later (a correction) updates the table but is not
 * summarised again.
 */
public final class DailySummaries
    extends KeyedProcessFunction<String, DailyReconciliation, DailySummary> {
  private final ZoneId zone;
  private final Duration w;
  private transient MapState<Long, DailyReconciliation> totals;

  public DailySummaries(ZoneId zone, Duration w) {
    this.zone = zone;
    this.w = w;
  }

  /** The Kafka key of a summary: its day and merchant ("" for the lines that name none). */
  public static String key(DailySummary summary) {
    return summary.getDay()
        + "|"
        + (summary.getMerchantId() == null ? "" : summary.getMerchantId());
  }

  @Override
  public void open(OpenContext context) {
    totals =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "day-totals", Types.LONG, new AvroTypeInfo<>(DailyReconciliation.class)));
  }

  @Override
  public void processElement(DailyReconciliation row, Context ctx, Collector<DailySummary> out)
      throws Exception {
    long day = row.getDay().toEpochDay();
    long closes = DayTotals.closesAt(day, zone, w);
    if (closes <= ctx.timerService().currentWatermark()) {
      return; // a correction after the summary went out
    }
    DailyReconciliation total = totals.get(day);
    if (total == null) {
      total = DayTotals.empty(day, row.getMerchantId(), "", zone);
      ctx.timerService().registerEventTimeTimer(closes);
    }
    DayTotals.merge(total, row);
    totals.put(day, total);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<DailySummary> out)
      throws Exception {
    List<Long> closed = new ArrayList<>();
    for (Map.Entry<Long, DailyReconciliation> entry : totals.entries()) {
      if (DayTotals.closesAt(entry.getKey(), zone, w) == timestamp) {
        DailyReconciliation total = entry.getValue();
        out.collect(
            DailySummary.newBuilder()
                .setDay(total.getDay())
                .setMerchantId(total.getMerchantId().isEmpty() ? null : total.getMerchantId())
                .setSummary(DayTotals.summary(total))
                .setAlertsCount(total.getAlertsCount())
                .setEventTime(Instant.ofEpochMilli(timestamp))
                .build());
        closed.add(entry.getKey());
      }
    }
    for (long day : closed) {
      totals.remove(day);
    }
  }
}
