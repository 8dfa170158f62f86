package io.riskstream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.avro.Alert;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Runs a detector over events in the given order and reversed, and checks both agree. */
public final class BothArrivalOrders {
  private BothArrivalOrders() {}

  /** A run of a detector over events in one arrival order. */
  @FunctionalInterface
  public interface Run<T> {
    List<Alert> over(List<T> events) throws Exception;
  }

  /** The alerts of the given order, once the reversed order raised the same alert ids. */
  public static <T> List<Alert> decide(List<T> events, Run<T> run) throws Exception {
    List<Alert> forward = run.over(events);
    List<T> reversed = new ArrayList<>(events);
    Collections.reverse(reversed);
    assertThat(run.over(reversed))
        .extracting(Alert::getAlertId)
        .as("the other arrival order")
        .containsExactlyInAnyOrderElementsOf(forward.stream().map(Alert::getAlertId).toList());
    return forward;
  }
}
