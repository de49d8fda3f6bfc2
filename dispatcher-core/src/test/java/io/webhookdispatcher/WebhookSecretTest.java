package io.webhookdispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WebhookSecretTest {

  @Test
  void generated_secret_is_prefixed_base64_of_24_bytes() {
    String secret = WebhookSecret.generate();

    assertThat(secret).startsWith("whsec_");
    assertThat(Base64.getDecoder().decode(secret.substring(6))).hasSize(24);
  }

  @Test
  void generated_secrets_differ() {
    Set<String> secrets = new HashSet<>();

    for (int i = 0; i < 1000; i++) {
      secrets.add(WebhookSecret.generate());
    }

    assertThat(secrets).hasSize(1000);
  }

  @Test
  void invalid_base64_is_rejected_without_echoing_it() {
    assertThatThrownBy(() -> WebhookSecret.decode("whsec_not*base64*planted"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("planted");
  }

  @Test
  void empty_secret_is_rejected() {
    assertThatThrownBy(() -> WebhookSecret.decode("whsec_"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
  }
}
