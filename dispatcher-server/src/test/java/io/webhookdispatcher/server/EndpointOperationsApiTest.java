package io.webhookdispatcher.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Event type filters, updates, listing and secret rotation through the HTTP API. */
class EndpointOperationsApiTest {
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
  void create_returns_sorted_event_types() {
    ApiClient.Reply reply =
        api.post(
            "/webhook/endpoints",
            "{\"url\": \"https://example.com/t\", \"event_types\": [\"b.x\", \"a.x\", \"b.x\"]}");

    assertThat(reply.status()).isEqualTo(201);
    assertThat(reply.json().get("event_types").toString()).isEqualTo("[\"a.x\",\"b.x\"]");
  }

  @Test
  void create_without_event_types_returns_null() {
    JsonNode endpoint = api.createEndpoint("https://example.com/all");

    assertThat(endpoint.get("event_types").isNull()).isTrue();
  }

  @Test
  void bad_event_types_return_400() {
    String[][] cases = {
      {"[]", "event_types is an empty list"},
      {"[\"ok.type\", \"not ok\"]", "event_types[1] 'not ok' is invalid"},
      {"[\"ok.type\", 7]", "event_types[1] must be a string, got 7"},
      {"\"payment.created\"", "event_types must be an array of strings or null, got string"},
    };
    for (String[] badCase : cases) {
      ApiClient.Reply reply =
          api.post(
              "/webhook/endpoints",
              "{\"url\": \"https://example.com/bad\", \"event_types\": " + badCase[0] + "}");

      assertThat(reply.status()).as(badCase[0]).isEqualTo(400);
      assertThat(reply.error()).as(badCase[0]).contains(badCase[1]);
    }
  }

  @Test
  void patch_changes_given_fields_only() {
    String id = createEndpoint("{\"url\": \"https://example.com/p\", \"description\": \"old\"}");

    ApiClient.Reply reply =
        api.patch(
            "/webhook/endpoints/" + id,
            "{\"url\": \"https://example.com/p2\", \"event_types\": [\"order.paid\"],"
                + " \"rate_limit\": 9}");

    assertThat(reply.status()).isEqualTo(200);
    JsonNode json = reply.json();
    assertThat(json.get("url").asText()).isEqualTo("https://example.com/p2");
    assertThat(json.get("description").asText()).isEqualTo("old");
    assertThat(json.get("event_types").toString()).isEqualTo("[\"order.paid\"]");
    assertThat(json.get("rate_limit").asInt()).isEqualTo(9);
    assertThat(api.get("/webhook/endpoints/" + id).json()).isEqualTo(json);
  }

  @Test
  void patch_nulls_remove_values() {
    String id =
        createEndpoint(
            "{\"url\": \"https://example.com/n\", \"description\": \"d\", \"rate_limit\": 3,"
                + " \"event_types\": [\"a.b\"]}");

    JsonNode json =
        api.patch(
                "/webhook/endpoints/" + id,
                "{\"description\": null, \"rate_limit\": null, \"event_types\": null}")
            .json();

    assertThat(json.get("description").isNull()).isTrue();
    assertThat(json.get("rate_limit").isNull()).isTrue();
    assertThat(json.get("event_types").isNull()).isTrue();
  }

  @Test
  void patch_disables_and_enables() {
    String id = api.createEndpoint("https://example.com/d").get("id").asText();

    JsonNode disabled = api.patch("/webhook/endpoints/" + id, "{\"disabled\": true}").json();
    JsonNode enabled = api.patch("/webhook/endpoints/" + id, "{\"disabled\": false}").json();

    assertThat(disabled.get("disabled").asBoolean()).isTrue();
    assertThat(disabled.get("disabled_reason").asText()).isEqualTo("disabled by an operator");
    assertThat(enabled.get("disabled").asBoolean()).isFalse();
    assertThat(enabled.get("disabled_at").isNull()).isTrue();
    assertThat(enabled.get("disabled_reason").isNull()).isTrue();
  }

  @Test
  void bad_patch_returns_400_and_changes_nothing() {
    JsonNode created = api.createEndpoint("https://example.com/keep");
    String id = created.get("id").asText();
    String[][] cases = {
      {"{\"colour\": \"red\"}", "unknown field 'colour'"},
      {"{\"disabled\": \"yes\"}", "disabled must be true or false, got 'yes'"},
      {"{\"url\": null}", "url must be a string, got null"},
      {"{\"url\": \"\"}", "url is empty"},
      {"{\"url\": \"ftp://example.com/x\"}", "ftp"},
      {"{\"url\": \"https://user:pw@example.com/x\", \"description\": \"changed\"}", "url"},
      {"{\"rate_limit\": 0}", "rate_limit 0 is invalid"},
      {"{\"rate_limit\": 1.5}", "rate_limit must be a whole number or null, got 1.5"},
      {"{\"event_types\": []}", "event_types is an empty list"},
      {"[]", "request body must be a JSON object"},
    };
    for (String[] badCase : cases) {
      ApiClient.Reply reply = api.patch("/webhook/endpoints/" + id, badCase[0]);

      assertThat(reply.status()).as(badCase[0]).isEqualTo(400);
      assertThat(reply.error()).as(badCase[0]).contains(badCase[1]);
    }
    assertThat(api.get("/webhook/endpoints/" + id).json()).isEqualTo(created);
  }

  @Test
  void patch_unknown_id_returns_404() {
    UUID unknown = UUID.randomUUID();

    ApiClient.Reply reply = api.patch("/webhook/endpoints/" + unknown, "{\"description\": \"x\"}");

    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.error()).isEqualTo("endpoint " + unknown + " not found");
  }

  @Test
  void rotate_returns_new_secret() {
    JsonNode created = api.createEndpoint("https://example.com/r");
    String id = created.get("id").asText();

    ApiClient.Reply withBody =
        api.post("/webhook/endpoints/" + id + "/secret/rotate", "{\"grace_period_seconds\": 0}");
    ApiClient.Reply withoutBody = api.send("POST", "/webhook/endpoints/" + id + "/secret/rotate");

    assertThat(withBody.status()).isEqualTo(200);
    assertThat(withoutBody.status()).isEqualTo(200);
    String first = withBody.json().get("secret").asText();
    String second = withoutBody.json().get("secret").asText();
    assertThat(first).startsWith("whsec_").isNotEqualTo(created.get("secret").asText());
    assertThat(second).startsWith("whsec_").isNotEqualTo(first);
    assertThat(api.get("/webhook/endpoints/" + id).json().get("secret").asText())
        .isEqualTo(second);
  }

  @Test
  void bad_grace_period_returns_400() {
    JsonNode created = api.createEndpoint("https://example.com/g");
    String id = created.get("id").asText();
    String[][] cases = {
      {"{\"grace_period_seconds\": -1}", "grace_period_seconds -1 is invalid: use 0 to 604800"},
      {"{\"grace_period_seconds\": 604801}", "grace_period_seconds 604801 is invalid"},
      {"{\"grace_period_seconds\": 1.5}", "grace_period_seconds must be a whole number"},
      {"{\"grace_period_seconds\": \"60\"}", "grace_period_seconds must be a whole number"},
      {"{\"grace\": 60}", "unknown field 'grace'"},
    };
    for (String[] badCase : cases) {
      ApiClient.Reply reply = api.post("/webhook/endpoints/" + id + "/secret/rotate", badCase[0]);

      assertThat(reply.status()).as(badCase[0]).isEqualTo(400);
      assertThat(reply.error()).as(badCase[0]).contains(badCase[1]);
    }
    assertThat(api.get("/webhook/endpoints/" + id).json()).isEqualTo(created);
  }

  @Test
  void rotate_unknown_id_returns_404() {
    UUID unknown = UUID.randomUUID();

    ApiClient.Reply reply = api.send("POST", "/webhook/endpoints/" + unknown + "/secret/rotate");

    assertThat(reply.status()).isEqualTo(404);
  }

  @Test
  void list_pages_without_secrets() {
    Set<String> created = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      created.add(api.createEndpoint("https://example.com/list/" + i).get("id").asText());
    }

    List<String> listed = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      ApiClient.Reply reply =
          api.get("/webhook/endpoints?limit=2" + (cursor == null ? "" : "&after=" + cursor));
      assertThat(reply.status()).isEqualTo(200);
      for (JsonNode endpoint : reply.json().get("data")) {
        assertThat(endpoint.has("secret")).isFalse();
        listed.add(endpoint.get("id").asText());
      }
      JsonNode next = reply.json().get("next_cursor");
      cursor = next.isNull() ? null : next.asText();
      pages++;
    } while (cursor != null && pages < 100);

    assertThat(listed).doesNotHaveDuplicates();
    assertThat(listed).containsAll(created);
    assertThat(listed).isSortedAccordingTo(String::compareTo);
  }

  @Test
  void list_default_limit_is_50() {
    ApiClient.Reply reply = api.get("/webhook/endpoints");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().get("data").size()).isLessThanOrEqualTo(50);
    assertThat(reply.json().has("next_cursor")).isTrue();
  }

  @Test
  void bad_list_parameters_return_400() {
    String[][] cases = {
      {"limit=0", "limit 0 is invalid: use 1 to 250"},
      {"limit=251", "limit 251 is invalid"},
      {"limit=ten", "limit 'ten' is not a whole number"},
      {"limit=1&limit=2", "query parameter limit is given 2 times"},
      {"after=not-a-cursor", "after 'not-a-cursor' is not a valid cursor"},
      {"after=AAAAAAAAAAAAAAAAAAAAAA%3D%3D", "is not a valid cursor"},
      {"page=2", "unknown query parameter 'page'"},
    };
    for (String[] badCase : cases) {
      ApiClient.Reply reply = api.get("/webhook/endpoints?" + badCase[0]);

      assertThat(reply.status()).as(badCase[0]).isEqualTo(400);
      assertThat(reply.error()).as(badCase[0]).contains(badCase[1]);
    }
  }

  private static String createEndpoint(String json) {
    ApiClient.Reply reply = api.post("/webhook/endpoints", json);
    assertThat(reply.status()).isEqualTo(201);
    return reply.json().get("id").asText();
  }
}
