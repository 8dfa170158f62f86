package io.riskstream.kafka;

import io.riskstream.avro.RuleUpdate;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * A record of {@code risk-rules}: the update it holds (null when its bytes are bad), and the record
 * as read, so that an update the detection job refuses later (a version not above the last) goes to
 * the dead-letter topic as it was written, like any bad record. A Flink POJO.
 */
public class RuleRecord {
  /** The record's key, value and coordinates; {@code error} says why when it is bad. */
  public DeadLetter raw;

  public RuleUpdate update;

  public RuleRecord() {}

  RuleRecord(DeadLetter raw, RuleUpdate update) {
    this.raw = raw;
    this.update = update;
  }

  /** The record with {@code reason} as its error: what the dead-letter topic gets. */
  public DeadLetter refused(String reason) {
    return new DeadLetter(
        raw.sourceTopic,
        raw.sourcePartition,
        raw.sourceOffset,
        raw.timestamp,
        raw.key,
        raw.value,
        reason);
  }

  public static TypeInformation<RuleRecord> type() {
    return Types.POJO(
        RuleRecord.class,
        Map.of(
            "raw", Types.POJO(DeadLetter.class), "update", new AvroTypeInfo<>(RuleUpdate.class)));
  }
}
