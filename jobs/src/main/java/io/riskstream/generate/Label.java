package io.riskstream.generate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riskstream.io.EventJson;

/**
 * An alert that injected fraud must produce: its type, reason and the key it is about - the UTR for
 * UTR rules (FORGED_UTR, AMOUNT_MISMATCH, UTR_REUSED, BILL_WITHOUT_ORDER), the order number for
 * order rules (ORDER_PAID_TWICE, LEDGER_DOUBLE_CREDIT, LEDGER_WITHOUT_ORDER, PAYMENT_OVER_LIMIT),
 * the account for ledger-line rules (LEDGER_OVER_LIMIT, ARITHMETIC, CHAIN_BREAK) and the IP for
 * IP_BURST.
 */
public record Label(String type, String reason, String key) {
  /**
   * The label an alert answers to: its type, reason and the key it is about (see the class
   * comment).
   */
  public static Label of(io.riskstream.avro.Alert alert) {
    String key =
        switch (alert.getReason()) {
          case "INVALID_FORMAT",
              "NO_BANK_RECORD",
              "UNDERPAID",
              "OVERPAID",
              "UTR_REUSED",
              "BILL_WITHOUT_ORDER" ->
              alert.getUtr();
          case "ORDER_PAID_TWICE",
              "LEDGER_DOUBLE_CREDIT",
              "LEDGER_WITHOUT_ORDER",
              "PAYMENT_OVER_LIMIT" ->
              alert.getOrderNo();
          case "LEDGER_OVER_LIMIT", "ARITHMETIC", "CHAIN_BREAK" -> alert.getAccountId();
          default -> alert.getIp();
        };
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
