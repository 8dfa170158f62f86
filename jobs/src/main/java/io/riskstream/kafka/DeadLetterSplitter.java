package io.riskstream.kafka;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Passes good records on and sends dead letters to a side output, so the workflow only ever sees
 * valid records.
 */
public final class DeadLetterSplitter<T> extends ProcessFunction<Either<DeadLetter, T>, T> {
  public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

  @Override
  public void processElement(Either<DeadLetter, T> record, Context ctx, Collector<T> out) {
    if (record.isRight()) {
      out.collect(record.right());
    } else {
      ctx.output(DEAD_LETTERS, record.left());
    }
  }
}
