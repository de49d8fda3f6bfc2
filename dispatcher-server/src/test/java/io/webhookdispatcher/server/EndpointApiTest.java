package io.webhookdispatcher.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EndpointApiTest {
  @TempDir static Path dataDir;

  private static DispatcherServer server;
  private static ApiClient api;

  @BeforeAll
  static void startServer() {
    server = TestServers.start(dataDir);
    api = new ApiClient(server.port());
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void create_returns_201_with_endpoint() {
    ApiClient.Reply reply =
        api.post(
            "/webhook/endpoints",
            "{\"url\": \"https://example.com/hooks\", \"description\": \"Orders\"}");

    assertThat(reply.status()).isEqualTo(201);
    JsonNode json = reply.json();
    List<String> fields = new ArrayList<>();
    json.fieldNames().forEachRemaining(fields::add);
    assertThat(fields)
        .containsExactly(
            "id",
            "url",
            "description",
            "secret",
            "created_at",
            "disabled",
            "disabled_at",
            "disabled_reason",
            "rate_limit",
            "event_types");
    assertThat(json.get("disabled").asBoolean()).isFalse();
    assertThat(json.get("disabled_at").isNull()).isTrue();
    assertThat(UUID.fromString(json.get("id").asText()).toString())
        .isEqualTo(json.get("id").asText());
    assertThat(json.get("url").asText()).isEqualTo("https://example.com/hooks");
    assertThat(json.get("description").asText()).isEqualTo("Orders");
    assertThat(json.get("created_at").asText()).endsWith("Z");
    assertThat(Instant.parse(json.get("created_at").asText()))
        .isCloseTo(Instant.now(), within(1, ChronoUnit.MINUTES));
  }

  @Test
  void create_returns_json_content_type() {
    ApiClient.Reply reply = api.post("/webhook/endpoints", "{\"url\": \"https://example.com/a\"}");

    assertThat(reply.header("content-type")).isEqualTo("application/json; charset=utf-8");
  }

  @Test
  void secret_is_24_random_bytes() {
    JsonNode first = api.createEndpoint("https://example.com/first");
    JsonNode second = api.createEndpoint("https://example.com/second");

    String secret = first.get("secret").asText();
    assertThat(secret).startsWith("whsec_");
    assertThat(Base64.getDecoder().decode(secret.substring("whsec_".length()))).hasSize(24);
    assertThat(second.get("secret").asText()).isNotEqualTo(secret);
  }

  @Test
  void absent_description_is_null() {
    JsonNode endpoint = api.createEndpoint("https://example.com/plain");

    assertThat(endpoint.get("description").isNull()).isTrue();
  }

  @Test
  void null_description_is_accepted() {
    ApiClient.Reply reply =
        api.post(
            "/webhook/endpoints", "{\"url\": \"https://example.com/n\", \"description\": null}");

    assertThat(reply.status()).isEqualTo(201);
    assertThat(reply.json().get("description").isNull()).isTrue();
  }

  @Test
  void get_returns_created_endpoint() {
    JsonNode created = api.createEndpoint("https://example.com/get");

    ApiClient.Reply reply = api.get("/webhook/endpoints/" + created.get("id").asText());

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json()).isEqualTo(created);
  }

  @Test
  void delete_returns_204_then_get_404() {
    String id = api.createEndpoint("https://example.com/delete").get("id").asText();

    ApiClient.Reply deleted = api.delete("/webhook/endpoints/" + id);
    ApiClient.Reply afterwards = api.get("/webhook/endpoints/" + id);

    assertThat(deleted.status()).isEqualTo(204);
    assertThat(deleted.body()).isEmpty();
    assertThat(deleted.header("content-type")).isNull();
    assertThat(afterwards.status()).isEqualTo(404);
    assertThat(afterwards.error()).isEqualTo("endpoint " + id + " not found");
  }

  @Test
  void second_delete_returns_404() {
    String id = api.createEndpoint("https://example.com/twice").get("id").asText();
    api.delete("/webhook/endpoints/" + id);

    ApiClient.Reply reply = api.delete("/webhook/endpoints/" + id);

    assertThat(reply.status()).isEqualTo(404);
  }

  @Test
  void get_unknown_id_returns_404() {
    UUID unknown = UUID.randomUUID();

    ApiClient.Reply reply = api.get("/webhook/endpoints/" + unknown);

    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.error()).isEqualTo("endpoint " + unknown + " not found");
  }

  @Test
  void get_bad_id_returns_400() {
    ApiClient.Reply reply = api.get("/webhook/endpoints/not-a-uuid");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error()).startsWith("id ");
    assertThat(reply.error()).contains("'not-a-uuid'");
  }

  @Test
  void delete_bad_id_returns_400() {
    ApiClient.Reply reply = api.delete("/webhook/endpoints/12345");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error()).contains("'12345'");
  }

  @Test
  void attempts_of_unknown_message_return_404() {
    UUID unknown = UUID.randomUUID();

    ApiClient.Reply reply = api.get("/webhook/messages/" + unknown + "/attempts");

    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.error()).isEqualTo("message " + unknown + " not found");
  }

  @Test
  void attempts_with_bad_id_return_400() {
    ApiClient.Reply reply = api.get("/webhook/messages/abc/attempts");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error()).contains("'abc'");
  }
}
