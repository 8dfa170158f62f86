package io.riskstream.notify;

import io.riskstream.avro.AlertUpdate;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/** An update a Telegram command asks for, with the command to answer (a Flink POJO). */
public class Commanded {
  public ChatCommand command;
  public AlertUpdate update;

  public Commanded() {}

  public Commanded(ChatCommand command, AlertUpdate update) {
    this.command = command;
    this.update = update;
  }

  static TypeInformation<Commanded> type() {
    return Types.POJO(
        Commanded.class,
        Map.of(
            "command",
            TypeInformation.of(ChatCommand.class),
            "update",
            new AvroTypeInfo<>(AlertUpdate.class)));
  }
}
