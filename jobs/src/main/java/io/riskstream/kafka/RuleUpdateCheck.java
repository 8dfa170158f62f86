package io.riskstream.kafka;

import io.riskstream.avro.RuleMode;
import io.riskstream.avro.RuleUpdate;
import io.riskstream.detect.RuleBook;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The one place where rule updates are checked, keyed by rule id, before they are broadcast to the
 * detectors: an unknown rule, settings that do not validate, or a version not above the rule's last
 * accepted one goes to the dead-letter topic with the reason, counted in {@code
 * riskstream.invalidRuleUpdates}; the rules in force stay as they were.
 */
public final class RuleUpdateCheck extends KeyedProcessFunction<String, RuleRecord, RuleUpdate> {
  private final RuleBook book;
  private final boolean shadowDetectors;
  private transient ValueState<Integer> last;
  private transient Counter invalid;

  /**
   * @param book the rules the job started with: the rules file and the versions read at start
   * @param shadowDetectors whether the job runs the shadow detectors (rules.shadow)
   */
  public RuleUpdateCheck(RuleBook book, boolean shadowDetectors) {
    this.book = book;
    this.shadowDetectors = shadowDetectors;
  }

  /** The key of a record: its rule, or "" for one whose bytes are bad. */
  public static String key(RuleRecord r) {
    return r.update == null ? "" : r.update.getRuleId();
  }

  @Override
  public void open(OpenContext context) {
    last = getRuntimeContext().getState(new ValueStateDescriptor<>("last-version", Types.INT));
    invalid =
        getRuntimeContext().getMetricGroup().addGroup("riskstream").counter("invalidRuleUpdates");
  }

  @Override
  public void processElement(RuleRecord record, Context ctx, Collector<RuleUpdate> out)
      throws Exception {
    if (record.update == null) {
      ctx.output(DeadLetterSplitter.DEAD_LETTERS, record.raw); // bad bytes, counted as read
      return;
    }
    RuleUpdate update = record.update;
    Integer known = last.value();
    String problem = problem(update, known != null ? known : book.fileVersion(update.getRuleId()));
    if (problem != null) {
      invalid.inc();
      ctx.output(
          DeadLetterSplitter.DEAD_LETTERS,
          record.refused("rule update refused, the rules in force stay: " + problem));
      return;
    }
    last.update(update.getVersion());
    out.collect(update);
  }

  /**
   * {@code book} with the updates of {@code history} (in topic order) that this check accepts: what
   * the job starts with, read from the topic before it starts, so that a replay from the beginning
   * decides every event with the versions published for its time however the sources interleave.
   */
  public static RuleBook accepted(
      RuleBook book, List<RuleUpdate> history, boolean shadowDetectors) {
    RuleUpdateCheck check = new RuleUpdateCheck(book, shadowDetectors);
    Map<String, Integer> last = new HashMap<>();
    List<RuleUpdate> accepted = new ArrayList<>();
    for (RuleUpdate u : history) {
      int known = last.getOrDefault(u.getRuleId(), book.fileVersion(u.getRuleId()));
      if (check.problem(u, known) == null) {
        last.put(u.getRuleId(), u.getVersion());
        accepted.add(u);
      }
    }
    return book.with(accepted);
  }

  /** Why {@code update} is refused after {@code last}, or null. */
  String problem(RuleUpdate update, int last) {
    if (update.getMode() == RuleMode.SHADOW && !shadowDetectors) {
      return "a SHADOW version needs the shadow detectors: set rules.shadow: true in the detect"
          + " job's configuration";
    }
    return book.problem(update, last);
  }
}
