package io.riskstream.notify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WebhookSignerTest {
  @Test
  void signsTheStandardWebhooksSpecificationsPublishedTestVector() {
    // The specification's own example: secret, message id, timestamp, body and signature.
    WebhookSigner signer = new WebhookSigner("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

    assertThat(
            signer.signature("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, "{\"test\": 2432232314}"))
        .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  }

  @Test
  void aSecretWithoutThePrefixIsUsedAsItsBytes() {
    // HMAC-SHA256("key", "m.1.{}"), base64: computed with Python's hmac module.
    assertThat(new WebhookSigner("key").signature("m", 1, "{}"))
        .isEqualTo("v1,PZ/NkMlNTAuwo7eUSzj+2MvSPuobXrtxD9Jq3rZS73c=");
  }
}
