package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.AlertStatus;
import io.riskstream.avro.AlertUpdate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * UTR_TYPO / LIKELY_TYPO ({@link UtrTypoRules}): a second stage over UtrMatcher's NO_BANK_RECORD
 * and BILL_WITHOUT_ORDER alerts, keyed by worker, that pairs a claim with a bank line of the same
 * payment whose UTR was mistyped.
 *
 * <p>Each alert is raised when the watermark passes its event + W; its partner, at most W away, is
 * raised by its own event + W, so each waits until the watermark passes its event + 2W and is then
 * forgotten. Every pair that qualifies raises one alert, whichever of the two came first, so the
 * set does not depend on arrival order. A retracted NO_BANK_RECORD or BILL_WITHOUT_ORDER ({@link
 * AlertUpdates}) leaves the pairing and retracts the pairs it made: those are kept, with their two
 * alert ids, for the UTR retention after the pair.
 */
public final class UtrTypoPairer extends KeyedProcessFunction<String, TypoCandidate, Alert>
    implements RuleDriven {
  private RulesInForce rules;
  private transient MapState<String, TypoCandidate> waiting;
  private transient MapState<String, String> pairs;
  private transient AlertOutput output;

  public UtrTypoPairer(RulesInForce rules) {
    this.rules = rules;
  }

  @Override
  public void use(RulesInForce rules) {
    this.rules = rules;
  }

  @Override
  public void open(OpenContext context) {
    waiting =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("waiting", Types.STRING, TypoCandidate.type()));
    pairs =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("pairs", Types.STRING, Types.STRING));
    output = new AlertOutput(getRuntimeContext(), () -> rules);
  }

  @Override
  public void processElement(TypoCandidate c, Context ctx, Collector<Alert> out) throws Exception {
    if (c.retracted != null) {
      retract(c.retracted, c.time, ctx);
      return;
    }
    String id = c.alert.getAlertId();
    if (waiting.contains(id)) {
      return; // a redelivery
    }
    Rules inForce = rules.at(c.time);
    for (TypoCandidate other : waiting.values()) {
      if (other.isClaim() == c.isClaim()) {
        continue;
      }
      TypoCandidate claim = c.isClaim() ? c : other;
      TypoCandidate line = c.isClaim() ? other : c;
      if (UtrTypoRules.pair(claim, line, inForce.matchWindow())) {
        Alert pair = UtrTypoRules.likelyTypo(claim, line, rules.at(claim.time));
        if (output.enabled(pair) && !pairs.contains(pair.getAlertId())) {
          output.emit(pair, out);
          long until = pair.getEventTime().toEpochMilli() + inForce.utrRetention().toMillis();
          pairs.put(
              pair.getAlertId(),
              claim.alert.getAlertId() + "|" + line.alert.getAlertId() + "|" + until);
          ctx.timerService().registerEventTimeTimer(until);
        }
      }
    }
    waiting.put(id, c);
    ctx.timerService().registerEventTimeTimer(c.time + 2 * inForce.matchWindow().toMillis());
  }

  /** The alert {@code id} was retracted: it pairs no more, and its pairs are retracted. */
  private void retract(String id, long time, Context ctx) throws Exception {
    waiting.remove(id);
    List<String> gone = new ArrayList<>();
    for (Map.Entry<String, String> pair : pairs.entries()) {
      String[] ids = pair.getValue().split("\\|");
      if (ids[0].equals(id) || ids[1].equals(id)) {
        gone.add(pair.getKey());
      }
    }
    for (String pair : gone) {
      pairs.remove(pair);
      output.send(
          AlertUpdate.newBuilder()
              .setAlertId(pair)
              .setStatus(AlertStatus.RETRACTED)
              .setReason(AlertUpdates.LATE_EVIDENCE)
              .setNote("one of its two alerts, " + id + ", was retracted")
              .setActor(null)
              .setEvidence(List.of())
              .setEventTime(Instant.ofEpochMilli(time))
              .setUpdatedAt(Instant.now())
              .build(),
          update -> ctx.output(AlertUpdates.TAG, update));
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
    List<String> done = new ArrayList<>();
    for (Map.Entry<String, TypoCandidate> e : waiting.entries()) {
      if (e.getValue().time + 2 * rules.at(e.getValue().time).matchWindow().toMillis()
          <= timestamp) {
        done.add(e.getKey());
      }
    }
    for (String id : done) {
      waiting.remove(id);
    }
    done.clear();
    for (Map.Entry<String, String> pair : pairs.entries()) {
      if (Long.parseLong(pair.getValue().split("\\|")[2]) <= timestamp) {
        done.add(pair.getKey());
      }
    }
    for (String pair : done) {
      pairs.remove(pair);
    }
  }
}
