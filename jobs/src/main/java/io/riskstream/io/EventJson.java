package io.riskstream.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riskstream.serde.BadRecordException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Avro records as JSON the way docs/contract.md (topics and wire format) writes them: snake_case
 * field names, money as a decimal string ({@code "1500.00"}, a number is accepted on input), times
 * as ISO-8601 instants (an offset or epoch milliseconds accepted on input), a missing nullable
 * field meaning null. Driven by the schema, so it serves every record type. (Avro's own JSON
 * encoding wraps unions and writes decimals as byte strings, which no person or CSV file does.)
 */
public final class EventJson {
  public static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private EventJson() {}

  public static ObjectNode toJson(SpecificRecordBase record) {
    ObjectNode node = NODES.objectNode();
    for (Schema.Field field : record.getSchema().getFields()) {
      node.set(field.name(), write(field.schema(), record.get(field.pos())));
    }
    return node;
  }

  public static String toJsonLine(SpecificRecordBase record) {
    return toJson(record).toString();
  }

  private static JsonNode write(Schema schema, Object value) {
    if (value == null) {
      return NODES.nullNode();
    }
    Schema type = nonNull(schema);
    LogicalType logical = type.getLogicalType();
    if (logical instanceof LogicalTypes.Decimal) {
      return NODES.textNode(((BigDecimal) value).toPlainString());
    }
    if (logical instanceof LogicalTypes.TimestampMillis) {
      return NODES.textNode(((Instant) value).toString());
    }
    return switch (type.getType()) {
      case STRING, ENUM -> NODES.textNode(value.toString());
      case INT -> NODES.numberNode((Integer) value);
      case LONG -> NODES.numberNode((Long) value);
      case DOUBLE -> NODES.numberNode((Double) value);
      case BOOLEAN -> NODES.booleanNode((Boolean) value);
      case RECORD -> toJson((SpecificRecordBase) value);
      case ARRAY -> {
        ArrayNode array = NODES.arrayNode();
        for (Object item : (List<?>) value) {
          array.add(write(type.getElementType(), item));
        }
        yield array;
      }
      default -> throw new IllegalArgumentException("unsupported Avro type " + type);
    };
  }

  /** A record of {@code type} from a JSON object (or a CSV row as a JSON object of strings). */
  public static <T extends SpecificRecordBase> T fromJson(JsonNode node, Class<T> type)
      throws BadRecordException {
    if (!node.isObject()) {
      throw new BadRecordException("expected a JSON object, got " + node.getNodeType());
    }
    Schema schema = SpecificData.get().getSchema(type);
    @SuppressWarnings("unchecked")
    T record = (T) SpecificData.getForClass(type).newRecord(null, schema);
    for (Schema.Field field : schema.getFields()) {
      JsonNode value = node.get(field.name());
      record.put(field.pos(), read(field, value));
    }
    var unknown = new ArrayList<String>();
    node.fieldNames()
        .forEachRemaining(
            n -> {
              if (schema.getField(n) == null) {
                unknown.add(n);
              }
            });
    if (!unknown.isEmpty()) {
      throw new BadRecordException("unknown field(s) " + unknown + " for " + schema.getName());
    }
    return record;
  }

  private static Object read(Schema.Field field, JsonNode value) throws BadRecordException {
    boolean missing =
        value == null || value.isNull() || (value.isTextual() && value.asText().isEmpty());
    boolean nullable = field.schema().isNullable();
    if (missing) {
      if (nullable) {
        return null;
      }
      if (field.hasDefaultValue()) {
        Object def = field.defaultVal();
        return def instanceof String s ? s : def;
      }
      throw new BadRecordException("missing " + field.name());
    }
    if (value.isContainerNode()) {
      // asText() of an object or array is "": a value would silently become empty.
      throw new BadRecordException(
          field.name()
              + " must be a single value, was a JSON "
              + (value.isObject() ? "object" : "array"));
    }
    Schema type = nonNull(field.schema());
    try {
      LogicalType logical = type.getLogicalType();
      if (logical instanceof LogicalTypes.Decimal decimal) {
        BigDecimal amount = new BigDecimal(value.asText());
        if (amount.scale() > decimal.getScale()) {
          throw new BadRecordException(
              field.name() + " has more than " + decimal.getScale() + " decimals: " + value);
        }
        BigDecimal scaled = amount.setScale(decimal.getScale(), RoundingMode.UNNECESSARY);
        if (scaled.precision() > decimal.getPrecision()) {
          throw new BadRecordException(
              field.name()
                  + " has more than "
                  + (decimal.getPrecision() - decimal.getScale())
                  + " digits before the point (decimal("
                  + decimal.getPrecision()
                  + ","
                  + decimal.getScale()
                  + ")): "
                  + value);
        }
        return scaled;
      }
      if (logical instanceof LogicalTypes.TimestampMillis) {
        return instant(value);
      }
      return switch (type.getType()) {
        case STRING -> value.asText();
        case ENUM -> {
          String symbol = value.asText();
          if (!type.getEnumSymbols().contains(symbol)) {
            throw new BadRecordException(
                field.name() + " must be one of " + type.getEnumSymbols() + ", was " + symbol);
          }
          yield SpecificData.get().createEnum(symbol, type);
        }
        case INT -> value.isInt() ? value.asInt() : Integer.parseInt(value.asText().trim());
        case BOOLEAN -> {
          String text = value.asText().trim();
          if (!text.equals("true") && !text.equals("false")) {
            throw new BadRecordException(field.name() + " must be true or false, was " + text);
          }
          yield Boolean.parseBoolean(text);
        }
        default ->
            throw new BadRecordException("unsupported type of " + field.name() + ": " + type);
      };
    } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
      throw new BadRecordException(
          "invalid " + field.name() + ": " + value + " (" + e.getMessage() + ")", e);
    }
  }

  private static Instant instant(JsonNode value) {
    if (value.isIntegralNumber()) {
      return Instant.ofEpochMilli(value.asLong());
    }
    String text = value.asText().trim();
    if (text.chars().allMatch(Character::isDigit)) {
      return Instant.ofEpochMilli(Long.parseLong(text));
    }
    return OffsetDateTime.parse(text).toInstant();
  }

  /** The non-null branch of a nullable union, or the schema itself. */
  public static Schema nonNull(Schema schema) {
    if (schema.getType() != Schema.Type.UNION) {
      return schema;
    }
    return schema.getTypes().stream()
        .filter(s -> s.getType() != Schema.Type.NULL)
        .findFirst()
        .orElseThrow();
  }
}
