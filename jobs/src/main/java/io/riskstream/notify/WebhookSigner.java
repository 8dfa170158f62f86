package io.riskstream.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code webhook-signature} of the Standard Webhooks specification: {@code v1,} and the base64
 * HMAC-SHA256 of {@code id.timestamp.body}, so that receivers can verify deliveries with any of
 * that specification's libraries. Hand-written: the HMAC is the JDK's, and no maintained Java
 * library of the specification is published on Maven Central.
 */
final class WebhookSigner {
  private final byte[] key;

  /** A {@code whsec_} secret is base64, as the specification says; any other, its UTF-8 bytes. */
  WebhookSigner(String secret) {
    this.key =
        secret.startsWith("whsec_")
            ? Base64.getDecoder().decode(secret.substring("whsec_".length()))
            : secret.getBytes(StandardCharsets.UTF_8);
  }

  /** The header's value for message {@code id} sent at {@code timestamp} (epoch seconds). */
  String signature(String id, long timestamp, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] digest =
          mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
