package io.webhookdispatcher.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay, recovery and the attempts of an endpoint over HTTP, with a real receiver on 127.0.0.1.
 * Each test has a server and database of its own, so a message reaches only the test's endpoints.
 * The server retries nothing, so one failed attempt fails a delivery.
 */
class DeliveryOperationsApiTest {
  private static final Duration DELIVERY_WAIT = Duration.ofSeconds(10);

  @TempDir Path dataDir;

  private DispatcherServer server;
  private ApiClient api;
  private Receiver receiver;

  @BeforeEach
  void start() throws IOException {
    server = TestServers.start(dataDir, "webhooks.delivery.retry-schedule", "");
    api = new ApiClient(server.port());
    receiver = Receiver.start();
  }

  @AfterEach
  void stop() {
    receiver.close();
    server.close();
  }

  @Test
  void replay_resends_failed_message() {
    receiver.thenRespondWith(500);
    String endpointId = api.createEndpoint(receiver.url("/hooks")).get("id").asText();
    String messageId = publish();
    awaitAttempts(messageId, 1);

    ApiClient.Reply reply =
        api.post("/webhook/messages/" + messageId + "/endpoints/" + endpointId + "/replay", "");

    assertThat(reply.status()).isEqualTo(202);
    assertThat(reply.json().get("message_id").asText()).isEqualTo(messageId);
    assertThat(reply.json().get("endpoint_id").asText()).isEqualTo(endpointId);
    assertThat(reply.json().get("state").asText()).isEqualTo("pending");
    JsonNode attempts = awaitAttempts(messageId, 2);
    assertThat(values(attempts, "trigger")).containsExactly("scheduled", "manual");
    assertThat(values(attempts, "status_code")).containsExactly("500", "200");
    assertThat(receiver.received())
        .extracting(request -> request.header("webhook-id"))
        .containsExactly(messageId, messageId);
  }

  @Test
  void replay_of_unknown_ids_returns_404() {
    String endpointId = api.createEndpoint(receiver.url("/hooks")).get("id").asText();
    String messageId = publish();
    awaitAttempts(messageId, 1);
    String laterEndpointId = api.createEndpoint(receiver.url("/later")).get("id").asText();
    String unknownId = UUID.randomUUID().toString();

    ApiClient.Reply unknownMessage = api.post(replayPath(unknownId, endpointId), "");
    ApiClient.Reply unknownEndpoint = api.post(replayPath(messageId, unknownId), "");
    ApiClient.Reply neverSent = api.post(replayPath(messageId, laterEndpointId), "");
    ApiClient.Reply badId = api.post(replayPath(messageId, "not-a-uuid"), "");

    assertThat(unknownMessage.status()).isEqualTo(404);
    assertThat(unknownMessage.error()).contains("message " + unknownId + " not found");
    assertThat(unknownEndpoint.status()).isEqualTo(404);
    assertThat(unknownEndpoint.error()).contains("endpoint " + unknownId + " not found");
    assertThat(neverSent.status()).isEqualTo(404);
    assertThat(neverSent.error()).contains("was never sent to endpoint " + laterEndpointId);
    assertThat(badId.status()).isEqualTo(400);
    assertThat(badId.error()).contains("endpoint_id 'not-a-uuid'");
  }

  @Test
  void replay_rejects_body_fields() {
    String endpointId = api.createEndpoint(receiver.url("/hooks")).get("id").asText();
    String messageId = publish();
    awaitAttempts(messageId, 1);

    ApiClient.Reply withField = api.post(replayPath(messageId, endpointId), "{\"force\": true}");
    ApiClient.Reply notJson = api.post(replayPath(messageId, endpointId), "force");
    ApiClient.Reply emptyObject = api.post(replayPath(messageId, endpointId), "{}");

    assertThat(withField.status()).isEqualTo(400);
    assertThat(withField.error()).contains("unknown field 'force'");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(emptyObject.status()).isEqualTo(202);
  }

  @Test
  void disabled_endpoint_returns_409() throws IOException {
    try (Receiver gone = Receiver.respondingWith(410)) {
      String endpointId = api.createEndpoint(gone.url("/hooks")).get("id").asText();
      String messageId = publish();
      await()
          .atMost(DELIVERY_WAIT)
          .until(() -> api.get("/webhook/endpoints/" + endpointId).json().get("disabled").asBoolean());

      ApiClient.Reply replay = api.post(replayPath(messageId, endpointId), "");
      ApiClient.Reply recover =
          api.post(
              "/webhook/endpoints/" + endpointId + "/recover",
              "{\"since\": \"2026-01-01T00:00:00Z\"}");

      assertThat(replay.status()).isEqualTo(409);
      assertThat(replay.error()).contains("is disabled").contains("enable it again");
      assertThat(recover.status()).isEqualTo(409);
      assertThat(recover.error()).contains("is disabled");
    }
  }

  @Test
  void recover_queues_failed_deliveries() {
    receiver.thenRespondWith(500, 503);
    String endpointId = api.createEndpoint(receiver.url("/hooks")).get("id").asText();
    String first = publish();
    awaitAttempts(first, 1);
    String second = publish();
    awaitAttempts(second, 1);
    String since = api.get("/webhook/messages/" + first + "/attempts").json()
        .get("data").get(0).get("timestamp").asText();

    ApiClient.Reply reply =
        api.post(
            "/webhook/endpoints/" + endpointId + "/recover",
            "{\"since\": \"" + Instant.parse(since).minusSeconds(5) + "\"}");

    assertThat(reply.status()).isEqualTo(202);
    assertThat(reply.json().get("queued").asInt()).isEqualTo(2);
    assertThat(reply.json().get("endpoint_id").asText()).isEqualTo(endpointId);
    assertThat(values(awaitAttempts(first, 2), "trigger")).containsExactly("scheduled", "manual");
    assertThat(values(awaitAttempts(second, 2), "trigger")).containsExactly("scheduled", "manual");
  }

  @Test
  void recover_rejects_bad_since() {
    String endpointId = api.createEndpoint(receiver.url("/hooks")).get("id").asText();
    String path = "/webhook/endpoints/" + endpointId + "/recover";
    String future = Instant.now().plus(Duration.ofDays(2)).toString();

    ApiClient.Reply missing = api.post(path, "{}");
    ApiClient.Reply unparsable = api.post(path, "{\"since\": \"yesterday\"}");
    ApiClient.Reply ahead = api.post(path, "{\"since\": \"" + future + "\"}");
    ApiClient.Reply unknownField = api.post(path, "{\"since\": \"2026-01-01T00:00:00Z\", \"x\": 1}");
    ApiClient.Reply unknownEndpoint =
        api.post(
            "/webhook/endpoints/" + UUID.randomUUID() + "/recover",
            "{\"since\": \"2026-01-01T00:00:00Z\"}");

    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.error()).isEqualTo("since is missing");
    assertThat(unparsable.status()).isEqualTo(400);
    assertThat(unparsable.error()).contains("since 'yesterday' is not a valid time");
    assertThat(ahead.status()).isEqualTo(400);
    assertThat(ahead.error()).contains(future).contains("in the future");
    assertThat(unknownField.status()).isEqualTo(400);
    assertThat(unknownField.error()).contains("unknown field 'x'");
    assertThat(unknownEndpoint.status()).isEqualTo(404);
  }

  @Test
  void endpoint_attempts_page_with_cursor() {
    receiver.thenRespondWith(500, 500);
    String endpointId = api.createEndpoint(receiver.url("/hooks")).get("id").asText();
    for (int i = 0; i < 5; i++) {
      awaitAttempts(publish(), 1);
    }
    String path = "/webhook/endpoints/" + endpointId + "/attempts";

    List<String> statuses = new ArrayList<>();
    List<Integer> pageSizes = new ArrayList<>();
    String cursor = null;
    do {
      ApiClient.Reply reply = api.get(path + "?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
      assertThat(reply.status()).isEqualTo(200);
      JsonNode page = reply.json();
      statuses.addAll(values(page.get("data"), "status_code"));
      pageSizes.add(page.get("data").size());
      cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
    } while (cursor != null);
    JsonNode failed = api.get(path + "?outcome=failed").json().get("data");
    JsonNode succeeded = api.get(path + "?outcome=succeeded").json().get("data");

    assertThat(pageSizes).containsExactly(2, 2, 1);
    assertThat(statuses).containsExactly("200", "200", "200", "500", "500");
    assertThat(values(failed, "status_code")).containsExactly("500", "500");
    assertThat(succeeded).hasSize(3);
    assertThat(failed.get(0).get("endpoint_id").asText()).isEqualTo(endpointId);
    assertThat(failed.get(0).get("message_id").asText()).isNotBlank();
  }

  @Test
  void endpoint_attempts_reject_bad_queries() {
    String endpointId = api.createEndpoint(receiver.url("/hooks")).get("id").asText();
    String path = "/webhook/endpoints/" + endpointId + "/attempts";

    ApiClient.Reply badCursor = api.get(path + "?cursor=bm90LWEtY3Vyc29y");
    ApiClient.Reply zeroLimit = api.get(path + "?limit=0");
    ApiClient.Reply textLimit = api.get(path + "?limit=ten");
    ApiClient.Reply badOutcome = api.get(path + "?outcome=lost");
    ApiClient.Reply unknownParameter = api.get(path + "?page=2");
    ApiClient.Reply repeated = api.get(path + "?limit=1&limit=2");
    ApiClient.Reply unknownEndpoint =
        api.get("/webhook/endpoints/" + UUID.randomUUID() + "/attempts");

    assertThat(badCursor.status()).isEqualTo(400);
    assertThat(badCursor.error()).contains("cursor 'bm90LWEtY3Vyc29y' is invalid");
    assertThat(zeroLimit.status()).isEqualTo(400);
    assertThat(zeroLimit.error()).contains("limit 0 is invalid");
    assertThat(textLimit.status()).isEqualTo(400);
    assertThat(textLimit.error()).contains("limit 'ten' is not a whole number");
    assertThat(badOutcome.status()).isEqualTo(400);
    assertThat(badOutcome.error()).contains("outcome 'lost' is invalid");
    assertThat(unknownParameter.status()).isEqualTo(400);
    assertThat(unknownParameter.error()).contains("unknown query parameter 'page'");
    assertThat(repeated.status()).isEqualTo(400);
    assertThat(repeated.error()).contains("limit is given 2 times");
    assertThat(unknownEndpoint.status()).isEqualTo(404);
  }

  private String publish() {
    ApiClient.Reply reply = api.post("/webhook/messages", DeliveryEndToEndTest.PAYMENT_CREATED);
    assertThat(reply.status()).isEqualTo(202);
    return reply.json().get("id").asText();
  }

  private static String replayPath(String messageId, String endpointId) {
    return "/webhook/messages/" + messageId + "/endpoints/" + endpointId + "/replay";
  }

  private JsonNode awaitAttempts(String messageId, int count) {
    String path = "/webhook/messages/" + messageId + "/attempts";
    await().atMost(DELIVERY_WAIT).until(() -> api.get(path).json().get("data").size() >= count);
    return api.get(path).json().get("data");
  }

  private static List<String> values(JsonNode array, String field) {
    List<String> values = new ArrayList<>();
    array.forEach(element -> values.add(element.get(field).asText()));
    return values;
  }
}
