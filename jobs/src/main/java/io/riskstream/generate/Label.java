package io.riskstream.generate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riskstream.detect.Reason;
import io.riskstream.io.EventJson;

/**
 * An alert that injected fraud must produce: its type, reason and the key it is about ({@link
 * Reason#keyOf}: the UTR, order number, account or IP).
 */
public record Label(String type, String reason, String key) {
  /** The label an alert answers to. */
  public static Label of(io.riskstream.avro.Alert alert) {
    String key = Reason.of(alert).keyOf(alert);
    return new Label(alert.getType().name(), alert.getReason(), key);
  }

  /** Reads a labels.jsonl file. */
  public static java.util.List<Label> read(java.nio.file.Path file) throws java.io.IOException {
    java.util.List<Label> labels = new java.util.ArrayList<>();
    for (String line : java.nio.file.Files.readAllLines(file)) {
      if (!line.isBlank()) {
        var node = EventJson.MAPPER.readTree(line);
        labels.add(
            new Label(
                node.path("type").asText(),
                node.path("reason").asText(),
                node.path("key").asText()));
      }
    }
    return labels;
  }

  public String toJsonLine() {
    ObjectNode node =
        EventJson.MAPPER.createObjectNode().put("type", type).put("reason", reason).put("key", key);
    return node.toString();
  }
}
