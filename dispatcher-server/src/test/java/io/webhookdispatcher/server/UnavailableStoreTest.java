package io.webhookdispatcher.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.webhookdispatcher.WebhookDispatcher;
import io.webhookdispatcher.jdbc.JdbcWebhookStore;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API over a store whose connection pool is closed, as when the database is gone. */
class UnavailableStoreTest {
  @TempDir Path dataDir;

  private JdbcWebhookStore store;
  private WebhookDispatcher dispatcher;
  private HttpApiServer http;
  private ApiClient api;

  @BeforeEach
  void startApi() {
    store =
        JdbcWebhookStore.builder()
            .jdbcUrl("jdbc:h2:file:" + dataDir.resolve("webhooks"))
            .username("sa")
            .password("")
            .build();
    ObjectMapper mapper = RequestJson.newMapper();
    dispatcher = WebhookDispatcher.builder().store(store).objectMapper(mapper).build();
    ResponseJson responses = new ResponseJson(mapper);
    WebhookRoutes routes =
        new WebhookRoutes(
            dispatcher,
            new RequestJson(mapper),
            responses,
            ServerConfig.DEFAULT_MAX_MESSAGE_BYTES,
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    http = HttpApiServer.start("127.0.0.1", 0, routes.router(), responses, 65536);
    api = new ApiClient(http.port());
  }

  @AfterEach
  void stopApi() {
    http.close();
    dispatcher.close();
    store.close();
  }

  @Test
  void health_returns_503_when_database_is_gone() {
    store.close();

    ApiClient.Reply reply = api.get("/health");

    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.body()).isEqualTo("{\"status\":\"unavailable\"}");
  }

  @Test
  void health_follows_database_state() {
    ApiClient.Reply before = api.get("/health");
    store.close();

    ApiClient.Reply after = api.get("/health");

    assertThat(before.status()).isEqualTo(200);
    assertThat(after.status()).isEqualTo(503);
  }

  @Test
  void store_failure_returns_503_json() {
    store.close();

    ApiClient.Reply reply = api.get("/webhook/endpoints/" + UUID.randomUUID());

    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.header("content-type")).isEqualTo("application/json; charset=utf-8");
    assertThat(reply.error()).isEqualTo("the database is unavailable: retry later");
  }

  @Test
  void outage_logs_one_warning() {
    store.close();

    try (LogCapture logs = LogCapture.start(Level.DEBUG)) {
      for (int i = 0; i < 5; i++) {
        api.get("/webhook/endpoints/" + UUID.randomUUID());
      }

      long warnings =
          logs.events().stream()
              .filter(event -> event.getLevel() == Level.WARN)
              .filter(event -> event.getFormattedMessage().contains("returned 503"))
              .count();
      assertThat(warnings).isEqualTo(1);
    }
  }
}
