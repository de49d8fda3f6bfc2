package io.webhookdispatcher.svix;

import static org.assertj.core.api.Assertions.assertThat;

import io.webhookdispatcher.Endpoint;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The schemas catch the drifts they exist for, and the bodies that the adapter builds pass them. A
 * schema that accepted anything would let every hand-off test pass unchecked.
 */
class SvixRequestSchemasTest {
  private final SvixRequestSchemas schemas = new SvixRequestSchemas();
  private final SvixJson json = new SvixJson();

  @Test
  void adapter_message_body_is_valid() {
    byte[] body =
        json.messageIn(
            UUID.randomUUID(),
            "transaction.updated",
            "{\"event_type\":\"transaction.updated\",\"object\":{\"amount\":10.50}}"
                .getBytes(StandardCharsets.UTF_8));

    assertThat(SvixRequestSchemas.problems(schemas.messageIn, text(body))).isEmpty();
  }

  @Test
  void adapter_endpoint_body_is_valid() {
    Endpoint endpoint =
        new Endpoint(
            UUID.randomUUID(),
            URI.create("https://merchant.example/webhooks?tenant=7"),
            null,
            io.webhookdispatcher.WebhookSecret.generate(),
            Instant.now());

    assertThat(SvixRequestSchemas.problems(schemas.endpointIn, text(json.endpointIn(endpoint))))
        .isEmpty();
  }

  @Test
  void adapter_application_body_is_valid() {
    byte[] body = json.applicationIn("payments-webhooks", "Payments webhooks");

    assertThat(SvixRequestSchemas.problems(schemas.applicationIn, text(body))).isEmpty();
  }

  @Test
  void snake_case_field_rejected() {
    String body = "{\"event_type\": \"payment.created\", \"payload\": {}}";

    assertThat(SvixRequestSchemas.problems(schemas.messageIn, body))
        .anySatisfy(problem -> assertThat(problem).contains("eventType"))
        .anySatisfy(problem -> assertThat(problem).contains("event_type"));
  }

  @Test
  void event_id_pattern_enforced() {
    String body = "{\"eventType\": \"payment.created\", \"eventId\": \"msg:1\", \"payload\": {}}";

    assertThat(SvixRequestSchemas.problems(schemas.messageIn, body))
        .singleElement()
        .satisfies(problem -> assertThat(problem).contains("eventId"));
  }

  @Test
  void string_payload_rejected() {
    String body = "{\"eventType\": \"payment.created\", \"payload\": \"{}\"}";

    assertThat(SvixRequestSchemas.problems(schemas.messageIn, body))
        .singleElement()
        .satisfies(problem -> assertThat(problem).contains("payload"));
  }

  @Test
  void short_secret_rejected() {
    String body = "{\"url\": \"https://merchant.example/hook\", \"secret\": \"whsec_c2hvcnQ=\"}";

    assertThat(SvixRequestSchemas.problems(schemas.endpointIn, body))
        .singleElement()
        .satisfies(problem -> assertThat(problem).contains("secret"));
  }

  @Test
  void uid_with_space_rejected() {
    String body = "{\"url\": \"https://merchant.example/hook\", \"uid\": \"a b\"}";

    assertThat(SvixRequestSchemas.problems(schemas.endpointIn, body))
        .singleElement()
        .satisfies(problem -> assertThat(problem).contains("uid"));
  }

  @Test
  void numeric_description_rejected() {
    String body = "{\"url\": \"https://merchant.example/hook\", \"description\": 7}";

    assertThat(SvixRequestSchemas.problems(schemas.endpointIn, body))
        .singleElement()
        .satisfies(problem -> assertThat(problem).contains("description"));
  }

  @Test
  void endpoint_without_url_rejected() {
    String body = "{\"uid\": \"ep-1\"}";

    assertThat(SvixRequestSchemas.problems(schemas.endpointIn, body))
        .singleElement()
        .satisfies(problem -> assertThat(problem).contains("url"));
  }

  @Test
  void application_without_name_rejected() {
    String body = "{\"uid\": \"payments-webhooks\"}";

    assertThat(SvixRequestSchemas.problems(schemas.applicationIn, body))
        .singleElement()
        .satisfies(problem -> assertThat(problem).contains("name"));
  }

  private static String text(byte[] body) {
    return new String(body, StandardCharsets.UTF_8);
  }
}
