package io.riskstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsSectionTest {
  @Test
  void appendsOnceReplacesOnlyItsOwnSectionAndSurvivesANewReport(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("RESULTS.md");
    Files.writeString(file, "# results\n\n| a | 1 |\n");

    ResultsSection.write(file, "soak", "## Soak\n\nold");
    ResultsSection.write(file, "hot keys", "## Hot keys\n\nhot");
    ResultsSection.write(file, "soak", "## Soak\n\nnew\n");

    assertThat(Files.readString(file))
        .isEqualTo(
            "# results\n\n| a | 1 |\n\n"
                + "<!-- soak: written by the command below, not by hand -->\n## Soak\n\nnew\n"
                + "<!-- end of soak -->\n\n"
                + "<!-- hot keys: written by the command below, not by hand -->\n## Hot keys\n\nhot\n"
                + "<!-- end of hot keys -->\n");

    // The main harness's report replaces the rest and keeps both sections.
    ResultsSection.writeReport(file, "# results\n\nnew figures\n");
    assertThat(Files.readString(file))
        .startsWith("# results\n\nnew figures\n\n<!-- soak: written")
        .endsWith(
            "<!-- end of soak -->\n\n"
                + "<!-- hot keys: written by the command below, not by hand -->\n## Hot keys\n\nhot\n<!-- end of hot keys -->\n")
        .doesNotContain("| a | 1 |");
  }
}
