package io.riskstream.sink;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.riskstream.io.EventJson;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;

/**
 * Upserts an Avro record into its table: one column per field, named as the field, in schema order.
 * One binder serves the four tables, so a field added to a schema needs only its migration. Money
 * binds as numeric, times as timestamptz, enums as text, and arrays of records (the alert's
 * evidence) as jsonb.
 */
public final class RowBinder<T extends SpecificRecordBase> implements JdbcStatementBuilder<T> {
  private final String table;
  private final List<String> key;
  private final Schema schema;

  /** {@code key}: the primary key's columns, one field's name or several. */
  public RowBinder(String table, Schema schema, String... key) {
    this.table = table;
    this.key = List.of(key);
    this.schema = schema;
  }

  /**
   * {@code INSERT ... ON CONFLICT (key) DO UPDATE}: a replayed record rewrites its own row, never
   * adds one.
   */
  public String upsertSql() {
    List<Schema.Field> fields = schema.getFields();
    String columns = fields.stream().map(Schema.Field::name).collect(Collectors.joining(", "));
    String values =
        fields.stream()
            .map(f -> isJson(EventJson.nonNull(f.schema())) ? "?::jsonb" : "?")
            .collect(Collectors.joining(", "));
    String updates =
        fields.stream()
            .filter(f -> !key.contains(f.name()))
            .map(f -> f.name() + " = EXCLUDED." + f.name())
            .collect(Collectors.joining(", "));
    return "INSERT INTO "
        + table
        + " ("
        + columns
        + ") VALUES ("
        + values
        + ") ON CONFLICT ("
        + String.join(", ", key)
        + ") DO UPDATE SET "
        + updates;
  }

  /** Arrays (the alert's evidence) and maps (the day's totals by type) are jsonb columns. */
  private static boolean isJson(Schema type) {
    return type.getType() == Schema.Type.ARRAY || type.getType() == Schema.Type.MAP;
  }

  public String table() {
    return table;
  }

  @Override
  public void accept(PreparedStatement statement, T record) throws SQLException {
    List<Schema.Field> fields = schema.getFields();
    for (int i = 0; i < fields.size(); i++) {
      bind(
          statement,
          i + 1,
          EventJson.nonNull(fields.get(i).schema()),
          record.get(fields.get(i).pos()));
    }
  }

  private static void bind(PreparedStatement statement, int index, Schema type, Object value)
      throws SQLException {
    if (type.getLogicalType() instanceof LogicalTypes.Decimal) {
      statement.setBigDecimal(index, (BigDecimal) value);
    } else if (type.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
      statement.setTimestamp(index, value == null ? null : Timestamp.from((Instant) value));
    } else if (type.getLogicalType() instanceof LogicalTypes.Date) {
      statement.setObject(index, value);
    } else if (value == null) {
      statement.setNull(index, Types.NULL);
    } else {
      switch (type.getType()) {
        case INT -> statement.setInt(index, (Integer) value);
        case LONG -> statement.setLong(index, (Long) value);
        case MAP -> {
          com.fasterxml.jackson.databind.node.ObjectNode map = EventJson.MAPPER.createObjectNode();
          new java.util.TreeMap<>((Map<?, ?>) value)
              .forEach(
                  (k, v) ->
                      map.set(
                          k.toString(),
                          v instanceof SpecificRecordBase r
                              ? EventJson.toJson(r)
                              : EventJson.MAPPER.valueToTree(v)));
          statement.setString(index, map.toString());
        }
        case BOOLEAN -> statement.setBoolean(index, (Boolean) value);
        case ARRAY -> {
          ArrayNode array = EventJson.MAPPER.createArrayNode();
          for (Object item : (List<?>) value) {
            array.add(EventJson.toJson((SpecificRecordBase) item));
          }
          statement.setString(index, array.toString());
        }
        default -> statement.setString(index, value.toString());
      }
    }
  }
}
