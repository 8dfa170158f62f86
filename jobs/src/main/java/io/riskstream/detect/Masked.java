package io.riskstream.detect;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Personal data as alert summaries and notifications show it: UPI ids keep two characters and the
 * bank ({@code ra****@okhdfc}), account numbers their last four ({@code ****1234}). Summaries are
 * read, forwarded and pasted by people; the alert's own fields and evidence keep the values in
 * clear for the investigation (docs/contract.md, "What alerts hold in clear").
 */
public final class Masked {
  private static final Pattern VPA =
      Pattern.compile("\\b([A-Za-z0-9._-]{1,2})[A-Za-z0-9._-]*@([A-Za-z][A-Za-z0-9]*)\\b");

  private Masked() {}

  /** Every UPI id in {@code text}, masked. */
  public static String vpas(String text) {
    Matcher m = VPA.matcher(text);
    return m.replaceAll("$1****@$2");
  }

  /** An account number (or id) showing its last four characters. */
  public static String account(String account) {
    if (account == null) {
      return null;
    }
    return account.length() <= 4 ? "****" : "****" + account.substring(account.length() - 4);
  }

  /** A payer: a UPI id or an account, masked as such. */
  static String payer(String payer) {
    return payer.indexOf('@') >= 0 ? vpas(payer) : account(payer);
  }
}
