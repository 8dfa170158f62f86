package io.riskstream.reconcile;

import io.riskstream.avro.DailyReconciliation;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds up one merchant's and worker's facts per day ({@link DayTotals}) and writes the day's row
 * once the watermark passes its end + W. Each fact counts once (a redelivery is recognised by its
 * id). A fact of a day already closed, but no more than {@link #LATENESS} after, corrects the row
 * (it is written again, and upserted); one later than that is logged with its id and counted in
 * {@code riskstream.reconciliation.tooLate}: the raw tables still hold it.
 */
public final class DayCloser extends KeyedProcessFunction<String, Fact, DailyReconciliation> {
  /** How long a closed day's totals are kept for late facts. */
  public static final Duration LATENESS = Duration.ofDays(1);

  private static final Logger LOG = LoggerFactory.getLogger(DayCloser.class);

  private final ZoneId zone;
  private final Duration w;
  private transient MapState<Long, DailyReconciliation> days;
  private transient MapState<String, Long> seen;
  private transient Counter tooLate;

  public DayCloser(ZoneId zone, Duration w) {
    this.zone = zone;
    this.w = w;
  }

  @Override
  public void open(OpenContext context) {
    days =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "days", Types.LONG, new AvroTypeInfo<>(DailyReconciliation.class)));
    seen =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("counted", Types.STRING, Types.LONG));
    tooLate =
        getRuntimeContext()
            .getMetricGroup()
            .addGroup("riskstream")
            .addGroup("reconciliation")
            .counter("tooLate");
  }

  @Override
  public void processElement(Fact f, Context ctx, Collector<DailyReconciliation> out)
      throws Exception {
    long day = DayTotals.day(f.eventTime, zone);
    long closes = DayTotals.closesAt(day, zone, w);
    long watermark = ctx.timerService().currentWatermark();
    if (closes + LATENESS.toMillis() <= watermark) {
      tooLate.inc();
      LOG.warn(
          "{} {} of {} came after its day's reconciliation was final; the raw tables hold it",
          f.kind,
          f.id,
          java.time.LocalDate.ofEpochDay(day));
      return;
    }
    String id = f.kind + ":" + f.id;
    if (seen.contains(id)) {
      return; // a redelivery
    }
    seen.put(id, day);
    DailyReconciliation row = days.get(day);
    if (row == null) {
      row = DayTotals.empty(day, f.merchantId, f.cwid, zone);
      ctx.timerService().registerEventTimeTimer(closes);
      ctx.timerService().registerEventTimeTimer(closes + LATENESS.toMillis());
    }
    DayTotals.add(row, f);
    days.put(day, row);
    if (closes <= watermark) {
      out.collect(row); // a correction of a row already written
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<DailyReconciliation> out)
      throws Exception {
    List<Long> forgotten = new ArrayList<>();
    for (Map.Entry<Long, DailyReconciliation> entry : days.entries()) {
      long closes = DayTotals.closesAt(entry.getKey(), zone, w);
      if (closes == timestamp) {
        out.collect(entry.getValue());
      } else if (closes + LATENESS.toMillis() == timestamp) {
        forgotten.add(entry.getKey());
      }
    }
    for (long day : forgotten) {
      days.remove(day);
      List<String> ids = new ArrayList<>();
      for (Map.Entry<String, Long> counted : seen.entries()) {
        if (counted.getValue() == day) {
          ids.add(counted.getKey());
        }
      }
      for (String id : ids) {
        seen.remove(id);
      }
    }
  }
}
