package io.riskstream.detect;

import io.riskstream.avro.Alert;
import io.riskstream.avro.RuleUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFunction;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * A detector with the rule versions of {@code risk-rules} as a broadcast input (docs/rules.md).
 * Detectors stay plain keyed functions, tested on their own with fixed rules; this puts the
 * versions in front of each: it keeps every version it is sent in broadcast state (checkpointed,
 * and restored on every subtask), and after each hands the detector the rules in force by event
 * time. The shadow detectors' alerts are passed on only when a SHADOW version raised them.
 *
 * <p>A two-input detector (UTR, order) takes its inputs as one stream of {@link Either}: a keyed
 * operator with a broadcast input has one keyed input.
 */
public abstract class WithRuleUpdates<IN>
    extends KeyedBroadcastProcessFunction<String, IN, RuleUpdate, Alert> {
  /** Every version received, by "rule_id/version". */
  public static final MapStateDescriptor<String, RuleUpdate> VERSIONS =
      new MapStateDescriptor<>("rule-versions", Types.STRING, new AvroTypeInfo<>(RuleUpdate.class));

  private final RichFunction detector;
  private final RuleBook initial;
  private transient RuleBook book;
  private transient Collector<Alert> shadowOnly;
  private transient Collector<Alert> downstream;
  private transient KeyedStateCache cache;
  transient Forward forward;

  private WithRuleUpdates(RichFunction detector, RuleBook initial) {
    this.detector = detector;
    this.initial = initial;
  }

  /** {@code detector} with rule updates; {@code book}: the rules it starts with, and its view. */
  public static <IN> WithRuleUpdates<IN> of(
      KeyedProcessFunction<String, IN, Alert> detector, RuleBook book) {
    return new OneInput<>(detector, book);
  }

  /** A two-input {@code detector} with rule updates, its inputs as one stream of Either. */
  public static <A, B> WithRuleUpdates<Either<A, B>> of(
      KeyedCoProcessFunction<String, A, B, Alert> detector, RuleBook book) {
    return new TwoInputs<>(detector, book);
  }

  @Override
  public void open(OpenContext context) throws Exception {
    detector.setRuntimeContext(getRuntimeContext());
    detector.open(cache != null ? cache : context);
    forward = new Forward();
    // What the dashboards and the tests can see of rule changes: the versions this subtask holds.
    getRuntimeContext()
        .getMetricGroup()
        .addGroup("riskstream")
        .<Integer, org.apache.flink.metrics.Gauge<Integer>>gauge(
            "ruleVersions", () -> book == null ? 0 : book.size());
    shadowOnly =
        new Collector<>() {
          @Override
          public void collect(Alert alert) {
            if (book.isShadowVersion(alert.getRuleId(), alert.getRuleVersion())) {
              downstream.collect(alert);
            }
          }

          @Override
          public void close() {}
        };
  }

  @Override
  public void close() throws Exception {
    detector.close();
  }

  /** The detector's class name: what its operator is called. */
  String detectorName() {
    return detector.getClass().getSimpleName();
  }

  /** Before {@link #open}: the detector's values go through {@code cache}. */
  void cacheStatesIn(KeyedStateCache cache) {
    this.cache = cache;
  }

  /** Whether the detector can forget a key unread ({@link Expiry.Expiring}). */
  boolean expires() {
    return detector instanceof Expiry.Expiring;
  }

  /** Before {@link #open}, if it {@link #expires}: the detector's expiry timers. */
  void expireWith(Expiry expiry) {
    ((Expiry.Expiring) detector).expireWith(expiry);
  }

  /** The current key's expiry timer fired. */
  void expire() throws Exception {
    ((Expiry.Expiring) detector).expire();
  }

  @Override
  public final void processBroadcastElement(RuleUpdate update, Context ctx, Collector<Alert> out)
      throws Exception {
    if (book == null) {
      load(ctx.getBroadcastState(VERSIONS));
    }
    ctx.getBroadcastState(VERSIONS).put(update.getRuleId() + "/" + update.getVersion(), update);
    use(book.with(List.of(update)));
  }

  /**
   * Reads the versions in broadcast state once after a (re)start: a restored subtask has them
   * there, and they are readable only with an element's context.
   */
  final Collector<Alert> ready(ReadOnlyContext ctx, Collector<Alert> out) throws Exception {
    if (book == null) { // once: the state lookup is not for every event
      load(ctx.getBroadcastState(VERSIONS));
    }
    if (!initial.isShadow()) {
      return out;
    }
    downstream = out;
    return shadowOnly;
  }

  private void load(ReadOnlyBroadcastState<String, RuleUpdate> versions) throws Exception {
    List<RuleUpdate> restored = new ArrayList<>();
    for (Map.Entry<String, RuleUpdate> e : versions.immutableEntries()) {
      restored.add(e.getValue());
    }
    use(initial.with(restored));
  }

  private void use(RuleBook next) {
    book = next;
    if (detector instanceof RuleDriven driven) {
      driven.use(next.view());
    }
  }

  /** Forwards a keyed context to a detector's own context type. */
  final class Forward {
    ReadOnlyContext element;
    OnTimerContext timer;

    Long timestamp() {
      return timer != null ? timer.timestamp() : element.timestamp();
    }

    TimerService timerService() {
      return timer != null ? timer.timerService() : element.timerService();
    }

    <X> void output(OutputTag<X> tag, X value) {
      if (timer != null) {
        timer.output(tag, value);
      } else {
        element.output(tag, value);
      }
    }

    String key() {
      return timer != null ? timer.getCurrentKey() : element.getCurrentKey();
    }
  }

  // OneInput and TwoInputs each build the detector's own OnTimerContext over Forward: the same five
  // one-line methods twice, because a context is an inner class of its function's type
  // (KeyedProcessFunction's or KeyedCoProcessFunction's) and Java has no way to write it once.
  private static final class OneInput<IN> extends WithRuleUpdates<IN> {
    private final KeyedProcessFunction<String, IN, Alert> detector;
    private transient KeyedProcessFunction<String, IN, Alert>.OnTimerContext context;

    OneInput(KeyedProcessFunction<String, IN, Alert> detector, RuleBook book) {
      super(detector, book);
      this.detector = detector;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
      super.open(openContext);
      context =
          detector.new OnTimerContext() {
            @Override
            public TimeDomain timeDomain() {
              return forward.timer.timeDomain();
            }

            @Override
            public Long timestamp() {
              return forward.timestamp();
            }

            @Override
            public TimerService timerService() {
              return forward.timerService();
            }

            @Override
            public <X> void output(OutputTag<X> tag, X value) {
              forward.output(tag, value);
            }

            @Override
            public String getCurrentKey() {
              return forward.key();
            }
          };
    }

    @Override
    public void processElement(IN value, ReadOnlyContext ctx, Collector<Alert> out)
        throws Exception {
      forward.element = ctx;
      forward.timer = null;
      detector.processElement(value, context, ready(ctx, out));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
      forward.timer = ctx;
      detector.onTimer(timestamp, context, ready(ctx, out));
    }
  }

  private static final class TwoInputs<A, B> extends WithRuleUpdates<Either<A, B>> {
    private final KeyedCoProcessFunction<String, A, B, Alert> detector;
    private transient KeyedCoProcessFunction<String, A, B, Alert>.OnTimerContext context;

    TwoInputs(KeyedCoProcessFunction<String, A, B, Alert> detector, RuleBook book) {
      super(detector, book);
      this.detector = detector;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
      super.open(openContext);
      context =
          detector.new OnTimerContext() {
            @Override
            public TimeDomain timeDomain() {
              return forward.timer.timeDomain();
            }

            @Override
            public Long timestamp() {
              return forward.timestamp();
            }

            @Override
            public TimerService timerService() {
              return forward.timerService();
            }

            @Override
            public <X> void output(OutputTag<X> tag, X value) {
              forward.output(tag, value);
            }

            @Override
            public String getCurrentKey() {
              return forward.key();
            }
          };
    }

    @Override
    public void processElement(Either<A, B> value, ReadOnlyContext ctx, Collector<Alert> out)
        throws Exception {
      forward.element = ctx;
      forward.timer = null;
      Collector<Alert> to = ready(ctx, out);
      if (value.isLeft()) {
        detector.processElement1(value.left(), context, to);
      } else {
        detector.processElement2(value.right(), context, to);
      }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
      forward.timer = ctx;
      detector.onTimer(timestamp, context, ready(ctx, out));
    }
  }
}
