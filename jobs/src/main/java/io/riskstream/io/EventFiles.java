package io.riskstream.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.riskstream.kafka.RecordCheck;
import io.riskstream.serde.BadRecordException;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Files of events: JSON lines ({@code .jsonl}, {@code .json}) or CSV with a header row ({@code
 * .csv}).
 */
public final class EventFiles {
  private EventFiles() {}

  /** A line of a file that could not be read, with where and why. */
  public record BadLine(Path file, long line, String error) {
    @Override
    public String toString() {
      return file + ":" + line + ": " + error;
    }
  }

  /**
   * What a file held: the records, and the lines that could not be read (never silently skipped).
   */
  public record Read<T>(List<T> records, List<BadLine> badLines) {}

  /**
   * The records of {@code file}; a line that cannot be read as {@code type}, or whose record breaks
   * {@code check}, is a bad line with its number and reason.
   */
  public static <T extends SpecificRecordBase> Read<T> read(
      Path file, Class<T> type, RecordCheck<T> check) throws IOException {
    List<T> records = new ArrayList<>();
    List<BadLine> bad = new ArrayList<>();
    if (file.getFileName().toString().endsWith(".csv")) {
      CsvMapper csv = new CsvMapper();
      try (MappingIterator<Map<String, String>> rows =
          csv.readerForMapOf(String.class)
              .with(CsvSchema.emptySchema().withHeader())
              .readValues(file.toFile())) {
        long line = 1;
        while (rows.hasNext()) {
          line++;
          Map<String, String> row = rows.next();
          try {
            records.add(
                checked(EventJson.fromJson(EventJson.MAPPER.valueToTree(row), type), check));
          } catch (BadRecordException e) {
            bad.add(new BadLine(file, line, e.getMessage()));
          }
        }
      }
      return new Read<>(records, bad);
    }
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String text;
      long line = 0;
      while ((text = reader.readLine()) != null) {
        line++;
        if (text.isBlank()) {
          continue;
        }
        try {
          JsonNode node = EventJson.MAPPER.readTree(text);
          records.add(checked(EventJson.fromJson(node, type), check));
        } catch (BadRecordException | com.fasterxml.jackson.core.JsonProcessingException e) {
          bad.add(new BadLine(file, line, e.getMessage().lines().findFirst().orElse("unreadable")));
        }
      }
    }
    return new Read<>(records, bad);
  }

  private static <T> T checked(T record, RecordCheck<T> check) throws BadRecordException {
    String violation = check.violation(record);
    if (violation != null) {
      throw new BadRecordException(violation);
    }
    return record;
  }

  public static void writeJsonLines(Path file, Collection<? extends SpecificRecordBase> records) {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (SpecificRecordBase record : records) {
        out.write(EventJson.toJsonLine(record));
        out.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
