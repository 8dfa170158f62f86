package io.riskstream.detect;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Rupee amounts as an Indian risk team reads them: ₹ and lakh grouping, e.g. ₹1,50,000.00. */
public final class Money {
  private Money() {}

  public static String format(BigDecimal amount) {
    BigDecimal scaled = amount.setScale(2, RoundingMode.HALF_EVEN);
    String plain = scaled.abs().toPlainString();
    int dot = plain.indexOf('.');
    String whole = plain.substring(0, dot);
    StringBuilder grouped = new StringBuilder();
    if (whole.length() > 3) {
      String head = whole.substring(0, whole.length() - 3);
      for (int i = 0; i < head.length(); i++) {
        if (i > 0 && (head.length() - i) % 2 == 0) {
          grouped.append(',');
        }
        grouped.append(head.charAt(i));
      }
      grouped.append(',').append(whole.substring(whole.length() - 3));
    } else {
      grouped.append(whole);
    }
    return (scaled.signum() < 0 ? "-₹" : "₹") + grouped + plain.substring(dot);
  }
}
