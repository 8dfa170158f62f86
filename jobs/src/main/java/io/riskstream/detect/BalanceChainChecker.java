package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.BalanceChange;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Walks each account's SUCCESS ledger lines in event-time order (ties by log_id): lines wait in
 * state until the watermark passes them, then {@link BalanceRules} checks each against the line
 * before it.
 *
 * <p>State per account: the lines waiting for the watermark ({@link EventTimeBuffer}; a redelivered
 * log_id changes nothing) and the last line checked. A line that arrives behind the last one
 * checked (late, or a redelivery of a checked line) cannot be put in order any more: it is counted
 * as late and skipped. The last line is cleared by a timer after the account retention.
 */
public final class BalanceChainChecker extends KeyedProcessFunction<String, BalanceChange, Alert>
    implements RuleDriven {
  private RulesInForce rules;
  private transient EventTimeBuffer<BalanceChange> waiting;
  private transient ValueState<BalanceChange> last;
  private transient AlertOutput output;
  private transient CleanupTimer cleanup;

  public BalanceChainChecker(RulesInForce rules) {
    this.rules = rules;
  }

  @Override
  public void use(RulesInForce rules) {
    this.rules = rules;
  }

  @Override
  public void open(OpenContext context) {
    TypeInformation<BalanceChange> type = StateRecordSerializer.typeOf(BalanceChange.class);
    waiting =
        new EventTimeBuffer<>(
            getRuntimeContext(), "waiting-by-time", type, BalanceChange::getLogId);
    last =
        KeyedStateCache.value(
            getRuntimeContext(), context, new ValueStateDescriptor<>("last-line", type));
    output = new AlertOutput(getRuntimeContext(), () -> rules);
    // The retention is the job's, not a rule's: the same at every time.
    cleanup = new CleanupTimer(getRuntimeContext(), context, rules.at(0).accountRetention());
  }

  @Override
  public void processElement(BalanceChange line, Context ctx, Collector<Alert> out)
      throws Exception {
    long time = line.getEventTime().toEpochMilli();
    BalanceChange previous = last.value();
    if (previous != null && EventOrder.LINES.compare(line, previous) <= 0) {
      if (!line.getLogId().equals(previous.getLogId())) {
        output.countLate();
        ctx.output(
            LateEvent.TAG,
            LateEvent.ofLine(
                line,
                "CHAIN_BREAK cannot place it: account "
                    + line.getAccountId()
                    + " is checked up to line "
                    + previous.getLogId()
                    + " at "
                    + previous.getEventTime(),
                Math.max(0, ctx.timerService().currentWatermark() - time)));
      }
      return;
    }
    output.countIfLate(time, ctx.timerService().currentWatermark());
    waiting.add(line, time, ctx.timerService()::registerEventTimeTimer);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
    if (cleanup.isDue(ctx.timerService(), timestamp)) {
      // Quiet for the retention; a line due at this very moment starts a new chain.
      last.clear();
      cleanup.clear();
    }
    List<BalanceChange> due = waiting.take(timestamp, EventOrder.LINES);
    if (due.isEmpty()) {
      return;
    }
    BalanceChange previous = last.value();
    for (BalanceChange line : due) {
      for (Alert alert :
          BalanceRules.check(previous, line, rules.at(line.getEventTime().toEpochMilli()))) {
        // Each line is taken from the buffer once and checked once: no fired set needed.
        output.emit(alert, out);
      }
      previous = line;
    }
    last.update(previous);
    cleanup.extend(ctx.timerService(), previous.getEventTime().toEpochMilli());
  }
}
