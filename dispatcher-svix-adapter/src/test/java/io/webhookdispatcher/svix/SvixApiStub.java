package io.webhookdispatcher.svix;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * WireMock playing the Svix API on loopback, with responses shaped like the Svix API's {@code *Out}
 * schemas. Each test adds the stubs it needs on top of a ready application.
 */
final class SvixApiStub implements AutoCloseable {
  /** A token that no log line may show; the region suffix must not matter with a server URL. */
  static final String TOKEN = "testsk_PlantedSvixToken7f3a9c.eu";

  static final String APP_UID = "payments-webhooks";
  static final String APP = "/api/v1/app/" + APP_UID;
  static final String MESSAGES = APP + "/msg";
  static final String ENDPOINTS = APP + "/endpoint";

  final WireMockServer server =
      new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().globalTemplating(true));

  SvixApiStub() {
    server.start();
    server.stubFor(
        post(urlPathEqualTo("/api/v1/app"))
            .willReturn(
                json(
                    200,
                    """
                    {"id": "app_2ZrOrx2ZWZBpBUvZwXKQmoEYga2", "uid": "{{jsonPath request.body '$.uid'}}",
                     "name": "{{jsonPath request.body '$.name'}}", "metadata": {},
                     "createdAt": "2026-12-04T10:00:00Z", "updatedAt": "2026-12-04T10:00:00Z"}
                    """)));
    server.stubFor(
        get(urlPathEqualTo(ENDPOINTS))
            .willReturn(json(200, "{\"data\": [], \"done\": true, \"iterator\": null}")));
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  /** Responds to every message hand-off with 202 and a {@code MessageOut} without the payload. */
  void acceptMessages() {
    server.stubFor(post(urlPathEqualTo(MESSAGES)).willReturn(messageOut(202)));
  }

  /** Responds to every endpoint creation with 201 and the endpoint as sent. */
  void acceptEndpoints() {
    server.stubFor(
        post(urlPathEqualTo(ENDPOINTS))
            .willReturn(
                json(
                    201,
                    """
                    {"id": "ep_2ZrOrx2ZWZBpBUvZwXKQmoEYga2", "uid": "{{jsonPath request.body '$.uid'}}",
                     "url": "{{jsonPath request.body '$.url'}}",
                     "description": "{{jsonPath request.body '$.description'}}",
                     "metadata": {}, "createdAt": "2026-12-04T10:00:00Z",
                     "updatedAt": "2026-12-04T10:00:00Z"}
                    """)));
  }

  /** Makes {@code GET} of the endpoint and of its secret return what Svix stores. */
  void holdEndpoint(UUID id, String svixId, String url, String description, String secret) {
    server.stubFor(
        get(urlPathEqualTo(ENDPOINTS + "/" + id)).willReturn(endpointOut(id, svixId, url, description)));
    server.stubFor(
        get(urlPathEqualTo(ENDPOINTS + "/" + svixId))
            .willReturn(endpointOut(id, svixId, url, description)));
    server.stubFor(
        get(urlPathEqualTo(ENDPOINTS + "/" + id + "/secret"))
            .willReturn(json(200, "{\"key\": \"" + secret + "\"}")));
  }

  /** Responds to every endpoint PATCH with 200 and an {@code EndpointOut}. */
  void acceptPatches(UUID id) {
    server.stubFor(
        patch(urlPathEqualTo(ENDPOINTS + "/" + id))
            .willReturn(endpointOut(id, "ep_2ZrOrx2ZWZBpBUvZwXKQmoEYga2", "https://x.example", "")));
  }

  /** Responds to every secret rotation with 204. */
  void acceptRotations() {
    server.stubFor(
        post(urlPathMatching(ENDPOINTS + "/[^/]+/secret/rotate"))
            .willReturn(aResponse().withStatus(204)));
  }

  void acceptDeletes() {
    server.stubFor(
        delete(urlPathMatching(ENDPOINTS + "/[^/]+")).willReturn(aResponse().withStatus(204)));
  }

  static ResponseDefinitionBuilder messageOut(int status) {
    return json(
        status,
        """
        {"id": "msg_2ZrOrx2ZWZBpBUvZwXKQmoEYga2",
         "eventId": "{{jsonPath request.body '$.eventId'}}",
         "eventType": "{{jsonPath request.body '$.eventType'}}",
         "payload": {}, "timestamp": "2026-12-04T10:00:00Z"}
        """);
  }

  static ResponseDefinitionBuilder endpointOut(UUID id, String svixId, String url, String description) {
    return json(
        200,
        "{\"id\": \""
            + svixId
            + "\", \"uid\": \""
            + id
            + "\", \"url\": \""
            + url
            + "\", \"description\": \""
            + description
            + "\", \"metadata\": {}, \"createdAt\": \"2026-12-04T10:00:00Z\","
            + " \"updatedAt\": \"2026-12-04T10:00:00Z\"}");
  }

  static ResponseDefinitionBuilder json(int status, String body) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/json")
        .withBody(body);
  }

  /** Returns the requests received with this method and path, oldest first. */
  List<ServeEvent> requests(String method, String path) {
    return server.getAllServeEvents().stream()
        .filter(e -> e.getRequest().getMethod().getName().equals(method))
        .filter(e -> e.getRequest().getUrl().replaceFirst("\\?.*$", "").equals(path))
        .sorted(Comparator.comparing(e -> e.getRequest().getLoggedDate()))
        .toList();
  }

  @Override
  public void close() {
    server.stop();
  }
}
