package io.webhookdispatcher.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.webhookdispatcher.WebhookVerifier;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Messages published over HTTP and delivered to a real receiver on 127.0.0.1. */
class DeliveryEndToEndTest {
  private static final Duration DELIVERY_WAIT = Duration.ofSeconds(10);
  private static final Duration QUIET_PERIOD = Duration.ofMillis(400);

  static final String PAYMENT_CREATED =
      """
      {"event_type": "payment.created",
       "object_id": "0b6f2c1e-4d7a-4e8b-9c3d-2f1a0e9b8c7d",
       "object_type": "Payment",
       "object": {
         "id": "0b6f2c1e-4d7a-4e8b-9c3d-2f1a0e9b8c7d",
         "amount": 1999.90,
         "currency": "EUR",
         "merchant_id": "mer_7Hq2Lk9",
         "status": "pending",
         "description": "Café Zürich, table 12",
         "method": {"type": "card", "card": {"brand": "visa", "last4": "4242", "exp": "12/28"}},
         "metadata": {"order_ref": "A-1001", "tip": 2.50},
         "created_at": "2026-03-14T09:26:53Z"}}
      """;

  static final String PAYMENT_UPDATED =
      """
      {"event_type": "payment.updated",
       "object_id": "0b6f2c1e-4d7a-4e8b-9c3d-2f1a0e9b8c7d",
       "object_type": "Payment",
       "object": {
         "id": "0b6f2c1e-4d7a-4e8b-9c3d-2f1a0e9b8c7d",
         "amount": 1999.90,
         "captured_amount": 1999.90,
         "currency": "EUR",
         "merchant_id": "mer_7Hq2Lk9",
         "status": "captured",
         "fees": [{"type": "processing", "amount": 29.00}, {"type": "fx", "amount": 0.10}],
         "refunds": [],
         "updated_at": "2026-03-14T09:27:05Z"}}
      """;

  static final String TRANSACTION_CREATED =
      """
      {"event_type": "transaction.created",
       "object_id": "5e3d9a7b-1c2f-4a6e-8b0d-7c9e1f3a5b2d",
       "object_type": "TransactionRequest",
       "object": {
         "id": "5e3d9a7b-1c2f-4a6e-8b0d-7c9e1f3a5b2d",
         "amount": 10.10,
         "currency": "CHF",
         "merchant_id": "mer_Zr81",
         "status": "requested",
         "payer": {"name": "Zoë Ångström", "country": "SE", "email": null},
         "items": [
           {"sku": "ESP-01", "name": "Espresso doppio", "quantity": 2, "unit_price": 4.50},
           {"sku": "CRO-02", "name": "Croissant", "quantity": 1, "unit_price": 1.10}],
         "exchange_rate": 0.9412300,
         "reserve": 12345678901234567890.12,
         "test_mode": false}}
      """;

  static final String TRANSACTION_UPDATED =
      """
      {"event_type": "transaction.updated",
       "object_id": "5e3d9a7b-1c2f-4a6e-8b0d-7c9e1f3a5b2d",
       "object_type": "TransactionRequest",
       "object": {
         "id": "5e3d9a7b-1c2f-4a6e-8b0d-7c9e1f3a5b2d",
         "amount": 10.10,
         "settled_amount": 1.0E+3,
         "currency": "CHF",
         "merchant_id": "mer_Zr81",
         "status": "settled",
         "reference": "Bäckerei Müller GmbH, Straße 5",
         "note": "Danke \\ud83d\\ude4f \\"merci\\"",
         "history": [{"status": "requested"}, {"status": "settled", "batch": 7}]}}
      """;

  @TempDir Path dataDir;

  private Receiver receiver;
  private DispatcherServer server;
  private ApiClient api;

  @BeforeEach
  void startServer() throws IOException {
    receiver = Receiver.start();
    server = TestServers.start(dataDir, "webhooks.delivery.retry-schedule", "200ms,200ms");
    api = new ApiClient(server.port());
  }

  @AfterEach
  void stopServer() {
    server.close();
    receiver.close();
  }

  @Test
  void each_event_type_arrives_once_signed() throws IOException {
    String secret = api.createEndpoint(receiver.url("/hooks")).get("secret").asText();
    Map<String, JsonNode> sentById = new LinkedHashMap<>();
    for (String body :
        List.of(PAYMENT_CREATED, PAYMENT_UPDATED, TRANSACTION_CREATED, TRANSACTION_UPDATED)) {
      ApiClient.Reply reply = api.post("/webhook/messages", body);
      assertThat(reply.status()).isEqualTo(202);
      sentById.put(reply.json().get("id").asText(), ApiClient.MAPPER.readTree(body));
    }

    await().atMost(DELIVERY_WAIT).until(() -> receiver.received().size() >= 4);
    await().during(QUIET_PERIOD).atMost(DELIVERY_WAIT).until(() -> receiver.received().size() == 4);

    List<String> receivedIds =
        receiver.received().stream()
            .map(request -> request.header("webhook-id"))
            .collect(Collectors.toList());
    assertThat(receivedIds).containsExactlyInAnyOrderElementsOf(sentById.keySet());
    for (Receiver.Received request : receiver.received()) {
      JsonNode sent = sentById.get(request.header("webhook-id"));
      JsonNode delivered = ApiClient.MAPPER.readTree(request.body());
      assertThat(delivered).isEqualTo(sent);
      assertThat(fieldNames(delivered))
          .containsExactly("event_type", "object_id", "object_type", "object");
      assertThat(request.bodyText())
          .contains(ApiClient.MAPPER.writeValueAsString(sent.get("object")));
      assertThat(request.header("content-type")).startsWith("application/json");
      assertThatCode(
              () -> WebhookVerifier.forSecret(secret).verify(request.headers(), request.body()))
          .doesNotThrowAnyException();
    }
    for (String messageId : sentById.keySet()) {
      JsonNode attempts = awaitAttempts(messageId, 1);
      assertThat(attempts).hasSize(1);
      assertThat(attempts.get(0).get("status_code").asInt()).isEqualTo(200);
    }
  }

  @Test
  void decimals_keep_trailing_zeros() {
    api.createEndpoint(receiver.url("/hooks"));

    api.post("/webhook/messages", TRANSACTION_CREATED);

    await().atMost(DELIVERY_WAIT).until(() -> receiver.received().size() == 1);
    String body = receiver.received().get(0).bodyText();
    assertThat(body).contains("\"amount\":10.10");
    assertThat(body).contains("\"unit_price\":4.50");
    assertThat(body).contains("\"exchange_rate\":0.9412300");
    assertThat(body).contains("\"reserve\":12345678901234567890.12");
    assertThat(body).contains("Zoë Ångström");
  }

  @Test
  void emoji_is_sent_as_utf8() {
    api.createEndpoint(receiver.url("/hooks"));

    api.post("/webhook/messages", TRANSACTION_UPDATED);

    await().atMost(DELIVERY_WAIT).until(() -> receiver.received().size() == 1);
    assertThat(receiver.received().get(0).bodyText()).contains("\"note\":\"Danke \ud83d\ude4f");
  }

  @Test
  void publish_returns_202_without_object() {
    ApiClient.Reply reply = api.post("/webhook/messages", PAYMENT_CREATED);

    assertThat(reply.status()).isEqualTo(202);
    JsonNode json = reply.json();
    assertThat(fieldNames(json))
        .containsExactly("id", "event_type", "object_id", "object_type", "created_at");
    assertThat(json.get("event_type").asText()).isEqualTo("payment.created");
    assertThat(json.get("object_id").asText()).isEqualTo("0b6f2c1e-4d7a-4e8b-9c3d-2f1a0e9b8c7d");
    assertThat(json.get("object_type").asText()).isEqualTo("Payment");
    assertThat(Instant.parse(json.get("created_at").asText()))
        .isBefore(Instant.now().plusSeconds(60));
    assertThat(reply.header("Idempotent-Replayed")).isNull();
  }

  @Test
  void attempts_show_one_success() {
    String endpointId = api.createEndpoint(receiver.url("/hooks")).get("id").asText();
    String messageId = api.post("/webhook/messages", PAYMENT_CREATED).json().get("id").asText();

    JsonNode data = awaitAttempts(messageId, 1);

    assertThat(data).hasSize(1);
    JsonNode attempt = data.get(0);
    assertThat(fieldNames(attempt))
        .containsExactly(
            "endpoint_id",
            "attempt",
            "timestamp",
            "status_code",
            "error",
            "duration_ms",
            "response",
            "trigger",
            "message_id");
    assertThat(attempt.get("endpoint_id").asText()).isEqualTo(endpointId);
    assertThat(attempt.get("trigger").asText()).isEqualTo("scheduled");
    assertThat(attempt.get("message_id").asText()).isEqualTo(messageId);
    assertThat(attempt.get("attempt").asInt()).isEqualTo(1);
    assertThat(attempt.get("status_code").asInt()).isEqualTo(200);
    assertThat(attempt.get("error").isNull()).isTrue();
    assertThat(attempt.get("duration_ms").asLong()).isNotNegative();
    assertThat(attempt.get("response").asText()).isEqualTo("status 200");
    assertThat(Instant.parse(attempt.get("timestamp").asText())).isBefore(Instant.now());
  }

  @Test
  void failed_attempts_are_retried() {
    receiver.thenRespondWith(500, 500);
    api.createEndpoint(receiver.url("/flaky"));
    String messageId = api.post("/webhook/messages", PAYMENT_UPDATED).json().get("id").asText();

    JsonNode data = awaitAttempts(messageId, 3);

    await().during(QUIET_PERIOD).atMost(DELIVERY_WAIT).until(() -> receiver.received().size() == 3);
    assertThat(receiver.received())
        .extracting(request -> request.header("webhook-id"))
        .containsOnly(messageId);
    assertThat(values(data, "status_code")).containsExactly("500", "500", "200");
    assertThat(values(data, "attempt")).containsExactly("1", "2", "3");
    assertThat(values(data, "error")).containsOnly("null");
  }

  @Test
  void attempt_without_response_has_error() throws IOException {
    Receiver closed = Receiver.start();
    String url = closed.url("/gone");
    closed.close();
    api.createEndpoint(url);
    String messageId = api.post("/webhook/messages", PAYMENT_CREATED).json().get("id").asText();

    JsonNode attempt = awaitAttempts(messageId, 1).get(0);

    assertThat(attempt.get("status_code").isNull()).isTrue();
    assertThat(attempt.get("error").asText()).isNotBlank();
  }

  @Test
  void same_idempotency_key_delivers_once() {
    api.createEndpoint(receiver.url("/hooks"));

    ApiClient.Reply first = api.post("/webhook/messages", PAYMENT_CREATED, "order-A-1001-created");
    ApiClient.Reply second = api.post("/webhook/messages", PAYMENT_CREATED, "order-A-1001-created");

    assertThat(first.status()).isEqualTo(202);
    assertThat(second.status()).isEqualTo(202);
    assertThat(second.json().get("id")).isEqualTo(first.json().get("id"));
    assertThat(second.header("Idempotent-Replayed")).isEqualTo("true");
    await().atMost(DELIVERY_WAIT).until(() -> receiver.received().size() >= 1);
    await().during(QUIET_PERIOD).atMost(DELIVERY_WAIT).until(() -> receiver.received().size() == 1);
    assertThat(receiver.received().get(0).header("webhook-id"))
        .isEqualTo(first.json().get("id").asText());
  }

  @Test
  void replay_reports_first_message() {
    ApiClient.Reply first = api.post("/webhook/messages", PAYMENT_CREATED, "key-7");

    ApiClient.Reply replay = api.post("/webhook/messages", PAYMENT_CREATED, "key-7");

    assertThat(replay.json()).isEqualTo(first.json());
  }

  @Test
  void reused_key_with_other_message_is_rejected() {
    ApiClient.Reply first = api.post("/webhook/messages", PAYMENT_CREATED, "key-8");

    ApiClient.Reply reuse = api.post("/webhook/messages", TRANSACTION_CREATED, "key-8");

    assertThat(reuse.status()).isEqualTo(400);
    assertThat(reuse.error()).contains("idempotency key 'key-8'");
    assertThat(reuse.error()).contains(first.json().get("id").asText());
  }

  private JsonNode awaitAttempts(String messageId, int count) {
    String path = "/webhook/messages/" + messageId + "/attempts";
    await().atMost(DELIVERY_WAIT).until(() -> api.get(path).json().get("data").size() >= count);
    ApiClient.Reply reply = api.get(path);
    assertThat(reply.status()).isEqualTo(200);
    return reply.json().get("data");
  }

  private static List<String> fieldNames(JsonNode json) {
    List<String> names = new ArrayList<>();
    json.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<String> values(JsonNode data, String field) {
    List<String> values = new ArrayList<>();
    data.forEach(attempt -> values.add(attempt.get(field).asText("null")));
    return values;
  }
}
