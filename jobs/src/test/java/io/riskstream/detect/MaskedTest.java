package io.riskstream.detect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MaskedTest {
  @Test
  void summariesShowTwoCharactersOfAUpiIdAndTheLastFourOfAnAccount() {
    assertThat(Masked.vpas("paid by ravi.kumar@okhdfc and by s@ybl"))
        .isEqualTo("paid by ra****@okhdfc and by s****@ybl");
    assertThat(Masked.vpas(Masked.vpas("ravi.kumar@okhdfc"))).isEqualTo("ra****@okhdfc");
    assertThat(Masked.account("UA-000002")).isEqualTo("****0002");
    assertThat(Masked.account("A-1")).isEqualTo("****");
    assertThat(Masked.payer("meena@okaxis")).isEqualTo("me****@okaxis");
    assertThat(Masked.payer("UA-123456")).isEqualTo("****3456");
  }
}
