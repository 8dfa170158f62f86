package io.riskstream.detect;

import io.riskstream.avro.Alert;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

/**
 * What UtrMatcher tells the typo pairing ({@link UtrTypoPairer}) about a worker: a NO_BANK_RECORD
 * or BILL_WITHOUT_ORDER alert it raised, with what the alert does not say (the claim's direction,
 * when the claim or the line happened); or that such an alert was retracted. A Flink POJO.
 */
public class TypoCandidate {
  public static final OutputTag<TypoCandidate> TAG = new OutputTag<>("typo-candidates", type());

  /** The alert (null for a retraction). */
  public Alert alert;

  /** The id of a retracted alert (null for an alert). */
  public String retracted;

  /** The worker whose statement the pair is about: the key of the pairing. */
  public String cwid;

  /** CREDIT or DEBIT: the bill's direction, or the direction a claim's bill would have. */
  public String direction;

  /** The claim's or the bill's event time; a retraction's. */
  public long time;

  public TypoCandidate() {}

  static TypoCandidate of(Alert alert, String direction, long time) {
    TypoCandidate c = new TypoCandidate();
    c.alert = alert;
    c.cwid = alert.getCwid();
    c.direction = direction;
    c.time = time;
    return c;
  }

  static TypoCandidate retraction(String alertId, String cwid, long time) {
    TypoCandidate c = new TypoCandidate();
    c.retracted = alertId;
    c.cwid = cwid;
    c.time = time;
    return c;
  }

  /** Whether this is a claim's NO_BANK_RECORD (else a bank line's BILL_WITHOUT_ORDER). */
  boolean isClaim() {
    return Reason.of(alert) == Reason.NO_BANK_RECORD;
  }

  static TypeInformation<TypoCandidate> type() {
    return Types.POJO(
        TypoCandidate.class,
        java.util.Map.of(
            "alert", new AvroTypeInfo<>(Alert.class),
            "retracted", Types.STRING,
            "cwid", Types.STRING,
            "direction", Types.STRING,
            "time", Types.LONG));
  }
}
