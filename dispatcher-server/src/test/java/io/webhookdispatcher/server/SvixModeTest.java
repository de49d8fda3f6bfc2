package io.webhookdispatcher.server;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.webhookdispatcher.WebhookDispatcher;
import io.webhookdispatcher.svix.SvixTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests of the server with {@code webhooks.transport=svix} through its HTTP API, against WireMock
 * on 127.0.0.1 playing the Svix API. Endpoints are created, read and deleted in Svix under our ids
 * and secrets, each message is handed to Svix once, and attempts are read back from Svix. Every
 * request body that Svix receives is validated against the Svix schemas, and no log line may
 * contain the token.
 */
class SvixModeTest {
  /** A planted token that no log line may contain. The server URL overrides its region suffix. */
  private static final String TOKEN = "testsk_PlantedServerToken4c81e2.eu";

  private static final String APP_UID = "merchant-webhooks";
  private static final String APP = "/api/v1/app/" + APP_UID;
  private static final String ENDPOINTS = APP + "/endpoint";
  private static final String MESSAGES = APP + "/msg";
  private static final String MERCHANT_URL = "https://merchant.example/webhooks/payments";
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration QUIET_PERIOD = Duration.ofMillis(500);

  @TempDir Path dataDir;

  private LogCapture logs;
  private WireMockServer svix;
  private DispatcherServer server;
  private ApiClient api;

  @BeforeEach
  void startSvixStub() {
    logs = LogCapture.start(Level.DEBUG);
    svix =
        new WireMockServer(
            options().bindAddress("127.0.0.1").dynamicPort().globalTemplating(true));
    svix.start();
    svix.stubFor(
        post(urlPathEqualTo("/api/v1/app"))
            .willReturn(
                json(
                    200,
                    """
                    {"id": "app_2aK8sQm4TzR7vWx1LpN3bYc5dEf",
                     "uid": "{{jsonPath request.body '$.uid'}}",
                     "name": "{{jsonPath request.body '$.name'}}", "metadata": {},
                     "createdAt": "2026-12-04T09:00:00Z", "updatedAt": "2026-12-04T09:00:00Z"}
                    """)));
    svix.stubFor(
        get(urlPathEqualTo(ENDPOINTS))
            .willReturn(json(200, "{\"data\": [], \"done\": true, \"iterator\": null}")));
  }

  @AfterEach
  void stopAll() {
    if (server != null) {
      server.close();
    }
    SvixSchemas.Report report = new SvixSchemas().check(svix);
    svix.stop();
    String logText = logs.text();
    logs.close();

    assertThat(report.problems()).as("request bodies against the Svix schemas").isEmpty();
    assertThat(logText).doesNotContain(TOKEN);
  }

  @Test
  void create_sends_endpoint_to_svix() {
    startServer();
    acceptEndpoints();

    ApiClient.Reply reply =
        api.post(
            "/webhook/endpoints",
            "{\"url\": \"" + MERCHANT_URL + "\", \"description\": \"Acme payments\"}");

    assertThat(reply.status()).isEqualTo(201);
    JsonNode created = reply.json();
    List<LoggedRequest> requests = svix.findAll(postRequestedFor(urlPathEqualTo(ENDPOINTS)));
    assertThat(requests).hasSize(1);
    JsonNode sent = readJson(requests.get(0));
    assertThat(sent.path("uid").asText()).isEqualTo(created.get("id").asText());
    assertThat(sent.path("url").asText()).isEqualTo(MERCHANT_URL);
    assertThat(sent.path("description").asText()).isEqualTo("Acme payments");
    assertThat(sent.path("secret").asText()).isEqualTo(created.get("secret").asText());
    assertThat(requests.get(0).getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
    assertThat(logs.text()).doesNotContain(created.get("secret").asText());
  }

  @Test
  void get_returns_svix_url_and_secret() {
    startServer();
    acceptEndpoints();
    JsonNode created = api.createEndpoint(MERCHANT_URL);
    String id = created.get("id").asText();
    String svixUrl = MERCHANT_URL + "/v2";
    String svixSecret =
        "whsec_"
            + Base64.getEncoder()
                .encodeToString("secret-rotated-in-svix-24".getBytes(StandardCharsets.US_ASCII));
    holdEndpoint(id, "ep_2aK8sQm4TzR7vWx1LpN3bYc5dEf", svixUrl, svixSecret);

    ApiClient.Reply reply = api.get("/webhook/endpoints/" + id);

    assertThat(reply.status()).isEqualTo(200);
    JsonNode read = reply.json();
    assertThat(read.get("id").asText()).isEqualTo(id);
    assertThat(read.get("url").asText()).isEqualTo(svixUrl);
    assertThat(read.get("secret").asText()).isEqualTo(svixSecret);
    assertThat(read.get("secret").asText()).isNotEqualTo(created.get("secret").asText());
    assertThat(read.get("created_at").asText()).isEqualTo(created.get("created_at").asText());
  }

  @Test
  void delete_removes_svix_endpoint() {
    startServer();
    acceptEndpoints();
    String id = api.createEndpoint(MERCHANT_URL).get("id").asText();
    svix.stubFor(
        delete(urlPathEqualTo(ENDPOINTS + "/" + id)).willReturn(aResponse().withStatus(204)));

    ApiClient.Reply deleted = api.delete("/webhook/endpoints/" + id);

    assertThat(deleted.status()).isEqualTo(204);
    assertThat(deleted.body()).isEmpty();
    assertThat(deleted.header("content-type")).isNull();
    assertThat(svix.findAll(deleteRequestedFor(urlPathEqualTo(ENDPOINTS + "/" + id)))).hasSize(1);
    assertThat(api.get("/webhook/endpoints/" + id).status()).isEqualTo(404);
  }

  @Test
  void svix_validation_error_gives_400() {
    startServer();
    svix.stubFor(
        post(urlPathEqualTo(ENDPOINTS))
            .willReturn(
                json(
                    422,
                    """
                    {"detail": [{"loc": ["body", "url"], "msg": "Endpoint URL must use https",
                                 "type": "value_error"}]}
                    """)));

    ApiClient.Reply reply =
        api.post("/webhook/endpoints", "{\"url\": \"http://merchant.example/hooks\"}");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error()).contains("url: Endpoint URL must use https");
    assertThat(svix.findAll(postRequestedFor(urlPathEqualTo(ENDPOINTS)))).hasSize(1);
    assertThat(api.get("/webhook/endpoints/" + uidSentToSvix()).status()).isEqualTo(404);
  }

  @Test
  void svix_server_error_gives_502() {
    startServer();
    svix.stubFor(
        post(urlPathEqualTo(ENDPOINTS))
            .willReturn(
                json(
                    500,
                    "{\"code\": \"internal_error\", \"detail\": \"Database connection lost\"}")));

    ApiClient.Reply reply = api.post("/webhook/endpoints", "{\"url\": \"" + MERCHANT_URL + "\"}");

    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.error()).contains("HTTP 500");
    assertThat(reply.error()).contains("internal_error: Database connection lost");
    assertThat(svix.findAll(postRequestedFor(urlPathEqualTo(ENDPOINTS))))
        .hasSize(SvixTransport.DEFAULT_MAX_TRIES);
    assertThat(api.get("/webhook/endpoints/" + uidSentToSvix()).status()).isEqualTo(404);
  }

  @Test
  void message_handed_to_svix_once() throws IOException {
    startServer();
    acceptEndpoints();
    acceptMessages();
    api.createEndpoint(MERCHANT_URL);

    ApiClient.Reply published = api.post("/webhook/messages", ReferenceMessages.PAYMENT_CREATED);

    assertThat(published.status()).isEqualTo(202);
    String messageId = published.json().get("id").asText();
    awaitHandOff(messageId);
    await()
        .during(QUIET_PERIOD)
        .atMost(WAIT)
        .until(() -> svix.findAll(postRequestedFor(urlPathEqualTo(MESSAGES))).size() == 1);
    LoggedRequest handOff = svix.findAll(postRequestedFor(urlPathEqualTo(MESSAGES))).get(0);
    JsonNode messageIn = readJson(handOff);
    assertThat(messageIn.path("eventId").asText()).isEqualTo(messageId);
    assertThat(messageIn.path("eventType").asText()).isEqualTo("payment.created");
    assertThat(messageIn.path("payload"))
        .isEqualTo(ApiClient.MAPPER.readTree(ReferenceMessages.PAYMENT_CREATED));
    assertThat(handOff.getHeader("idempotency-key")).isEqualTo(messageId);
  }

  @Test
  void attempts_include_svix_attempts() {
    startServer();
    acceptEndpoints();
    acceptMessages();
    String endpointId = api.createEndpoint(MERCHANT_URL).get("id").asText();
    String svixEndpointId = "ep_2aK8sQm4TzR7vWx1LpN3bYc5dEf";
    holdEndpoint(endpointId, svixEndpointId, MERCHANT_URL, "whsec_" + "A".repeat(32));
    String messageId =
        api.post("/webhook/messages", ReferenceMessages.PAYMENT_CREATED).json().get("id").asText();
    Instant handedOff = Instant.parse(awaitHandOff(messageId).get("timestamp").asText());
    Instant failedAt = handedOff.plusSeconds(1);
    Instant succeededAt = handedOff.plusSeconds(6);
    svix.stubFor(
        get(urlPathEqualTo(APP + "/attempt/msg/" + messageId))
            .willReturn(
                json(
                    200,
                    "{\"data\": ["
                        + attemptOut(svixEndpointId, 200, "success", "{\"ok\":true}", succeededAt)
                        + ", "
                        + attemptOut(svixEndpointId, 503, "fail", "busy", failedAt)
                        + "], \"done\": true, \"iterator\": null}")));

    ApiClient.Reply reply = api.get("/webhook/messages/" + messageId + "/attempts");

    assertThat(reply.status()).isEqualTo(200);
    JsonNode attempts = reply.json().get("data");
    assertThat(attempts).hasSize(3);
    JsonNode handOff = attempts.get(0);
    assertThat(handOff.get("endpoint_id").asText())
        .isEqualTo(WebhookDispatcher.HAND_OFF_TARGET_ID.toString());
    assertThat(handOff.get("status_code").asInt()).isEqualTo(202);
    JsonNode failed = attempts.get(1);
    assertThat(failed.get("endpoint_id").asText()).isEqualTo(endpointId);
    assertThat(failed.get("attempt").asInt()).isEqualTo(1);
    assertThat(failed.get("status_code").asInt()).isEqualTo(503);
    assertThat(Instant.parse(failed.get("timestamp").asText())).isEqualTo(failedAt);
    assertThat(failed.get("response").asText()).isEqualTo("busy");
    JsonNode succeeded = attempts.get(2);
    assertThat(succeeded.get("endpoint_id").asText()).isEqualTo(endpointId);
    assertThat(succeeded.get("attempt").asInt()).isEqualTo(2);
    assertThat(succeeded.get("status_code").asInt()).isEqualTo(200);
    assertThat(succeeded.get("duration_ms").asLong()).isEqualTo(41);
    assertThat(succeeded.get("response").asText()).isEqualTo("{\"ok\":true}");
  }

  @Test
  void startup_without_token_fails() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () ->
                TestServers.start(
                    dataDir,
                    "webhooks.transport",
                    "svix",
                    "webhooks.svix.server-url",
                    svixUrl()));

    assertThat(error.key()).isEqualTo("webhooks.svix.token");
    assertThat(error.getMessage()).contains("webhooks.svix.token is required");
    assertThat(svix.getAllServeEvents()).isEmpty();
  }

  @Test
  void command_line_without_token_exits_2() {
    Properties systemProperties =
        TestServers.properties(
            dataDir, "webhooks.transport", "svix", "webhooks.svix.server-url", svixUrl());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int status =
        assertTimeoutPreemptively(
            WAIT,
            () ->
                DispatcherServer.run(
                    new String[0],
                    systemProperties,
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8)));

    assertThat(status).isEqualTo(DispatcherServer.EXIT_INVALID_CONFIGURATION);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("Invalid configuration: webhooks.svix.token is required");
  }

  @Test
  void misspelt_token_key_fails_startup() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () ->
                TestServers.start(
                    dataDir,
                    "webhooks.transport",
                    "svix",
                    "webhooks.svix.tokn",
                    TOKEN,
                    "webhooks.svix.server-url",
                    svixUrl()));

    assertThat(error.key()).isEqualTo("webhooks.svix.tokn");
    assertThat(error.getMessage()).doesNotContain(TOKEN);
  }

  @Test
  void unknown_svix_key_fails_startup() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () -> startServer("webhooks.svix.serverurl", "http://127.0.0.1:1"));

    assertThat(error.key()).isEqualTo("webhooks.svix.serverurl");
    assertThat(error.getMessage()).contains("webhooks.svix.server-url");
    assertThat(svix.getAllServeEvents()).isEmpty();
  }

  @Test
  void unknown_key_in_svix_mode_fails_startup() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () -> startServer("webhooks.svx.server-url", "http://127.0.0.1:1"));

    assertThat(error.key()).isEqualTo("webhooks.svx.server-url");
  }

  @Test
  void startup_log_masks_token() {
    startServer();

    List<String> configurationLines = new ArrayList<>();
    for (ILoggingEvent event : logs.events()) {
      String message = event.getFormattedMessage();
      if (event.getLevel() == Level.INFO && message.startsWith("Starting webhook dispatcher")) {
        configurationLines.add(message);
      }
    }
    assertThat(configurationLines).hasSize(1);
    String configuration = configurationLines.get(0);
    assertThat(configuration).contains("webhooks.transport=svix");
    assertThat(configuration).contains("webhooks.svix.token=****");
    assertThat(configuration).contains("webhooks.svix.server-url=" + svixUrl());
    assertThat(configuration).contains("webhooks.svix.app-uid=" + APP_UID);
    assertThat(configuration).doesNotContain(TOKEN);
  }

  @Test
  void invalid_server_url_fails_startup() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () ->
                TestServers.start(
                    dataDir,
                    "webhooks.transport",
                    "svix",
                    "webhooks.svix.token",
                    TOKEN,
                    "webhooks.svix.server-url",
                    "ftp://127.0.0.1/svix"));

    assertThat(error.key()).isEqualTo("webhooks.svix.server-url");
    assertThat(error.getMessage()).contains("'ftp://127.0.0.1/svix'");
    assertThat(error.getMessage()).doesNotContain(TOKEN);
  }

  /** Starts the server in Svix mode against the stub, with any extra key and value pairs. */
  private void startServer(String... extraKeysAndValues) {
    List<String> keysAndValues =
        new ArrayList<>(
            List.of(
                "webhooks.transport",
                "svix",
                "webhooks.svix.token",
                TOKEN,
                "webhooks.svix.server-url",
                svixUrl(),
                "webhooks.svix.app-uid",
                APP_UID,
                "webhooks.delivery.timeout",
                "2s"));
    keysAndValues.addAll(List.of(extraKeysAndValues));
    server = TestServers.start(dataDir, keysAndValues.toArray(String[]::new));
    api = new ApiClient(server.port());
    awaitStartupCopy();
  }

  /**
   * Waits until the delivery thread has copied the stored endpoints to Svix, which it does once at
   * start, so that the copy does not create a test's endpoint in Svix a second time.
   */
  private void awaitStartupCopy() {
    String copied = "endpoints to the delivery service, which held";
    await()
        .atMost(WAIT)
        .until(() -> logs.lines().stream().anyMatch(line -> line.contains(copied)));
  }

  /** Returns the stub's URL on 127.0.0.1; {@code baseUrl()} of WireMock names localhost. */
  private String svixUrl() {
    return "http://127.0.0.1:" + svix.port();
  }

  /** Stubs endpoint creation to return 201 and an {@code EndpointOut} of the endpoint sent. */
  private void acceptEndpoints() {
    svix.stubFor(
        post(urlPathEqualTo(ENDPOINTS))
            .willReturn(
                json(
                    201,
                    """
                    {"id": "ep_2aK8sQm4TzR7vWx1LpN3bYc5dEf",
                     "uid": "{{jsonPath request.body '$.uid'}}",
                     "url": "{{jsonPath request.body '$.url'}}",
                     "description": "{{jsonPath request.body '$.description'}}", "metadata": {},
                     "createdAt": "2026-12-04T09:00:00Z", "updatedAt": "2026-12-04T09:00:00Z"}
                    """)));
  }

  /** Stubs message creation to return 202 and a {@code MessageOut} without the payload. */
  private void acceptMessages() {
    svix.stubFor(
        post(urlPathEqualTo(MESSAGES))
            .willReturn(
                json(
                    202,
                    """
                    {"id": "msg_2aK8sQm4TzR7vWx1LpN3bYc5dEf",
                     "eventId": "{{jsonPath request.body '$.eventId'}}",
                     "eventType": "{{jsonPath request.body '$.eventType'}}",
                     "payload": {}, "timestamp": "2026-12-04T09:00:00Z"}
                    """)));
  }

  /**
   * Stubs Svix to store our endpoint {@code id}, known in Svix as {@code svixId}, with this URL and
   * secret. {@code GET} of the endpoint by either id, and {@code GET} of its secret, return them.
   */
  private void holdEndpoint(String id, String svixId, String url, String secret) {
    String endpointOut =
        "{\"id\": \""
            + svixId
            + "\", \"uid\": \""
            + id
            + "\", \"url\": \""
            + url
            + "\", \"description\": \"\", \"metadata\": {},"
            + " \"createdAt\": \"2026-12-04T09:00:00Z\", \"updatedAt\": \"2026-12-04T09:00:00Z\"}";
    svix.stubFor(get(urlPathEqualTo(ENDPOINTS + "/" + id)).willReturn(json(200, endpointOut)));
    svix.stubFor(get(urlPathEqualTo(ENDPOINTS + "/" + svixId)).willReturn(json(200, endpointOut)));
    svix.stubFor(
        get(urlPathEqualTo(ENDPOINTS + "/" + id + "/secret"))
            .willReturn(json(200, "{\"key\": \"" + secret + "\"}")));
  }

  /** Waits until the message's attempts show a hand-off to Svix, and returns that attempt. */
  private JsonNode awaitHandOff(String messageId) {
    String path = "/webhook/messages/" + messageId + "/attempts";
    String handOffTarget = WebhookDispatcher.HAND_OFF_TARGET_ID.toString();
    return await()
        .atMost(WAIT)
        .until(
            () -> {
              for (JsonNode attempt : api.get(path).json().get("data")) {
                if (attempt.get("endpoint_id").asText().equals(handOffTarget)) {
                  return attempt;
                }
              }
              return null;
            },
            attempt -> attempt != null);
  }

  /** Returns the {@code uid} of the first endpoint that the server sent to Svix. */
  private String uidSentToSvix() {
    List<LoggedRequest> requests = svix.findAll(postRequestedFor(urlPathEqualTo(ENDPOINTS)));
    assertThat(requests).isNotEmpty();
    return UUID.fromString(readJson(requests.get(0)).path("uid").asText()).toString();
  }

  private static JsonNode readJson(LoggedRequest request) {
    try {
      return ApiClient.MAPPER.readTree(request.getBodyAsString());
    } catch (IOException e) {
      throw new AssertionError("Svix received a body that is not JSON: " + request.getUrl(), e);
    }
  }

  /** Returns one {@code MessageAttemptOut} of the Svix attempt list, as JSON. */
  private static String attemptOut(
      String svixEndpointId, int statusCode, String statusText, String response, Instant at) {
    ObjectNode attempt = ApiClient.MAPPER.createObjectNode();
    attempt.put("id", "atmpt_" + UUID.randomUUID().toString().replace("-", ""));
    attempt.put("endpointId", svixEndpointId);
    attempt.put("msgId", "msg_2aK8sQm4TzR7vWx1LpN3bYc5dEf");
    attempt.put("response", response);
    attempt.put("responseDurationMs", 41);
    attempt.put("responseStatusCode", statusCode);
    attempt.put("status", statusText.equals("success") ? 0 : 2);
    attempt.put("statusText", statusText);
    attempt.put("timestamp", at.toString());
    attempt.put("triggerType", 0);
    attempt.put("url", MERCHANT_URL);
    return attempt.toString();
  }

  private static ResponseDefinitionBuilder json(int status, String body) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/json")
        .withBody(body);
  }
}
