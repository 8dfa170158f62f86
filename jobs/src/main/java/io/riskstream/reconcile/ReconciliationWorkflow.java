package io.riskstream.reconcile;

import io.riskstream.Uids;
import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Bill;
import io.riskstream.avro.DailyReconciliation;
import io.riskstream.avro.DailySummary;
import io.riskstream.avro.Payment;
import java.time.Duration;
import java.time.ZoneId;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * The daily reconciliation as a function of its input streams (event time and watermarks assigned):
 * every counted record becomes a {@link Fact}, keyed by merchant and worker; {@link DayCloser}
 * writes each day's row once the watermark passes its end + W; {@link DailySummaries} adds a
 * merchant's rows into on-call's summary.
 */
public final class ReconciliationWorkflow {
  private ReconciliationWorkflow() {}

  public record Outputs(DataStream<DailyReconciliation> rows, DataStream<DailySummary> summaries) {}

  public static Outputs define(
      DataStream<Payment> payments,
      DataStream<Bill> bills,
      DataStream<BalanceChange> balanceChanges,
      DataStream<Alert> alerts,
      ZoneId zone,
      Duration w) {
    TypeInformation<Fact> fact = TypeInformation.of(Fact.class);
    DataStream<Fact> facts =
        payments
            .flatMap(facts(Fact::of), fact)
            .name("payment facts")
            .union(
                bills.flatMap(facts(Fact::of), fact).name("bank facts"),
                balanceChanges.flatMap(facts(Fact::of), fact).name("ledger facts"),
                alerts.flatMap(facts(Fact::of), fact).name("alert facts"));
    DataStream<DailyReconciliation> rows =
        facts
            .keyBy(Fact::rowKey)
            .process(new DayCloser(zone, w), new AvroTypeInfo<>(DailyReconciliation.class))
            .uid(Uids.RECONCILIATION_DAY_CLOSER)
            .name("daily close");
    DataStream<DailySummary> summaries =
        rows.keyBy(DailyReconciliation::getMerchantId)
            .process(new DailySummaries(zone, w), new AvroTypeInfo<>(DailySummary.class))
            .uid(Uids.RECONCILIATION_SUMMARIES)
            .name("daily summaries");
    return new Outputs(rows, summaries);
  }

  /** The record's fact, if the reconciliation counts it. */
  private static <T> FlatMapFunction<T, Fact> facts(
      org.apache.flink.util.function.SerializableFunction<T, Fact> of) {
    return (T record, Collector<Fact> out) -> {
      Fact f = of.apply(record);
      if (f != null) {
        out.collect(f);
      }
    };
  }
}
