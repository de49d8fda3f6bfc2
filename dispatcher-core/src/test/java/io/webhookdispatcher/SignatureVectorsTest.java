package io.webhookdispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Runs the shared Standard Webhooks signature cases against the signer and the verifier. */
class SignatureVectorsTest {

  private static JsonNode vectors() throws IOException {
    try (InputStream in = SignatureVectorsTest.class.getResourceAsStream("/signing/signatures.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  static Stream<Arguments> signCases() throws IOException {
    return cases("sign");
  }

  static Stream<Arguments> verifyCases() throws IOException {
    return cases("verify");
  }

  private static Stream<Arguments> cases(String group) throws IOException {
    List<Arguments> arguments = new ArrayList<>();
    for (JsonNode vector : vectors().get(group)) {
      arguments.add(Arguments.of(Named.of(vector.get("name").asText(), vector)));
    }
    return arguments.stream();
  }

  @ParameterizedTest
  @MethodSource("signCases")
  void signer_produces_expected_signature(JsonNode vector) {
    WebhookSigner signer = WebhookSigner.forSecret(vector.get("secret").asText());

    String signature =
        signer.sign(vector.get("id").asText(), vector.get("timestamp").asLong(), body(vector));

    assertThat(signature).isEqualTo(vector.get("signature").asText());
  }

  @ParameterizedTest
  @MethodSource("signCases")
  void reused_signer_matches_every_time(JsonNode vector) {
    WebhookSigner signer = WebhookSigner.forSecret(vector.get("secret").asText());
    WebhookSigner other = WebhookSigner.forSecret(WebhookSecret.generate());
    String id = vector.get("id").asText();
    long timestamp = vector.get("timestamp").asLong();

    String first = signer.sign(id, timestamp, body(vector));
    other.sign(id, timestamp, body(vector));
    String afterOtherKey = signer.sign(id, timestamp, body(vector));
    String again = signer.sign(id, timestamp, body(vector));

    assertThat(first).isEqualTo(vector.get("signature").asText());
    assertThat(afterOtherKey).isEqualTo(first);
    assertThat(again).isEqualTo(first);
  }

  @ParameterizedTest
  @MethodSource("signCases")
  void verifier_accepts_signed_vector(JsonNode vector) {
    WebhookVerifier verifier = verifierAt(vector, vector.get("timestamp").asLong());

    assertThatCode(
            () ->
                verifier.verify(
                    vector.get("id").asText(),
                    vector.get("timestamp").asText(),
                    vector.get("signature").asText(),
                    body(vector)))
        .doesNotThrowAnyException();
  }

  @ParameterizedTest
  @MethodSource("verifyCases")
  void verifier_matches_expected_verdict(JsonNode vector) {
    WebhookVerifier verifier = verifierAt(vector, vector.get("now").asLong());
    Runnable verification =
        () ->
            verifier.verify(
                vector.get("id").asText(),
                vector.get("timestamp").asText(),
                vector.get("header").asText(),
                body(vector));

    if (vector.get("valid").asBoolean()) {
      assertThatCode(verification::run).doesNotThrowAnyException();
    } else {
      assertThatThrownBy(verification::run).isInstanceOf(WebhookVerificationException.class);
    }
  }

  private static WebhookVerifier verifierAt(JsonNode vector, long nowSeconds) {
    Clock clock = Clock.fixed(Instant.ofEpochSecond(nowSeconds), ZoneOffset.UTC);
    return WebhookVerifier.forSecret(vector.get("secret").asText()).withClock(clock);
  }

  private static byte[] body(JsonNode vector) {
    return vector.get("body").asText().getBytes(StandardCharsets.UTF_8);
  }
}
