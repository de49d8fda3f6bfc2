package io.webhookdispatcher.svix;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.webhookdispatcher.Endpoint;
import io.webhookdispatcher.PublishedMessage;
import io.webhookdispatcher.WebhookVerifier;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One host program, unchanged, delivers first through the Netty transport and then through Svix,
 * switched by configuration alone on the same database, so the endpoint registered before the
 * switch is copied to Svix with its secret.
 */
class TransportSwitchTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration MAX_WAIT = Duration.ofSeconds(20);

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private HttpServer merchant;
  private SvixApiStub svix;

  record Received(Map<String, String> headers, byte[] body) {}

  @BeforeEach
  void start() throws IOException {
    merchant = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    merchant.createContext(
        "/webhooks",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            received.add(
                new Received(
                    Map.of(
                        "webhook-id", exchange.getRequestHeaders().getFirst("webhook-id"),
                        "webhook-timestamp", exchange.getRequestHeaders().getFirst("webhook-timestamp"),
                        "webhook-signature", exchange.getRequestHeaders().getFirst("webhook-signature")),
                    body));
          }
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    merchant.start();
    svix = new SvixApiStub();
    svix.acceptEndpoints();
    svix.acceptMessages();
  }

  @AfterEach
  void stop() {
    merchant.stop(0);
    SvixRequestSchemas.Report report = new SvixRequestSchemas().check(svix.server);
    svix.close();
    assertThat(report.problems()).isEmpty();
  }

  @Test
  void same_host_runs_on_netty_then_svix() throws Exception {
    String merchantUrl = "http://127.0.0.1:" + merchant.getAddress().getPort() + "/webhooks";
    String jdbcUrl = "jdbc:h2:mem:payments-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    Endpoint firstEndpoint;

    Properties netty = hostConfig(jdbcUrl);
    netty.setProperty("webhooks.transport", "netty");
    try (PaymentsHost host = new PaymentsHost(netty)) {
      Endpoint endpoint = host.registerMerchant(merchantUrl);
      firstEndpoint = endpoint;
      PublishedMessage published = host.capturePayment(new BigDecimal("1999.90"));

      await().atMost(MAX_WAIT).until(() -> received.size() == 1);
      Received request = received.get(0);
      WebhookVerifier.forSecret(endpoint.secret()).verify(request.headers(), request.body());
      assertThat(request.body()).isEqualTo(published.body());
    }
    assertThat(svix.server.getAllServeEvents()).isEmpty();

    Properties viaSvix = hostConfig(jdbcUrl);
    viaSvix.setProperty("webhooks.transport", "svix");
    viaSvix.setProperty("webhooks.svix.token", SvixApiStub.TOKEN);
    viaSvix.setProperty("webhooks.svix.server-url", svix.url().toString());
    viaSvix.setProperty("webhooks.svix.app-uid", SvixApiStub.APP_UID);
    try (PaymentsHost host = new PaymentsHost(viaSvix)) {
      Endpoint endpoint = host.registerMerchant(merchantUrl);
      PublishedMessage published = host.capturePayment(new BigDecimal("250.00"));

      await()
          .atMost(MAX_WAIT)
          .untilAsserted(
              () -> svix.server.verify(1, postRequestedFor(urlPathEqualTo(SvixApiStub.MESSAGES))));
      await().atMost(MAX_WAIT).until(() -> host.pendingDeliveries() == 0);
      Map<String, String> secretsInSvix = new java.util.HashMap<>();
      for (JsonNode endpointIn : bodiesOf(SvixApiStub.ENDPOINTS)) {
        assertThat(endpointIn.path("url").asText()).isEqualTo(merchantUrl);
        secretsInSvix.put(endpointIn.path("uid").asText(), endpointIn.path("secret").asText());
      }
      assertThat(secretsInSvix)
          .containsEntry(firstEndpoint.id().toString(), firstEndpoint.secret())
          .containsEntry(endpoint.id().toString(), endpoint.secret())
          .hasSize(2);
      JsonNode messageIn = bodyOf(SvixApiStub.MESSAGES);
      assertThat(messageIn.path("eventId").asText()).isEqualTo(published.id().toString());
      assertThat(messageIn.path("payload")).isEqualTo(MAPPER.readTree(published.body()));
    }
    assertThat(received).as("nothing sent directly in Svix mode").hasSize(1);
  }

  @Test
  void pending_hand_off_sent_after_switch_back() throws Exception {
    String merchantUrl = "http://127.0.0.1:" + merchant.getAddress().getPort() + "/webhooks";
    String jdbcUrl = "jdbc:h2:mem:payments-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    svix.server.stubFor(
        com.github.tomakehurst.wiremock.client.WireMock.post(urlPathEqualTo(SvixApiStub.MESSAGES))
            .atPriority(1)
            .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(503)));
    Properties viaSvix = hostConfig(jdbcUrl);
    viaSvix.setProperty("webhooks.transport", "svix");
    viaSvix.setProperty("webhooks.svix.token", SvixApiStub.TOKEN);
    viaSvix.setProperty("webhooks.svix.server-url", svix.url().toString());
    viaSvix.setProperty("webhooks.svix.app-uid", SvixApiStub.APP_UID);
    Endpoint endpoint;
    PublishedMessage stranded;
    try (PaymentsHost host = new PaymentsHost(viaSvix)) {
      endpoint = host.registerMerchant(merchantUrl);
      stranded = host.capturePayment(new BigDecimal("75.00"));
      await()
          .atMost(MAX_WAIT)
          .untilAsserted(
              () ->
                  svix.server.verify(
                      com.github.tomakehurst.wiremock.client.WireMock.moreThanOrExactly(1),
                      postRequestedFor(urlPathEqualTo(SvixApiStub.MESSAGES))));
    }

    Properties netty = hostConfig(jdbcUrl);
    netty.setProperty("webhooks.transport", "netty");
    try (PaymentsHost host = new PaymentsHost(netty)) {
      await()
          .atMost(MAX_WAIT)
          .until(
              () ->
                  received.stream()
                      .anyMatch(r -> stranded.id().toString().equals(r.headers().get("webhook-id"))));
    }

    Received request =
        received.stream()
            .filter(r -> stranded.id().toString().equals(r.headers().get("webhook-id")))
            .findFirst()
            .orElseThrow();
    WebhookVerifier.forSecret(endpoint.secret()).verify(request.headers(), request.body());
    assertThat(request.body()).isEqualTo(stranded.body());
  }

  private JsonNode bodyOf(String path) throws IOException {
    return bodiesOf(path).get(0);
  }

  private List<JsonNode> bodiesOf(String path) throws IOException {
    List<JsonNode> bodies = new java.util.ArrayList<>();
    for (var event : svix.requests("POST", path)) {
      bodies.add(MAPPER.readTree(event.getRequest().getBodyAsString()));
    }
    return bodies;
  }

  /** Returns the host's settings on one database, shared by both runs as in a real switch. */
  private static Properties hostConfig(String jdbcUrl) {
    Properties config = new Properties();
    config.setProperty("payments.jdbc-url", jdbcUrl);
    config.setProperty("payments.allow-private-addresses", "true");
    return config;
  }
}
