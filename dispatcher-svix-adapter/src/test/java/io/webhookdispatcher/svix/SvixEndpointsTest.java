package io.webhookdispatcher.svix;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ch.qos.logback.classic.Level;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.webhookdispatcher.Attempt;
import io.webhookdispatcher.DeliveryServiceException;
import io.webhookdispatcher.Endpoint;
import io.webhookdispatcher.EndpointUpdate;
import io.webhookdispatcher.InvalidInputException;
import io.webhookdispatcher.PublishedMessage;
import io.webhookdispatcher.WebhookDispatcher;
import io.webhookdispatcher.jdbc.JdbcWebhookStore;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Endpoints and attempts through the dispatcher in Svix mode, against WireMock playing the Svix
 * API: our endpoint lives in Svix under our id and secret, and attempts come from Svix.
 */
class SvixEndpointsTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String MERCHANT_URL = "https://merchant.example/webhooks/payments";

  private SvixApiStub svix;
  private JdbcWebhookStore store;
  private WebhookDispatcher dispatcher;
  private LogCapture logs;

  @BeforeEach
  void start() {
    logs = new LogCapture();
    svix = new SvixApiStub();
    store =
        JdbcWebhookStore.builder()
            .jdbcUrl("jdbc:h2:mem:svix-endpoints-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1")
            .build();
    dispatcher =
        WebhookDispatcher.builder()
            .store(store)
            .transport(
                SvixTransport.builder()
                    .token(SvixApiStub.TOKEN)
                    .serverUrl(svix.url())
                    .appUid(SvixApiStub.APP_UID)
                    .requestTimeout(Duration.ofSeconds(2))
                    .retryBackoff(Duration.ofMillis(20))
                    .build())
            .build();
  }

  @AfterEach
  void stop() {
    dispatcher.close();
    store.close();
    SvixRequestSchemas.Report report = new SvixRequestSchemas().check(svix.server);
    svix.close();
    logs.close();
    assertThat(report.problems()).as("request bodies against the Svix schemas").isEmpty();
    assertThat(logs.text()).doesNotContain(SvixApiStub.TOKEN);
  }

  @Test
  void create_sends_id_url_and_secret() throws Exception {
    svix.acceptEndpoints();

    Endpoint endpoint = dispatcher.createEndpoint(MERCHANT_URL, "Acme payments");

    JsonNode sent =
        MAPPER.readTree(svix.requests("POST", SvixApiStub.ENDPOINTS).get(0).getRequest().getBodyAsString());
    assertThat(sent.path("uid").asText()).isEqualTo(endpoint.id().toString());
    assertThat(sent.path("url").asText()).isEqualTo(MERCHANT_URL);
    assertThat(sent.path("description").asText()).isEqualTo("Acme payments");
    assertThat(sent.path("secret").asText()).isEqualTo(endpoint.secret());
    assertThat(store.find(endpoint.id())).isPresent();
  }

  @Test
  void read_returns_svix_url_and_secret() {
    svix.acceptEndpoints();
    Endpoint created = dispatcher.createEndpoint(MERCHANT_URL, null);
    String svixSecret = "whsec_" + "Q".repeat(32);
    svix.holdEndpoint(created.id(), "ep_2ZrOrx2ZWZBpBUvZwXKQmoEYga2", MERCHANT_URL + "/v2", "", svixSecret);

    Endpoint read = dispatcher.endpoint(created.id()).orElseThrow();

    assertThat(read.id()).isEqualTo(created.id());
    assertThat(read.url().toString()).isEqualTo(MERCHANT_URL + "/v2");
    assertThat(read.secret()).isEqualTo(svixSecret);
    assertThat(read.description()).isEmpty();
  }

  @Test
  void endpoint_missing_in_svix_reads_absent() {
    svix.acceptEndpoints();
    Endpoint created = dispatcher.createEndpoint(MERCHANT_URL, null);
    svix.server.stubFor(
        get(urlPathEqualTo(SvixApiStub.ENDPOINTS + "/" + created.id()))
            .willReturn(SvixApiStub.json(404, "{\"code\": \"not_found\", \"detail\": \"Entity not found\"}")));

    assertThat(dispatcher.endpoint(created.id())).isEmpty();
    assertThat(logs.text()).contains("Endpoint " + created.id() + " is stored here but the delivery service");
  }

  @Test
  void svix_validation_error_names_field() {
    svix.server.stubFor(
        post(urlPathEqualTo(SvixApiStub.ENDPOINTS))
            .willReturn(
                SvixApiStub.json(
                    422,
                    """
                    {"detail": [{"loc": ["body", "url"], "msg": "Endpoint URL must use https",
                                 "type": "value_error"}]}
                    """)));

    InvalidInputException error =
        assertThrows(
            InvalidInputException.class, () -> dispatcher.createEndpoint("http://merchant.example/hook", null));

    assertThat(error.field()).isEqualTo("url");
    assertThat(error.getMessage()).contains("Endpoint URL must use https");
    String uid = uidSent();
    assertThat(store.find(UUID.fromString(uid))).isEmpty();
  }

  @Test
  void svix_outage_fails_creation() {
    svix.server.stubFor(
        post(urlPathEqualTo(SvixApiStub.ENDPOINTS))
            .willReturn(SvixApiStub.json(503, "{\"code\": \"unavailable\", \"detail\": \"Try later\"}")));

    DeliveryServiceException error =
        assertThrows(DeliveryServiceException.class, () -> dispatcher.createEndpoint(MERCHANT_URL, null));

    assertThat(error.statusCode()).isEqualTo(503);
    assertThat(error.getMessage()).contains("HTTP 503").contains("unavailable: Try later");
    assertThat(svix.requests("POST", SvixApiStub.ENDPOINTS)).hasSize(SvixTransport.DEFAULT_MAX_TRIES);
    assertThat(store.find(UUID.fromString(uidSent()))).isEmpty();
    assertThat(svix.requests("DELETE", SvixApiStub.ENDPOINTS + "/" + uidSent()))
        .as("the endpoint that Svix may have created is deleted again")
        .isNotEmpty();
  }

  @Test
  void creation_after_application_vanished_creates_it_again() {
    svix.server.stubFor(
        post(urlPathEqualTo(SvixApiStub.ENDPOINTS))
            .inScenario("application deleted")
            .whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
            .willSetStateTo("recreated")
            .willReturn(
                SvixApiStub.json(404, "{\"code\": \"not_found\", \"detail\": \"Entity not found\"}")));
    svix.server.stubFor(
        post(urlPathEqualTo(SvixApiStub.ENDPOINTS))
            .inScenario("application deleted")
            .whenScenarioStateIs("recreated")
            .willReturn(SvixApiStub.json(201, "{}")));

    Endpoint endpoint = dispatcher.createEndpoint(MERCHANT_URL, null);

    assertThat(store.find(endpoint.id())).isPresent();
    assertThat(svix.requests("POST", "/api/v1/app")).hasSize(2);
    List<String> keys =
        svix.requests("POST", "/api/v1/app").stream()
            .map(e -> e.getRequest().getHeader("idempotency-key"))
            .distinct()
            .toList();
    assertThat(keys).as("a new key for each creation of the application").hasSize(2);
  }

  @Test
  void attempts_fall_back_on_svix_failure() {
    svix.acceptMessages();
    PublishedMessage published = dispatcher.publish(SvixHandOffTest.paymentCreated());
    dispatcher.runOnce();
    svix.server.stubFor(
        get(urlPathEqualTo(SvixApiStub.APP + "/attempt/msg/" + published.id()))
            .willReturn(aResponse().withStatus(500)));

    List<Attempt> all = dispatcher.attempts(published.id()).orElseThrow();

    assertThat(all).singleElement().satisfies(a -> assertThat(a.statusCode()).isEqualTo(202));
    assertThat(logs.count(Level.WARN, "could not be read from the delivery service")).isEqualTo(1);
  }

  @Test
  void bad_attempt_timestamp_falls_back() {
    svix.acceptMessages();
    PublishedMessage published = dispatcher.publish(SvixHandOffTest.paymentCreated());
    dispatcher.runOnce();
    svix.server.stubFor(
        get(urlPathEqualTo(SvixApiStub.APP + "/attempt/msg/" + published.id()))
            .willReturn(
                SvixApiStub.json(
                    200,
                    "{\"data\": [" + attemptOut("ep_X", 200, 0, "yesterday") + "], \"done\": true}")));

    List<Attempt> all = dispatcher.attempts(published.id()).orElseThrow();

    assertThat(all).hasSize(1);
    assertThat(logs.text()).contains("timestamp 'yesterday' is not an ISO 8601 date-time");
  }

  @Test
  void retried_creation_reuses_idempotency_key() {
    svix.server.stubFor(
        post(urlPathEqualTo(SvixApiStub.ENDPOINTS))
            .willReturn(aResponse().withStatus(500)));

    assertThrows(DeliveryServiceException.class, () -> dispatcher.createEndpoint(MERCHANT_URL, null));

    List<String> keys =
        svix.requests("POST", SvixApiStub.ENDPOINTS).stream()
            .map(e -> e.getRequest().getHeader("idempotency-key"))
            .distinct()
            .toList();
    assertThat(keys).singleElement().satisfies(key -> assertThat(key).startsWith("endpoint-"));
  }

  @Test
  void delete_removes_endpoint_in_both() {
    svix.acceptEndpoints();
    svix.acceptDeletes();
    Endpoint endpoint = dispatcher.createEndpoint(MERCHANT_URL, null);

    boolean deleted = dispatcher.deleteEndpoint(endpoint.id());

    assertThat(deleted).isTrue();
    assertThat(svix.requests("DELETE", SvixApiStub.ENDPOINTS + "/" + endpoint.id())).hasSize(1);
    assertThat(store.find(endpoint.id())).isEmpty();
  }

  @Test
  void delete_after_svix_lost_endpoint() {
    svix.acceptEndpoints();
    Endpoint endpoint = dispatcher.createEndpoint(MERCHANT_URL, null);
    svix.server.stubFor(
        delete(urlPathEqualTo(SvixApiStub.ENDPOINTS + "/" + endpoint.id()))
            .willReturn(SvixApiStub.json(404, "{\"code\": \"not_found\", \"detail\": \"Entity not found\"}")));

    assertThat(dispatcher.deleteEndpoint(endpoint.id())).isTrue();
    assertThat(store.find(endpoint.id())).isEmpty();
  }

  @Test
  void failed_svix_delete_keeps_endpoint() {
    svix.acceptEndpoints();
    Endpoint endpoint = dispatcher.createEndpoint(MERCHANT_URL, null);
    svix.server.stubFor(
        delete(urlPathEqualTo(SvixApiStub.ENDPOINTS + "/" + endpoint.id()))
            .willReturn(SvixApiStub.json(401, "{\"code\": \"authentication_failed\", \"detail\": \"Invalid token\"}")));

    assertThrows(DeliveryServiceException.class, () -> dispatcher.deleteEndpoint(endpoint.id()));

    assertThat(store.find(endpoint.id())).isPresent();
  }

  @Test
  void attempts_merge_hand_off_and_svix() {
    svix.acceptEndpoints();
    svix.acceptMessages();
    Endpoint endpoint = dispatcher.createEndpoint(MERCHANT_URL, null);
    String svixEndpoint = "ep_2ZrOrx2ZWZBpBUvZwXKQmoEYga2";
    svix.holdEndpoint(endpoint.id(), svixEndpoint, MERCHANT_URL, "", endpoint.secret());
    PublishedMessage published = dispatcher.publish(SvixHandOffTest.paymentCreated());
    dispatcher.runOnce();
    String attempts = SvixApiStub.APP + "/attempt/msg/" + published.id();
    svix.server.stubFor(
        get(urlPathEqualTo(attempts))
            .withQueryParam("iterator", WireMock.absent())
            .willReturn(
                SvixApiStub.json(
                    200,
                    "{\"data\": ["
                        + attemptOut(svixEndpoint, 200, 1, "2099-01-01T00:02:00Z")
                        + ","
                        + attemptOut(svixEndpoint, 0, 2, "2099-01-01T00:01:00Z")
                        + "], \"done\": false, \"iterator\": \"atmpt_2ZrOrx2ZWZBpBUvZwXKQmoEYga0\"}")));
    svix.server.stubFor(
        get(urlPathEqualTo(attempts))
            .withQueryParam("iterator", WireMock.equalTo("atmpt_2ZrOrx2ZWZBpBUvZwXKQmoEYga0"))
            .willReturn(
                SvixApiStub.json(
                    200,
                    "{\"data\": ["
                        + attemptOut("ep_Foreign", 500, 2, "2099-01-01T00:00:30Z")
                        + "], \"done\": true, \"iterator\": null}")));
    svix.server.stubFor(
        get(urlPathEqualTo(SvixApiStub.ENDPOINTS + "/ep_Foreign"))
            .willReturn(
                SvixApiStub.json(
                    200,
                    "{\"id\": \"ep_Foreign\", \"uid\": \"made-in-dashboard\", \"url\": \"https://x.example\","
                        + " \"description\": \"\", \"metadata\": {}, \"createdAt\": \"2026-12-04T10:00:00Z\","
                        + " \"updatedAt\": \"2026-12-04T10:00:00Z\"}")));

    List<Attempt> all = dispatcher.attempts(published.id()).orElseThrow();

    assertThat(all).hasSize(4);
    assertThat(all.get(0).endpointId()).isEqualTo(WebhookDispatcher.HAND_OFF_TARGET_ID);
    assertThat(all.get(0).statusCode()).isEqualTo(202);
    Attempt foreign = all.get(1);
    assertThat(foreign.endpointId()).isNull();
    assertThat(foreign.statusCode()).isEqualTo(500);
    Attempt failed = all.get(2);
    assertThat(failed.endpointId()).isEqualTo(endpoint.id());
    assertThat(failed.attempt()).isEqualTo(1);
    assertThat(failed.statusCode()).isNull();
    assertThat(failed.error()).isEqualTo("no response; Svix status fail");
    assertThat(failed.timestamp()).isEqualTo(Instant.parse("2099-01-01T00:01:00Z"));
    Attempt succeeded = all.get(3);
    assertThat(succeeded.endpointId()).isEqualTo(endpoint.id());
    assertThat(succeeded.attempt()).isEqualTo(2);
    assertThat(succeeded.statusCode()).isEqualTo(200);
    assertThat(succeeded.durationMs()).isEqualTo(37);
    assertThat(succeeded.response()).isEqualTo("{\"ok\":true}");
  }

  @Test
  void attempts_without_svix_message() {
    svix.server.stubFor(
        post(urlPathEqualTo(SvixApiStub.MESSAGES)).willReturn(aResponse().withStatus(500)));
    PublishedMessage published = dispatcher.publish(SvixHandOffTest.paymentCreated());
    dispatcher.runOnce();
    svix.server.stubFor(
        get(urlPathEqualTo(SvixApiStub.APP + "/attempt/msg/" + published.id()))
            .willReturn(SvixApiStub.json(404, "{\"code\": \"not_found\", \"detail\": \"Entity not found\"}")));

    List<Attempt> all = dispatcher.attempts(published.id()).orElseThrow();

    assertThat(all).singleElement().satisfies(a -> assertThat(a.statusCode()).isEqualTo(500));
  }

  @Test
  void attempts_of_unknown_message_empty() {
    assertThat(dispatcher.attempts(UUID.randomUUID())).isEmpty();
    assertThat(svix.server.getAllServeEvents()).isEmpty();
  }

  @Test
  void copy_creates_only_endpoints_svix_lacks() throws Exception {
    svix.acceptEndpoints();
    Endpoint heldEndpoint =
        store.create(UUID.randomUUID(), URI.create(MERCHANT_URL + "/a"), null, secret());
    Endpoint missing =
        store.create(UUID.randomUUID(), URI.create(MERCHANT_URL + "/b"), "second shop", secret());
    listEndpointsInTwoPages(heldEndpoint.id());

    int copied = dispatcher.copyEndpointsToDeliveryService();

    assertThat(copied).isEqualTo(1);
    List<ServeEvent> creations = svix.requests("POST", SvixApiStub.ENDPOINTS);
    assertThat(creations).hasSize(1);
    JsonNode sent = MAPPER.readTree(creations.get(0).getRequest().getBodyAsString());
    assertThat(sent.path("uid").asText()).isEqualTo(missing.id().toString());
    assertThat(sent.path("secret").asText()).isEqualTo(missing.secret());
    assertThat(sent.path("description").asText()).isEqualTo("second shop");
    assertThat(svix.requests("GET", SvixApiStub.ENDPOINTS)).hasSize(2);
  }

  @Test
  void copy_skips_endpoint_svix_rejects() {
    svix.acceptEndpoints();
    Endpoint rejected =
        store.create(UUID.randomUUID(), URI.create("http://merchant.example/plain"), null, secret());
    store.create(UUID.randomUUID(), URI.create(MERCHANT_URL), null, secret());
    svix.server.stubFor(
        post(urlPathEqualTo(SvixApiStub.ENDPOINTS))
            .withRequestBody(matchingJsonPath("$.uid", equalTo(rejected.id().toString())))
            .willReturn(
                SvixApiStub.json(
                    422,
                    """
                    {"detail": [{"loc": ["body", "url"], "msg": "Endpoint URL must use https",
                                 "type": "value_error"}]}
                    """)));

    int copied = dispatcher.copyEndpointsToDeliveryService();

    assertThat(copied).isEqualTo(1);
    assertThat(logs.count(Level.ERROR, "Endpoint " + rejected.id() + " could not be copied"))
        .isEqualTo(1);
  }

  @Test
  void first_hand_off_waits_for_the_copy() {
    svix.acceptEndpoints();
    svix.acceptMessages();
    Endpoint earlier = store.create(UUID.randomUUID(), URI.create(MERCHANT_URL), null, secret());
    dispatcher.publish(SvixHandOffTest.paymentCreated());

    dispatcher.runOnce();

    ServeEvent creation = svix.requests("POST", SvixApiStub.ENDPOINTS).get(0);
    ServeEvent handOff = svix.requests("POST", SvixApiStub.MESSAGES).get(0);
    assertThat(creation.getRequest().getBodyAsString()).contains(earlier.id().toString());
    assertThat(creation.getRequest().getLoggedDate())
        .isBeforeOrEqualTo(handOff.getRequest().getLoggedDate());
  }

  @Test
  void create_sends_event_types() throws Exception {
    svix.acceptEndpoints();

    dispatcher.createEndpoint(MERCHANT_URL, null, null, List.of("payment.refunded", "payment.created"));

    JsonNode sent =
        MAPPER.readTree(svix.requests("POST", SvixApiStub.ENDPOINTS).get(0).getRequest().getBodyAsString());
    assertThat(sent.path("eventTypes").toString()).isEqualTo("[\"payment.created\",\"payment.refunded\"]");
  }

  @Test
  void update_patches_svix_then_store() throws Exception {
    svix.acceptEndpoints();
    Endpoint endpoint = dispatcher.createEndpoint(MERCHANT_URL, "old");
    svix.acceptPatches(endpoint.id());
    EndpointUpdate update =
        EndpointUpdate.builder()
            .url(MERCHANT_URL + "/v2")
            .description(null)
            .eventTypes(List.of("payment.created"))
            .rateLimit(null)
            .disabled(true)
            .build();

    Endpoint updated = dispatcher.updateEndpoint(endpoint.id(), update).orElseThrow();

    JsonNode sent =
        MAPPER.readTree(
            svix.requests("PATCH", SvixApiStub.ENDPOINTS + "/" + endpoint.id())
                .get(0)
                .getRequest()
                .getBodyAsString());
    assertThat(sent.path("url").asText()).isEqualTo(MERCHANT_URL + "/v2");
    assertThat(sent.path("description").asText()).isEmpty();
    assertThat(sent.path("eventTypes").toString()).isEqualTo("[\"payment.created\"]");
    assertThat(sent.path("throttleRate").isNull()).isTrue();
    assertThat(sent.path("disabled").asBoolean()).isTrue();
    assertThat(updated.url().toString()).isEqualTo(MERCHANT_URL + "/v2");
    assertThat(updated.disabledReason()).contains(WebhookDispatcher.OPERATOR_DISABLED_REASON);
    assertThat(store.find(endpoint.id())).contains(updated);
  }

  @Test
  void svix_rejected_update_changes_nothing() {
    svix.acceptEndpoints();
    Endpoint endpoint = dispatcher.createEndpoint(MERCHANT_URL, "kept");
    Endpoint stored = store.find(endpoint.id()).orElseThrow();
    svix.server.stubFor(
        patch(urlPathEqualTo(SvixApiStub.ENDPOINTS + "/" + endpoint.id()))
            .willReturn(
                SvixApiStub.json(
                    422,
                    """
                    {"detail": [{"loc": ["body", "eventTypes"], "msg": "Event type not found",
                                 "type": "value_error"}]}
                    """)));
    EndpointUpdate update = EndpointUpdate.builder().eventTypes(List.of("payment.lost")).build();

    InvalidInputException error =
        assertThrows(InvalidInputException.class, () -> dispatcher.updateEndpoint(endpoint.id(), update));

    assertThat(error.field()).isEqualTo("event_types");
    assertThat(error.getMessage()).contains("Event type not found");
    assertThat(store.find(endpoint.id())).contains(stored);
  }

  @Test
  void update_of_endpoint_unknown_here_skips_svix() {
    EndpointUpdate update = EndpointUpdate.builder().description("x").build();

    assertThat(dispatcher.updateEndpoint(UUID.randomUUID(), update)).isEmpty();
    assertThat(svix.server.getAllServeEvents()).isEmpty();
  }

  @Test
  void rotation_sends_new_secret_and_grace() throws Exception {
    svix.acceptEndpoints();
    svix.acceptRotations();
    Endpoint endpoint = dispatcher.createEndpoint(MERCHANT_URL, null);

    Endpoint rotated = dispatcher.rotateSecret(endpoint.id(), Duration.ofHours(1)).orElseThrow();

    List<ServeEvent> rotations =
        svix.requests("POST", SvixApiStub.ENDPOINTS + "/" + endpoint.id() + "/secret/rotate");
    assertThat(rotations).hasSize(1);
    JsonNode sent = MAPPER.readTree(rotations.get(0).getRequest().getBodyAsString());
    assertThat(sent.path("key").asText()).isEqualTo(rotated.secret());
    assertThat(sent.path("gracePeriodSeconds").asLong()).isEqualTo(3600);
    assertThat(rotated.secret()).isNotEqualTo(endpoint.secret());
    assertThat(store.find(endpoint.id()).orElseThrow().secret()).isEqualTo(rotated.secret());
  }

  @Test
  void failed_svix_rotation_keeps_secret() {
    svix.acceptEndpoints();
    Endpoint endpoint = dispatcher.createEndpoint(MERCHANT_URL, null);
    svix.server.stubFor(
        post(urlPathEqualTo(SvixApiStub.ENDPOINTS + "/" + endpoint.id() + "/secret/rotate"))
            .willReturn(SvixApiStub.json(404, "{\"code\": \"not_found\", \"detail\": \"Entity not found\"}")));

    DeliveryServiceException error =
        assertThrows(
            DeliveryServiceException.class,
            () -> dispatcher.rotateSecret(endpoint.id(), Duration.ZERO));

    assertThat(error.statusCode()).isEqualTo(404);
    assertThat(store.find(endpoint.id()).orElseThrow().secret()).isEqualTo(endpoint.secret());
  }

  /** Makes Svix list its endpoints in two pages: one foreign endpoint, then ours. */
  private void listEndpointsInTwoPages(UUID heldId) {
    svix.server.stubFor(
        get(urlPathEqualTo(SvixApiStub.ENDPOINTS))
            .withQueryParam("iterator", WireMock.absent())
            .willReturn(
                SvixApiStub.json(
                    200,
                    "{\"data\": [" + endpointJson("ep_Foreign", "made-in-dashboard") + "],"
                        + " \"done\": false, \"iterator\": \"ep_Foreign\"}")));
    svix.server.stubFor(
        get(urlPathEqualTo(SvixApiStub.ENDPOINTS))
            .withQueryParam("iterator", WireMock.equalTo("ep_Foreign"))
            .willReturn(
                SvixApiStub.json(
                    200,
                    "{\"data\": [" + endpointJson("ep_Held", heldId.toString()) + "],"
                        + " \"done\": true, \"iterator\": null}")));
  }

  private static String endpointJson(String svixId, String uid) {
    return "{\"id\": \""
        + svixId
        + "\", \"uid\": \""
        + uid
        + "\", \"url\": \"https://x.example\", \"description\": \"\", \"metadata\": {},"
        + " \"createdAt\": \"2026-12-04T10:00:00Z\", \"updatedAt\": \"2026-12-04T10:00:00Z\"}";
  }

  private static String secret() {
    return io.webhookdispatcher.WebhookSecret.generate();
  }

  private String uidSent() {
    try {
      return MAPPER
        .readTree(svix.requests("POST", SvixApiStub.ENDPOINTS).get(0).getRequest().getBodyAsString())
          .path("uid")
          .asText();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String attemptOut(
      String endpoint, int httpStatus, int svixStatus, String timestamp) {
    String text = switch (svixStatus) {
      case 0 -> "success";
      case 1 -> "pending";
      case 2 -> "fail";
      default -> "sending";
    };
    return "{\"id\": \"atmpt_"
        + UUID.randomUUID().toString().replace("-", "")
        + "\", \"endpointId\": \""
        + endpoint
        + "\", \"msgId\": \"msg_2ZrOrx2ZWZBpBUvZwXKQmoEYga2\", \"response\": \""
        + (httpStatus == 200 ? "{\\\"ok\\\":true}" : "")
        + "\", \"responseDurationMs\": 37, \"responseStatusCode\": "
        + httpStatus
        + ", \"status\": "
        + svixStatus
        + ", \"statusText\": \""
        + text
        + "\", \"timestamp\": \""
        + timestamp
        + "\", \"triggerType\": 0, \"url\": \"https://merchant.example/webhooks/payments\"}";
  }
}
