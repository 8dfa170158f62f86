package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import io.riskstream.avro.Evidence;
import io.riskstream.avro.EvidenceSource;
import java.time.Instant;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Follows each ledger line's versions by log_id (docs/contract.md, status updates of a line) and
 * raises PENDING_TOO_LONG / LEDGER_PENDING ({@link LedgerPendingRule}) for a line still PENDING or
 * PROCESSING at its time + the pending SLA.
 *
 * <p>State per line, one small value: its earliest PENDING/PROCESSING version and the time of its
 * earliest final version. A line that goes pending waits for its decision and is then forgotten,
 * unless it raised an alert: then it waits for its final version (which retracts or resolves the
 * alert, {@link AlertUpdates}) for the order retention, 7 days by default. A final version seen
 * first (the two may arrive in either order) is kept for the SLA after it, the longest a PENDING
 * version before it could still be waiting. A PENDING version whose decision time the watermark has
 * passed when no state remembers the line cannot be placed (its final version may have been
 * forgotten): it goes to the late events.
 */
public final class LedgerPendingDetector extends KeyedProcessFunction<String, BalanceChange, Alert>
    implements RuleDriven {
  private RulesInForce rules;
  private transient ValueState<LineState> state;
  private transient AlertOutput output;

  public LedgerPendingDetector(RulesInForce rules) {
    this.rules = rules;
  }

  @Override
  public void use(RulesInForce rules) {
    this.rules = rules;
  }

  /** What is known of one ledger line (a Flink POJO). */
  public static final class LineState {
    public BalanceChange pending;
    public long finalAt = Long.MAX_VALUE;

    /**
     * The LEDGER_PENDING alert raised for the line, kept until a final version answers it ({@link
     * AlertUpdates}) or the order retention has passed. The alert itself, not a mark to rebuild it
     * from {@code pending}: a rule version published later with an earlier effective time would
     * rebuild a different alert, and the answer must name the one raised. Only lines that alerted
     * keep it.
     */
    public Alert raised;

    static TypeInformation<LineState> type() {
      return type(StateRecordSerializer.typeOf(BalanceChange.class));
    }

    /**
     * The value's type with the pending line kept by {@code line}: {@link StateRecordSerializer}
     * now, Flink's Avro serializer in state written before it.
     */
    static TypeInformation<LineState> type(TypeInformation<BalanceChange> line) {
      return Types.POJO(
          LineState.class,
          Map.of(
              "pending", line, "finalAt", Types.LONG, "raised", new AvroTypeInfo<>(Alert.class)));
    }
  }

  @Override
  public void open(OpenContext context) {
    state =
        KeyedStateCache.value(
            getRuntimeContext(), context, new ValueStateDescriptor<>("line", LineState.type()));
    output = new AlertOutput(getRuntimeContext(), () -> rules);
  }

  @Override
  public void processElement(BalanceChange line, Context ctx, Collector<Alert> out)
      throws Exception {
    long time = line.getEventTime().toEpochMilli();
    long watermark = ctx.timerService().currentWatermark();
    long sla = LedgerPendingRule.sla(rules.at(time)).toMillis();
    LineState known = state.value();
    LineState s = known == null ? new LineState() : known;
    if (LedgerPendingRule.isFinal(line.getState())) {
      if (time >= s.finalAt) {
        return; // a redelivery, or a later final version
      }
      if (s.raised != null) {
        answer(s.raised, line.getLogId(), time, ctx);
        state.clear();
        return;
      }
      s.finalAt = time;
      if (s.pending == null) {
        ctx.timerService().registerEventTimeTimer(time + sla);
      }
    } else {
      if (s.pending != null && EventOrder.LINES.compare(s.pending, line) <= 0) {
        return; // a redelivery, or a later pending version: the earliest one waits
      }
      if (known == null && time + sla <= watermark) {
        output.countLate();
        ctx.output(
            LateEvent.TAG,
            LateEvent.ofLine(
                line,
                "LEDGER_PENDING cannot place it: its SLA ended at "
                    + Instant.ofEpochMilli(time + sla)
                    + ", and a final version of "
                    + line.getLogId()
                    + " may have been forgotten",
                watermark - time));
        return;
      }
      output.countIfLate(time, watermark);
      s.pending = line;
      ctx.timerService().registerEventTimeTimer(time + sla);
    }
    state.update(s);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
    LineState s = state.value();
    if (s == null) {
      return;
    }
    if (s.pending != null) {
      long pendingAt = s.pending.getEventTime().toEpochMilli();
      Rules inForce = rules.at(pendingAt);
      long due = pendingAt + LedgerPendingRule.sla(inForce).toMillis();
      if (timestamp < due) {
        // The timer of a final version seen first, or of an SLA made longer since: look again then.
        ctx.timerService().registerEventTimeTimer(due);
        return;
      }
      if (s.raised != null) {
        if (timestamp >= due + inForce.orderRetention().toMillis()) {
          state.clear(); // the order retention after the alert has passed, unanswered
        }
        return;
      }
      Alert alert = LedgerPendingRule.decide(s.pending, s.finalAt, inForce);
      if (alert == null) {
        state.clear();
      } else if (s.finalAt != Long.MAX_VALUE) {
        output.emit(alert, out);
        answer(alert, s.pending.getLogId(), s.finalAt, ctx); // final, but after the deadline
        state.clear();
      } else {
        output.emit(alert, out);
        s.raised = alert;
        state.update(s);
        ctx.timerService().registerEventTimeTimer(due + inForce.orderRetention().toMillis());
      }
    } else if (timestamp >= s.finalAt + LedgerPendingRule.sla(rules.at(s.finalAt)).toMillis()) {
      state.clear();
    }
  }

  /** The line's final version, at {@code finalAt}, answers its LEDGER_PENDING alert. */
  private void answer(Alert raised, String logId, long finalAt, Context ctx) {
    output.answer(
        raised,
        raised.getAlertId(),
        new Evidence(EvidenceSource.BALANCE_CHANGE, logId, Instant.ofEpochMilli(finalAt)),
        update -> ctx.output(AlertUpdates.TAG, update));
  }
}
