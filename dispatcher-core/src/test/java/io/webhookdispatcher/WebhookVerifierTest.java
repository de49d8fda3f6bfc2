package io.webhookdispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.webhookdispatcher.WebhookVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookVerifierTest {
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long TIMESTAMP = 1614265330;
  private static final byte[] BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
  private static final String SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  private final WebhookVerifier verifier =
      WebhookVerifier.forSecret(SECRET)
          .withClock(Clock.fixed(Instant.ofEpochSecond(TIMESTAMP + 60), ZoneOffset.UTC));

  @Test
  void accepts_webhook_headers_in_any_case() {
    Map<String, String> headers =
        Map.of(
            "Webhook-Id", ID, "WEBHOOK-TIMESTAMP", Long.toString(TIMESTAMP), "webhook-signature", SIGNATURE);

    assertThatCode(() -> verifier.verify(headers, BODY)).doesNotThrowAnyException();
  }

  @Test
  void accepts_svix_headers() {
    Map<String, String> headers =
        Map.of("svix-id", ID, "svix-timestamp", Long.toString(TIMESTAMP), "svix-signature", SIGNATURE);

    assertThatCode(() -> verifier.verify(headers, BODY)).doesNotThrowAnyException();
  }

  @Test
  void missing_signature_header_names_it() {
    Map<String, String> headers = Map.of("webhook-id", ID, "webhook-timestamp", "1614265330");

    WebhookVerificationException failure =
        catchThrowableOfType(
            WebhookVerificationException.class, () -> verifier.verify(headers, BODY));

    assertThat(failure.reason()).isEqualTo(Reason.MISSING_HEADER);
    assertThat(failure).hasMessageContaining("webhook-signature");
  }

  @Test
  void non_numeric_timestamp_is_invalid() {
    WebhookVerificationException failure =
        catchThrowableOfType(
            WebhookVerificationException.class,
            () -> verifier.verify(ID, "yesterday", SIGNATURE, BODY));

    assertThat(failure.reason()).isEqualTo(Reason.INVALID_TIMESTAMP);
    assertThat(failure).hasMessageContaining("yesterday");
  }

  @Test
  void old_timestamp_reports_too_old() {
    WebhookVerifier late =
        WebhookVerifier.forSecret(SECRET)
            .withClock(Clock.fixed(Instant.ofEpochSecond(TIMESTAMP + 301), ZoneOffset.UTC));

    WebhookVerificationException failure =
        catchThrowableOfType(
            WebhookVerificationException.class,
            () -> late.verify(ID, Long.toString(TIMESTAMP), SIGNATURE, BODY));

    assertThat(failure.reason()).isEqualTo(Reason.TIMESTAMP_TOO_OLD);
  }

  @Test
  void future_timestamp_reports_too_new() {
    WebhookVerifier early =
        WebhookVerifier.forSecret(SECRET)
            .withClock(Clock.fixed(Instant.ofEpochSecond(TIMESTAMP - 301), ZoneOffset.UTC));

    WebhookVerificationException failure =
        catchThrowableOfType(
            WebhookVerificationException.class,
            () -> early.verify(ID, Long.toString(TIMESTAMP), SIGNATURE, BODY));

    assertThat(failure.reason()).isEqualTo(Reason.TIMESTAMP_TOO_NEW);
  }

  @Test
  void wrong_secret_reports_no_matching_signature() {
    WebhookVerifier other =
        WebhookVerifier.forSecret(WebhookSecret.generate())
            .withClock(Clock.fixed(Instant.ofEpochSecond(TIMESTAMP), ZoneOffset.UTC));

    WebhookVerificationException failure =
        catchThrowableOfType(
            WebhookVerificationException.class,
            () -> other.verify(ID, Long.toString(TIMESTAMP), SIGNATURE, BODY));

    assertThat(failure.reason()).isEqualTo(Reason.NO_MATCHING_SIGNATURE);
  }

  @Test
  void malformed_base64_signature_does_not_match() {
    WebhookVerificationException failure =
        catchThrowableOfType(
            WebhookVerificationException.class,
            () -> verifier.verify(ID, Long.toString(TIMESTAMP), "v1,@@not-base64@@", BODY));

    assertThat(failure.reason()).isEqualTo(Reason.NO_MATCHING_SIGNATURE);
  }

  @Test
  void failure_message_never_contains_secret() {
    WebhookVerificationException failure =
        catchThrowableOfType(
            WebhookVerificationException.class,
            () -> verifier.verify(ID, Long.toString(TIMESTAMP), "v1,AAAA", BODY));

    assertThat(failure).hasMessageNotContaining(SECRET.substring(6));
  }
}
