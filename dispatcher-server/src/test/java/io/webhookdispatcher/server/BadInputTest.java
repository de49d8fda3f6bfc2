package io.webhookdispatcher.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rejected requests: each gets its status and an error naming the field, and stores nothing. One
 * endpoint at a receiver that always responds with 500, with retries an hour apart, keeps every
 * stored delivery pending, so the pending count shows whether anything was stored.
 */
class BadInputTest {
  private static final int MAX_MESSAGE_BYTES = 1024;
  private static final String VALID_OBJECT_ID = "6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f";

  @TempDir static Path dataDir;

  private static Receiver receiver;
  private static DispatcherServer server;
  private static ApiClient api;

  @BeforeAll
  static void startServer() throws IOException {
    receiver = Receiver.respondingWith(500);
    server =
        TestServers.start(
            dataDir,
            "webhooks.message.max-bytes",
            Integer.toString(MAX_MESSAGE_BYTES),
            "webhooks.delivery.retry-schedule",
            "1h");
    api = new ApiClient(server.port());
    api.createEndpoint(receiver.url("/failing"));
  }

  @AfterAll
  static void stopServer() {
    server.close();
    receiver.close();
  }

  static Stream<Arguments> badEndpoints() {
    return Stream.of(
        Arguments.of("malformed JSON", "{\"url\": ", "not valid JSON"),
        Arguments.of("empty body", "", "request body is empty"),
        Arguments.of("JSON array", "[\"https://example.com\"]", "JSON object, got array"),
        Arguments.of("JSON string", "\"https://example.com\"", "JSON object, got string"),
        Arguments.of("missing url", "{\"description\": \"x\"}", "url is missing"),
        Arguments.of("url empty", "{\"url\": \"\"}", "url is empty"),
        Arguments.of("url blank", "{\"url\": \"  \"}", "url is empty"),
        Arguments.of("url number", "{\"url\": 42}", "url must be a string, got number"),
        Arguments.of("url null", "{\"url\": null}", "url must be a string, got null"),
        Arguments.of("url ftp", "{\"url\": \"ftp://example.com/hooks\"}", "url"),
        Arguments.of("url without host", "{\"url\": \"https:///hooks\"}", "url"),
        Arguments.of("url relative", "{\"url\": \"/hooks\"}", "url"),
        Arguments.of(
            "url with user-info",
            "{\"url\": \"https://user:pass@example.com/hooks\"}",
            "user-info"),
        Arguments.of(
            "url over 2048",
            "{\"url\": \"https://example.com/" + "a".repeat(2040) + "\"}",
            "url is 2060 characters long"),
        Arguments.of(
            "unknown field",
            "{\"url\": \"https://example.com/hooks\", \"secret\": \"mine\"}",
            "unknown field 'secret'"),
        Arguments.of(
            "description number",
            "{\"url\": \"https://example.com/hooks\", \"description\": 7}",
            "description must be a string or null, got number"),
        Arguments.of(
            "description over 1024",
            "{\"url\": \"https://example.com/hooks\", \"description\": \""
                + "d".repeat(1025)
                + "\"}",
            "description"),
        Arguments.of(
            "rate limit zero",
            "{\"url\": \"https://example.com/hooks\", \"rate_limit\": 0}",
            "rate_limit 0 is invalid: use 1 to 10000"),
        Arguments.of(
            "rate limit negative",
            "{\"url\": \"https://example.com/hooks\", \"rate_limit\": -3}",
            "rate_limit -3 is invalid"),
        Arguments.of(
            "rate limit too high",
            "{\"url\": \"https://example.com/hooks\", \"rate_limit\": 10001}",
            "rate_limit 10001 is invalid"),
        Arguments.of(
            "rate limit fraction",
            "{\"url\": \"https://example.com/hooks\", \"rate_limit\": 1.5}",
            "rate_limit must be a whole number or null, got 1.5"),
        Arguments.of(
            "rate limit string",
            "{\"url\": \"https://example.com/hooks\", \"rate_limit\": \"5\"}",
            "rate_limit must be a whole number or null, got string"),
        Arguments.of(
            "rate limit beyond int",
            "{\"url\": \"https://example.com/hooks\", \"rate_limit\": 99999999999}",
            "rate_limit 99999999999 is out of range for a whole number"),
        Arguments.of(
            "duplicate field",
            "{\"url\": \"https://example.com/a\", \"url\": \"https://example.com/b\"}",
            "Duplicate field 'url'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badEndpoints")
  void bad_endpoint_is_rejected(String name, String body, String expectedError) {
    ApiClient.Reply reply = api.post("/webhook/endpoints", body);

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.header("content-type")).isEqualTo("application/json; charset=utf-8");
    assertThat(reply.error()).contains(expectedError);
    assertThat(endpointsReachedByOneMessage()).isEqualTo(1);
  }

  @Test
  void user_info_password_is_not_echoed() {
    ApiClient.Reply reply =
        api.post("/webhook/endpoints", "{\"url\": \"https://user:hunter2@example.com/hooks\"}");

    assertThat(reply.error()).doesNotContain("hunter2");
  }

  static Stream<Arguments> badMessages() {
    String object = "{\"amount\": 10.10}";
    return Stream.of(
        Arguments.of("malformed JSON", "{\"event_type\": \"payment.created\"", "not valid JSON"),
        Arguments.of("JSON array", "[]", "JSON object, got array"),
        Arguments.of(
            "missing event_type",
            message(null, quoted(VALID_OBJECT_ID), "\"Payment\"", object),
            "event_type is missing"),
        Arguments.of(
            "missing object_id",
            message("\"payment.created\"", null, "\"Payment\"", object),
            "object_id is missing"),
        Arguments.of(
            "missing object_type",
            message("\"payment.created\"", quoted(VALID_OBJECT_ID), null, object),
            "object_type is missing"),
        Arguments.of(
            "missing object",
            message("\"payment.created\"", quoted(VALID_OBJECT_ID), "\"Payment\"", null),
            "object is missing"),
        Arguments.of(
            "event_type number",
            message("12", quoted(VALID_OBJECT_ID), "\"Payment\"", object),
            "event_type must be a string, got number"),
        Arguments.of(
            "event_type with a space",
            message("\"payment created\"", quoted(VALID_OBJECT_ID), "\"Payment\"", object),
            "event_type 'payment created' is invalid"),
        Arguments.of(
            "event_type empty",
            message("\"\"", quoted(VALID_OBJECT_ID), "\"Payment\"", object),
            "event_type"),
        Arguments.of(
            "object_id number",
            message("\"payment.created\"", "42", "\"Payment\"", object),
            "object_id must be a string, got number"),
        Arguments.of(
            "object_id not a UUID",
            message("\"payment.created\"", "\"order-42\"", "\"Payment\"", object),
            "object_id 'order-42' is not a UUID"),
        Arguments.of(
            "object_type boolean",
            message("\"payment.created\"", quoted(VALID_OBJECT_ID), "true", object),
            "object_type must be a string, got boolean"),
        Arguments.of(
            "object_type blank",
            message("\"payment.created\"", quoted(VALID_OBJECT_ID), "\"  \"", object),
            "object_type"),
        Arguments.of(
            "object array",
            message("\"payment.created\"", quoted(VALID_OBJECT_ID), "\"Payment\"", "[1, 2]"),
            "object must be a JSON object, got array"),
        Arguments.of(
            "object string",
            message("\"payment.created\"", quoted(VALID_OBJECT_ID), "\"Payment\"", "\"{}\""),
            "object must be a JSON object, got string"),
        Arguments.of(
            "object null",
            message("\"payment.created\"", quoted(VALID_OBJECT_ID), "\"Payment\"", "null"),
            "object must be a JSON object, got null"),
        Arguments.of(
            "unknown field",
            "{\"event_type\": \"payment.created\", \"object_id\": \""
                + VALID_OBJECT_ID
                + "\", \"object_type\": \"Payment\", \"object\": {}, \"priority\": 1}",
            "unknown field 'priority'"),
        Arguments.of(
            "trailing content",
            message("\"payment.created\"", quoted(VALID_OBJECT_ID), "\"Payment\"", object) + " {}",
            "not valid JSON"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badMessages")
  void bad_message_is_rejected(String name, String body, String expectedError) {
    long pendingBefore = server.dispatcher().pendingDeliveries();

    ApiClient.Reply reply = api.post("/webhook/messages", body);

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error()).contains(expectedError);
    assertThat(server.dispatcher().pendingDeliveries()).isEqualTo(pendingBefore);
  }

  @Test
  void invalid_idempotency_key_is_rejected() {
    long pendingBefore = server.dispatcher().pendingDeliveries();

    ApiClient.Reply reply = api.post("/webhook/messages", validMessage(), "key with spaces");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error()).contains("idempotency key");
    assertThat(server.dispatcher().pendingDeliveries()).isEqualTo(pendingBefore);
  }

  @Test
  void message_over_max_bytes_returns_413() {
    long pendingBefore = server.dispatcher().pendingDeliveries();
    String body =
        message(
            "\"payment.created\"",
            quoted(VALID_OBJECT_ID),
            "\"Payment\"",
            "{\"note\": \"" + "n".repeat(MAX_MESSAGE_BYTES) + "\"}");

    ApiClient.Reply reply = api.post("/webhook/messages", body);

    assertThat(reply.status()).isEqualTo(413);
    assertThat(reply.header("content-type")).isEqualTo("application/json; charset=utf-8");
    assertThat(reply.error()).contains("webhooks.message.max-bytes");
    assertThat(server.dispatcher().pendingDeliveries()).isEqualTo(pendingBefore);
  }

  @Test
  void body_over_read_limit_returns_json_413() {
    long pendingBefore = server.dispatcher().pendingDeliveries();
    byte[] body = new byte[DispatcherServer.MIN_REQUEST_BYTES + 1];
    Arrays.fill(body, (byte) ' ');

    ApiClient.Reply reply = api.post("/webhook/messages", body);

    assertThat(reply.status()).isEqualTo(413);
    assertThat(reply.header("content-type")).isEqualTo("application/json; charset=utf-8");
    assertThat(reply.error()).contains("maximum of " + DispatcherServer.MIN_REQUEST_BYTES);
    assertThat(server.dispatcher().pendingDeliveries()).isEqualTo(pendingBefore);
  }

  @Test
  void connection_stays_usable_after_413() {
    byte[] body = new byte[DispatcherServer.MIN_REQUEST_BYTES * 2];
    Arrays.fill(body, (byte) ' ');
    api.post("/webhook/endpoints", body);

    ApiClient.Reply reply = api.get("/health");

    assertThat(reply.status()).isEqualTo(200);
  }

  @Test
  void valid_message_is_counted() {
    long pendingBefore = server.dispatcher().pendingDeliveries();

    ApiClient.Reply reply = api.post("/webhook/messages", validMessage());

    assertThat(reply.status()).isEqualTo(202);
    assertThat(server.dispatcher().pendingDeliveries()).isEqualTo(pendingBefore + 1);
  }

  /**
   * Publishes a valid message and returns how many deliveries it added: the number of endpoints
   * that exist.
   */
  private static long endpointsReachedByOneMessage() {
    long pendingBefore = server.dispatcher().pendingDeliveries();
    ApiClient.Reply reply = api.post("/webhook/messages", validMessage());
    assertThat(reply.status()).isEqualTo(202);
    return server.dispatcher().pendingDeliveries() - pendingBefore;
  }

  private static String validMessage() {
    return message("\"payment.created\"", quoted(VALID_OBJECT_ID), "\"Payment\"", "{}");
  }

  /** Builds a message body, leaving out each field given as {@code null}. */
  private static String message(
      String eventType, String objectId, String objectType, String object) {
    StringBuilder json = new StringBuilder("{");
    appendField(json, "event_type", eventType);
    appendField(json, "object_id", objectId);
    appendField(json, "object_type", objectType);
    appendField(json, "object", object);
    return json.append('}').toString();
  }

  private static void appendField(StringBuilder json, String name, String value) {
    if (value == null) {
      return;
    }
    if (json.length() > 1) {
      json.append(", ");
    }
    json.append('"').append(name).append("\": ").append(value);
  }

  private static String quoted(String text) {
    return "\"" + text + "\"";
  }
}
