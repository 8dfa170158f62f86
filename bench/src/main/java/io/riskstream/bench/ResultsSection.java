package io.riskstream.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A section of RESULTS.md written by the command that measured it (the soak, the hot keys), between
 * markers, so that the main harness's report and these separate measurements live in one file
 * without anyone editing figures by hand.
 */
final class ResultsSection {
  private ResultsSection() {}

  private static final java.util.regex.Pattern SECTION =
      java.util.regex.Pattern.compile(
          "(?s)<!-- ([^:]+): written by the command below, not by hand -->\n.*?<!-- end of \\1 -->\n");

  /**
   * Writes the main harness's {@code report} to {@code file}, keeping the sections other commands
   * wrote there: a full bench run replaced the soak's and the hot keys' figures before.
   */
  static void writeReport(Path file, String report) throws IOException {
    StringBuilder text = new StringBuilder(report);
    if (Files.exists(file)) {
      java.util.regex.Matcher m = SECTION.matcher(Files.readString(file, StandardCharsets.UTF_8));
      while (m.find()) {
        text.append(text.toString().endsWith("\n\n") ? "" : "\n").append(m.group());
      }
    }
    Files.writeString(file, text.toString(), StandardCharsets.UTF_8);
  }

  /** Replaces the section {@code name} in {@code file}, or appends it. */
  static void write(Path file, String name, String markdown) throws IOException {
    String begin = "<!-- " + name + ": written by the command below, not by hand -->";
    String end = "<!-- end of " + name + " -->";
    String section = begin + "\n" + markdown.strip() + "\n" + end + "\n";
    String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    int from = text.indexOf(begin);
    int to = text.indexOf(end);
    String updated =
        from >= 0 && to > from
            ? text.substring(0, from) + section + text.substring(to + end.length() + 1)
            : text + (text.isEmpty() || text.endsWith("\n\n") ? "" : "\n") + section;
    Files.writeString(file, updated, StandardCharsets.UTF_8);
  }
}
