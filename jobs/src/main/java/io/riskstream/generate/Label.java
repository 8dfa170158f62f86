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
  public String toJsonLine() {
    ObjectNode node =
        EventJson.MAPPER.createObjectNode().put("type", type).put("reason", reason).put("key", key);
    return node.toString();
  }
}
