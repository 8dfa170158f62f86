package io.riskstream.detect;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The findings a key has raised, for a detector that may take a finding's decision again
 * (UtrMatcher; OrderMatcher keeps its few in its order's value): a timer that runs again or a
 * replayed event raises nothing twice, and a finding whose evidence late data changed is known by
 * the id it raised before. Map entries per finding, cleared with the key.
 */
final class FiredSet {
  private final MapState<String, Boolean> fired;
  // Beside "fired" rather than in it, so that state of earlier versions restores.
  private final MapState<String, String> ids;

  FiredSet(RuntimeContext context) {
    this.fired =
        context.getMapState(new MapStateDescriptor<>("fired", Types.STRING, Types.BOOLEAN));
    this.ids =
        context.getMapState(new MapStateDescriptor<>("fired-ids", Types.STRING, Types.STRING));
  }

  /**
   * Records that {@code finding} fired. Returns null when its key had not fired, else the id of the
   * alert the key raised before: the finding's own when nothing changed, another when late evidence
   * changed the finding (an earlier claim of the order, say).
   */
  String fire(Finding finding) throws Exception {
    String key = finding.key();
    String id = finding.alert().getAlertId();
    if (firstTime(key)) {
      ids.put(key, id);
      return null;
    }
    String before = ids.get(key);
    if (before == null) {
      ids.put(key, id); // fired before ids were kept: taken as the same alert
      return id;
    }
    if (!before.equals(id)) {
      ids.put(key, id);
    }
    return before;
  }

  /**
   * Forgets the finding {@code key} so that it may fire afresh; returns the id of the alert it
   * raised unless that was retracted since ({@link AlertUpdates}), else null.
   */
  String withdraw(String key) throws Exception {
    if (!fired.contains(key)) {
      return null;
    }
    // A resolved alert is withdrawn too: an in-order run would not have raised it.
    String id = Boolean.TRUE.equals(fired.get(AlertUpdates.answered(key))) ? null : ids.get(key);
    fired.remove(key);
    fired.remove(AlertUpdates.answered(key));
    ids.remove(key);
    return id;
  }

  /** Records the finding named {@code key}; false when it had fired already. */
  private boolean firstTime(String key) throws Exception {
    if (fired.contains(key)) {
      return false;
    }
    fired.put(key, true);
    return true;
  }

  /**
   * The id of the alert the finding {@code key} raised, if it did and the answer {@code retracts}
   * (or not) is news ({@link AlertUpdates#isNews}), else null; records the answer, so redelivered
   * evidence answers nothing twice. The id is the one raised, which late evidence may have made
   * differ from the finding's now ({@code now}, the id when none was kept).
   */
  String answerOnce(String key, String now, boolean retracts) throws Exception {
    String answered = AlertUpdates.answered(key);
    if (!fired.contains(key) || !AlertUpdates.isNews(fired.get(answered), retracts)) {
      return null;
    }
    fired.put(answered, retracts);
    String raised = ids.get(key);
    return raised == null ? now : raised;
  }

  void clear() {
    fired.clear();
    ids.clear();
  }
}
