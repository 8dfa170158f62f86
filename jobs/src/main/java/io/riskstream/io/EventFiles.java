package io.riskstream.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import io.riskstream.kafka.EventTimeBounds;
import io.riskstream.kafka.RecordCheck;
import io.riskstream.serde.BadRecordException;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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
   * The records of {@code file} checked as the detect job checks what it reads from Kafka: the
   * contract's {@link RecordCheck}, then the event-time {@code bounds} with every record taken as
   * written at {@code writtenAt}. {@code produce} and {@code backtest} read through this, so that
   * all three give a record the same verdict.
   */
  public static <T extends SpecificRecordBase> Read<T> read(
      Path file, Class<T> type, EventTimeBounds bounds, long writtenAt) throws IOException {
    return read(file, type, RecordCheck.of(type).and(bounds.asWrittenAt(writtenAt)));
  }

  /**
   * The records of {@code file}; a line that cannot be read as {@code type}, or whose record breaks
   * {@code check}, is a bad line with its number and reason.
   */
  public static <T extends SpecificRecordBase> Read<T> read(
      Path file, Class<T> type, RecordCheck<T> check) throws IOException {
    List<T> records = new ArrayList<>();
    List<BadLine> bad = new ArrayList<>();
    if (file.getFileName().toString().endsWith(".csv")) {
      readCsv(file, type, check, records, bad);
      return new Read<>(records, bad);
    }
    try (BufferedReader reader = lenientUtf8(file)) {
      String text;
      long line = 0;
      while ((text = reader.readLine()) != null) {
        line++;
        if (line == 1 && text.startsWith(BOM)) {
          text = text.substring(1);
        }
        if (text.isBlank()) {
          continue;
        }
        if (text.indexOf(MALFORMED) >= 0) {
          bad.add(new BadLine(file, line, NOT_UTF8));
          continue;
        }
        try {
          JsonNode node = ONE_JSON_VALUE.readTree(text);
          records.add(checked(EventJson.fromJson(node, type), check));
        } catch (BadRecordException | JsonProcessingException e) {
          bad.add(new BadLine(file, line, e.getMessage().lines().findFirst().orElse("unreadable")));
        }
      }
    }
    return new Read<>(records, bad);
  }

  /** A line is one JSON value: a second object or trailing text makes it a bad line. */
  private static final ObjectReader ONE_JSON_VALUE =
      EventJson.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** What a byte that is not UTF-8 is read as, so that it is one bad line, not the file's end. */
  private static final char MALFORMED = '\uFFFD';

  private static final String NOT_UTF8 = "not valid UTF-8";

  /** A byte-order mark some editors put at the start of a UTF-8 file. */
  private static final String BOM = "\uFEFF";

  private static BufferedReader lenientUtf8(Path file) throws IOException {
    return new BufferedReader(
        new InputStreamReader(
            Files.newInputStream(file),
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)));
  }

  /** One CSV row as its fields, quoting undone. */
  private static final ObjectReader CSV_ROW = new CsvMapper().readerFor(String[].class);

  /**
   * CSV rows mapped to the header's names here: a row with more columns than the header is a bad
   * line (Jackson's header mapping threw for the whole file), blank lines are skipped, and a row's
   * number is its first physical line, whatever quoted newlines came before (the rows are cut here,
   * because the CSV parser's locations count rows, not lines).
   */
  private static <T extends SpecificRecordBase> void readCsv(
      Path file, Class<T> type, RecordCheck<T> check, List<T> records, List<BadLine> bad)
      throws IOException {
    String text;
    try (BufferedReader reader = lenientUtf8(file)) {
      text = reader.lines().collect(java.util.stream.Collectors.joining("\n", "", "\n"));
    }
    if (text.startsWith(BOM)) {
      text = text.substring(1);
    }
    List<String> header = null;
    boolean quoted = false;
    int rowStart = 0;
    long rowLine = 1;
    long line = 1;
    for (int i = 0; i <= text.length(); i++) {
      boolean end = i == text.length();
      char c = end ? '\n' : text.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      }
      if (c != '\n') {
        continue;
      }
      line++;
      if (quoted && !end) {
        continue;
      }
      String row = text.substring(rowStart, i).strip();
      long at = rowLine;
      rowStart = i + 1;
      rowLine = line;
      if (row.isEmpty()) {
        continue;
      }
      if (quoted) {
        bad.add(new BadLine(file, at, "a quote opened here is never closed"));
        return;
      }
      if (row.indexOf(MALFORMED) >= 0) {
        bad.add(new BadLine(file, at, NOT_UTF8));
        continue;
      }
      List<String> values;
      try {
        values = List.of((String[]) CSV_ROW.readValue(row));
      } catch (JsonProcessingException e) {
        bad.add(new BadLine(file, at, e.getOriginalMessage().lines().findFirst().orElse("")));
        continue;
      }
      if (header == null) {
        header = values;
      } else if (values.size() > header.size()) {
        bad.add(
            new BadLine(
                file, at, values.size() + " columns where the header names " + header.size()));
      } else {
        ObjectNode fields = EventJson.MAPPER.createObjectNode();
        for (int f = 0; f < values.size(); f++) {
          fields.put(header.get(f), values.get(f));
        }
        try {
          records.add(checked(EventJson.fromJson(fields, type), check));
        } catch (BadRecordException e) {
          bad.add(new BadLine(file, at, e.getMessage()));
        }
      }
    }
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
