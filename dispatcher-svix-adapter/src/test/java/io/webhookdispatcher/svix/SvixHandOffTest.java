package io.webhookdispatcher.svix;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.webhookdispatcher.Attempt;
import io.webhookdispatcher.Message;
import io.webhookdispatcher.PublishedMessage;
import io.webhookdispatcher.RetrySchedule;
import io.webhookdispatcher.WebhookDispatcher;
import io.webhookdispatcher.jdbc.JdbcWebhookStore;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hand-off of outbox messages to Svix, against WireMock playing the Svix API. Each test takes
 * one response that Svix can give and checks the recorded attempt and what the delivery does next.
 */
class SvixHandOffTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration REQUEST_TIMEOUT = Duration.ofMillis(800);

  private final String jdbcUrl = "jdbc:h2:mem:svix-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
  private SvixApiStub svix;
  private JdbcWebhookStore store;
  private SvixTransport transport;
  private WebhookDispatcher dispatcher;
  private LogCapture logs;

  @BeforeEach
  void start() {
    logs = new LogCapture();
    svix = new SvixApiStub();
    store = JdbcWebhookStore.builder().jdbcUrl(jdbcUrl).build();
    transport =
        SvixTransport.builder()
            .token(SvixApiStub.TOKEN)
            .serverUrl(svix.url())
            .appUid(SvixApiStub.APP_UID)
            .requestTimeout(REQUEST_TIMEOUT)
            .retryBackoff(Duration.ofMillis(20))
            .build();
    dispatcher =
        WebhookDispatcher.builder()
            .store(store)
            .transport(transport)
            .retrySchedule(RetrySchedule.parse("10s, 1h"))
            .requestTimeout(REQUEST_TIMEOUT)
            .build();
  }

  @AfterEach
  void stop() {
    dispatcher.close();
    transport.close();
    store.close();
    SvixRequestSchemas.Report report = new SvixRequestSchemas().check(svix.server);
    svix.close();
    logs.close();
    assertThat(report.checked()).as("request bodies checked").isPositive();
    assertThat(report.problems()).as("request bodies against the Svix schemas").isEmpty();
    assertThat(logs.text()).doesNotContain(SvixApiStub.TOKEN).doesNotContain("PlantedSvixToken");
  }

  @Test
  void hand_off_sends_id_type_and_exact_payload() throws Exception {
    svix.acceptMessages();
    PublishedMessage published = dispatcher.publish(paymentCreated());

    int recorded = dispatcher.runOnce();

    assertThat(recorded).isEqualTo(1);
    List<ServeEvent> handOffs = svix.requests("POST", SvixApiStub.MESSAGES);
    assertThat(handOffs).hasSize(1);
    ServeEvent handOff = handOffs.get(0);
    JsonNode body = MAPPER.readTree(handOff.getRequest().getBodyAsString());
    assertThat(body.path("eventType").asText()).isEqualTo("payment.created");
    assertThat(body.path("eventId").asText()).isEqualTo(published.id().toString());
    assertThat(handOff.getRequest().getBodyAsString())
        .contains("\"payload\":" + new String(published.body(), StandardCharsets.UTF_8))
        .contains("1999.90");
    assertThat(handOff.getRequest().getHeader("idempotency-key")).isEqualTo(published.id().toString());
    assertThat(handOff.getRequest().getHeader("Authorization")).isEqualTo("Bearer " + SvixApiStub.TOKEN);
    assertThat(handOff.getRequest().queryParameter("with_content").firstValue()).isEqualTo("false");
    assertThat(stateOf(published)).isEqualTo("DELIVERED");
    assertThat(handOffAttempts(published)).singleElement().satisfies(a -> assertThat(a.statusCode()).isEqualTo(202));
  }

  @Test
  void application_created_once_before_hand_off() {
    svix.acceptMessages();
    dispatcher.publish(paymentCreated());
    dispatcher.publish(paymentCreated());

    dispatcher.runOnce();

    List<ServeEvent> creations = svix.requests("POST", "/api/v1/app");
    assertThat(creations).hasSize(1);
    assertThat(creations.get(0).getRequest().queryParameter("get_if_exists").firstValue()).isEqualTo("true");
    assertThat(creations.get(0).getRequest().getBodyAsString()).contains("\"uid\":\"" + SvixApiStub.APP_UID + "\"");
    assertThat(svix.requests("POST", SvixApiStub.MESSAGES)).hasSize(2);
  }

  @Test
  void conflict_counts_as_delivered() {
    svix.server.stubFor(
        post(urlPathEqualTo(SvixApiStub.MESSAGES))
            .willReturn(
                SvixApiStub.json(409, "{\"code\": \"conflict\", \"detail\": \"Entity already exists\"}")));
    PublishedMessage published = dispatcher.publish(paymentCreated());

    dispatcher.runOnce();

    assertThat(stateOf(published)).isEqualTo("DELIVERED");
    Attempt attempt = handOffAttempts(published).get(0);
    assertThat(attempt.statusCode()).isEqualTo(409);
    assertThat(attempt.response()).contains("Entity already exists");
    assertThat(svix.requests("POST", SvixApiStub.MESSAGES)).hasSize(1);
  }

  @Test
  void validation_error_fails_at_once() {
    svix.server.stubFor(
        post(urlPathEqualTo(SvixApiStub.MESSAGES))
            .willReturn(
                SvixApiStub.json(
                    422,
                    """
                    {"detail": [{"loc": ["body", "eventType"], "msg": "String too long",
                                 "type": "value_error"}]}
                    """)));
    PublishedMessage published = dispatcher.publish(paymentCreated());

    dispatcher.runOnce();

    assertThat(stateOf(published)).isEqualTo("FAILED");
    Attempt attempt = handOffAttempts(published).get(0);
    assertThat(attempt.statusCode()).isEqualTo(422);
    assertThat(attempt.response()).contains("eventType").contains("String too long");
    assertThat(svix.requests("POST", SvixApiStub.MESSAGES)).hasSize(1);
    assertThat(logs.count(Level.WARN, "Svix rejected message " + published.id())).isEqualTo(1);
  }

  @Test
  void bad_request_fails_with_code_and_detail() {
    svix.server.stubFor(
        post(urlPathEqualTo(SvixApiStub.MESSAGES))
            .willReturn(
                SvixApiStub.json(400, "{\"code\": \"payload_too_large\", \"detail\": \"Payload too big\"}")));
    PublishedMessage published = dispatcher.publish(paymentCreated());

    dispatcher.runOnce();

    assertThat(stateOf(published)).isEqualTo("FAILED");
    assertThat(handOffAttempts(published).get(0).response()).contains("payload_too_large");
  }

  @Test
  void short_retry_after_retried_within_attempt() {
    inSequence(
        aResponse().withStatus(429).withHeader("Retry-After", "1"), SvixApiStub.messageOut(202));
    PublishedMessage published = dispatcher.publish(paymentCreated());

    dispatcher.runOnce();

    List<ServeEvent> handOffs = svix.requests("POST", SvixApiStub.MESSAGES);
    assertThat(handOffs).hasSize(2);
    Duration gap =
        Duration.between(
            handOffs.get(0).getRequest().getLoggedDate().toInstant(),
            handOffs.get(1).getRequest().getLoggedDate().toInstant());
    assertThat(gap).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    assertThat(handOffs.get(1).getRequest().getHeader("idempotency-key"))
        .isEqualTo(published.id().toString());
    assertThat(stateOf(published)).isEqualTo("DELIVERED");
    assertThat(handOffAttempts(published)).singleElement().satisfies(a -> assertThat(a.statusCode()).isEqualTo(202));
  }

  @Test
  void long_retry_after_delays_next_attempt()
      throws SQLException {
    svix.server.stubFor(
        post(urlPathEqualTo(SvixApiStub.MESSAGES))
            .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "600")));
    PublishedMessage published = dispatcher.publish(paymentCreated());
    Instant before = Instant.now();

    dispatcher.runOnce();

    assertThat(svix.requests("POST", SvixApiStub.MESSAGES)).hasSize(1);
    assertThat(stateOf(published)).isEqualTo("PENDING");
    assertThat(handOffAttempts(published)).singleElement().satisfies(a -> assertThat(a.statusCode()).isEqualTo(429));
    assertThat(nextAttemptAt(published)).isAfter(before.plus(Duration.ofSeconds(590)));
  }

  @Test
  void too_many_requests_without_retry_after()
      throws SQLException {
    svix.server.stubFor(
        post(urlPathEqualTo(SvixApiStub.MESSAGES)).willReturn(aResponse().withStatus(429)));
    PublishedMessage published = dispatcher.publish(paymentCreated());
    Instant before = Instant.now();

    dispatcher.runOnce();

    assertThat(svix.requests("POST", SvixApiStub.MESSAGES)).hasSize(SvixTransport.DEFAULT_MAX_TRIES);
    assertThat(stateOf(published)).isEqualTo("PENDING");
    assertThat(handOffAttempts(published)).singleElement().satisfies(a -> assertThat(a.statusCode()).isEqualTo(429));
    assertThat(nextAttemptAt(published)).isAfter(before.plus(Duration.ofSeconds(7)));
  }

  @Test
  void server_error_retried_until_accepted() {
    inSequence(
        SvixApiStub.json(500, "{\"code\": \"server_error\", \"detail\": \"boom\"}"),
        SvixApiStub.json(503, "{\"code\": \"unavailable\", \"detail\": \"later\"}"),
        SvixApiStub.messageOut(202));
    PublishedMessage published = dispatcher.publish(paymentCreated());

    dispatcher.runOnce();

    assertThat(svix.requests("POST", SvixApiStub.MESSAGES)).hasSize(3);
    assertThat(stateOf(published)).isEqualTo("DELIVERED");
  }

  @Test
  void server_error_every_try_stays_pending() {
    svix.server.stubFor(
        post(urlPathEqualTo(SvixApiStub.MESSAGES))
            .willReturn(SvixApiStub.json(500, "{\"code\": \"server_error\", \"detail\": \"boom\"}")));
    PublishedMessage published = dispatcher.publish(paymentCreated());

    dispatcher.runOnce();

    assertThat(svix.requests("POST", SvixApiStub.MESSAGES)).hasSize(SvixTransport.DEFAULT_MAX_TRIES);
    assertThat(stateOf(published)).isEqualTo("PENDING");
    Attempt attempt = handOffAttempts(published).get(0);
    assertThat(attempt.statusCode()).isEqualTo(500);
    assertThat(attempt.response()).contains("server_error");
  }

  @Test
  void connection_reset_recorded_as_io_error() {
    svix.server.stubFor(
        post(urlPathEqualTo(SvixApiStub.MESSAGES))
            .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    PublishedMessage published = dispatcher.publish(paymentCreated());

    dispatcher.runOnce();

    assertThat(svix.requests("POST", SvixApiStub.MESSAGES)).hasSize(SvixTransport.DEFAULT_MAX_TRIES);
    assertThat(stateOf(published)).isEqualTo("PENDING");
    Attempt attempt = handOffAttempts(published).get(0);
    assertThat(attempt.statusCode()).isNull();
    assertThat(attempt.error()).startsWith("I/O error talking to Svix at 127.0.0.1:");
    assertThat(attempt.durationMs())
        .as("the whole attempt, its retries included")
        .isGreaterThanOrEqualTo(20 + 40);
  }

  @Test
  void unreachable_svix_logs_one_warning_for_many_messages() {
    svix.server.stubFor(
        post(urlPathEqualTo(SvixApiStub.MESSAGES))
            .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    for (int i = 0; i < 5; i++) {
      dispatcher.publish(paymentCreated());
    }

    dispatcher.runOnce();

    assertThat(logs.count(Level.WARN, "Svix cannot be reached")).isEqualTo(1);
  }

  @Test
  void connection_reset_then_accepted() {
    inSequence(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), SvixApiStub.messageOut(202));
    PublishedMessage published = dispatcher.publish(paymentCreated());

    dispatcher.runOnce();

    assertThat(stateOf(published)).isEqualTo("DELIVERED");
    assertThat(svix.requests("POST", SvixApiStub.MESSAGES)).hasSize(2);
  }

  @Test
  void timeout_recorded_as_no_answer() {
    svix.server.stubFor(
        post(urlPathEqualTo(SvixApiStub.MESSAGES))
            .willReturn(SvixApiStub.messageOut(202).withFixedDelay((int) REQUEST_TIMEOUT.toMillis() * 3)));
    PublishedMessage published = dispatcher.publish(paymentCreated());

    dispatcher.runOnce();

    assertThat(stateOf(published)).isEqualTo("PENDING");
    Attempt attempt = handOffAttempts(published).get(0);
    assertThat(attempt.statusCode()).isNull();
    assertThat(attempt.error()).startsWith("Svix did not answer in time");
    assertThat(svix.requests("POST", SvixApiStub.MESSAGES)).hasSize(SvixTransport.DEFAULT_MAX_TRIES);
  }

  @Test
  void rejected_token_keeps_messages_pending() {
    svix.server.stubFor(
        post(urlPathEqualTo(SvixApiStub.MESSAGES))
            .willReturn(SvixApiStub.json(401, "{\"code\": \"authentication_failed\", \"detail\": \"Invalid token\"}")));
    PublishedMessage first = dispatcher.publish(paymentCreated());
    PublishedMessage second = dispatcher.publish(paymentCreated());

    dispatcher.runOnce();

    assertThat(stateOf(first)).isEqualTo("PENDING");
    assertThat(stateOf(second)).isEqualTo("PENDING");
    assertThat(svix.requests("POST", SvixApiStub.MESSAGES)).hasSize(2);
    assertThat(logs.count(Level.ERROR, "Svix rejected the token")).isEqualTo(1);
  }

  @Test
  void deleted_application_created_again() {
    inSequence(
        SvixApiStub.json(404, "{\"code\": \"not_found\", \"detail\": \"Entity not found\"}"),
        SvixApiStub.messageOut(202));
    PublishedMessage published = dispatcher.publish(paymentCreated());
    dispatcher.runOnce();
    assertThat(stateOf(published)).isEqualTo("PENDING");

    transport.send(requestFor(published)).toCompletableFuture().join();

    assertThat(svix.requests("POST", "/api/v1/app")).hasSize(2);
    assertThat(svix.requests("POST", SvixApiStub.MESSAGES)).hasSize(2);
  }

  private io.webhookdispatcher.spi.DeliveryRequest requestFor(PublishedMessage published) {
    return new io.webhookdispatcher.spi.DeliveryRequest(
        1,
        published.id(),
        WebhookDispatcher.HAND_OFF_TARGET_ID,
        transport.handOffUrl(),
        published.eventType(),
        2,
        Map.of(),
        published.body());
  }

  /** Makes the message stub give these responses in turn, the last one from then on. */
  private void inSequence(ResponseDefinitionBuilder... answers) {
    String state = STARTED;
    for (int i = 0; i < answers.length; i++) {
      String next = i == answers.length - 1 ? state : "answer " + (i + 1);
      svix.server.stubFor(
          post(urlPathEqualTo(SvixApiStub.MESSAGES))
              .inScenario("hand-off")
              .whenScenarioStateIs(state)
              .willSetStateTo(next)
              .willReturn(answers[i]));
      state = next;
    }
  }

  private List<Attempt> handOffAttempts(PublishedMessage published) {
    return store.attempts(published.id()).orElseThrow();
  }

  private String stateOf(PublishedMessage published) {
    return queryDelivery(published, "state", String.class);
  }

  private Instant nextAttemptAt(PublishedMessage published) throws SQLException {
    return queryDelivery(published, "next_attempt_at", Timestamp.class).toInstant();
  }

  private <T> T queryDelivery(PublishedMessage published, String column, Class<T> type) {
    try (Connection connection = DriverManager.getConnection(jdbcUrl);
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT " + column + " FROM webhook_delivery WHERE message_id = ? AND endpoint_id = ?")) {
      query.setObject(1, published.id());
      query.setObject(2, WebhookDispatcher.HAND_OFF_TARGET_ID);
      try (ResultSet row = query.executeQuery()) {
        assertThat(row.next()).as("hand-off delivery of " + published.id()).isTrue();
        T value = row.getObject(1, type);
        assertThat(row.next()).as("one hand-off delivery").isFalse();
        return value;
      }
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  static Message paymentCreated() {
    Map<String, Object> payment = new LinkedHashMap<>();
    payment.put("id", "pay_" + UUID.randomUUID());
    payment.put("amount", new BigDecimal("1999.90"));
    payment.put("currency", "INR");
    payment.put("status", "captured");
    return Message.of("payment.created", UUID.randomUUID(), "payment", payment);
  }
}
