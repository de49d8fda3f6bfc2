package io.webhookdispatcher.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.webhookdispatcher.Attempt;
import io.webhookdispatcher.Endpoint;
import io.webhookdispatcher.EndpointUpdate;
import io.webhookdispatcher.InvalidInputException;
import io.webhookdispatcher.Message;
import io.webhookdispatcher.PublishedMessage;
import io.webhookdispatcher.RetrySchedule;
import io.webhookdispatcher.WebhookDispatcher;
import io.webhookdispatcher.WebhookVerifier;
import io.webhookdispatcher.jdbc.TestReceiver.Answer;
import io.webhookdispatcher.spi.DeliveryResult;
import java.sql.Connection;
import java.sql.DriverManager;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.ArrayList;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The delivery engine end to end on a real H2 outbox and a real HTTP receiver. */
class DispatcherDeliveryTest {
  private final String jdbcUrl = "jdbc:h2:mem:delivery-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
  private JdbcWebhookStore store;
  private TestReceiver receiver;
  private WebhookDispatcher dispatcher;

  @BeforeEach
  void setUp() throws Exception {
    store = JdbcWebhookStore.builder().jdbcUrl(jdbcUrl).username("sa").password("").build();
    receiver = new TestReceiver();
  }

  @AfterEach
  void tearDown() {
    if (dispatcher != null) {
      dispatcher.close();
    }
    receiver.close();
    store.close();
  }

  private WebhookDispatcher.Builder dispatcherBuilder() {
    return WebhookDispatcher.builder()
        .store(store)
        .allowPrivateAddresses(true)
        .requestTimeout(Duration.ofSeconds(2))
        .retrySchedule(RetrySchedule.parse("100ms,100ms").withJitter(0));
  }

  private static Message payment(String status) {
    return Message.of(
        "payment.created",
        UUID.randomUUID(),
        "Payment",
        Map.of("amount", "1999.90", "currency", "EUR", "status", status));
  }

  @Test
  void delivered_request_verifies_with_endpoint_secret() {
    dispatcher = dispatcherBuilder().build();
    Endpoint endpoint = dispatcher.createEndpoint(receiver.url(), "merchant");
    PublishedMessage published = dispatcher.publish(payment("captured"));

    dispatcher.runOnce();

    assertThat(receiver.received()).hasSize(1);
    TestReceiver.Received request = receiver.received().get(0);
    assertThat(request.body()).isEqualTo(published.body());
    assertThat(request.header("webhook-id")).isEqualTo(published.id().toString());
    assertThat(request.header("svix-id")).isEqualTo(published.id().toString());
    assertThat(request.header("content-type")).isEqualTo("application/json");
    WebhookVerifier.forSecret(endpoint.secret()).verify(request.headers(), request.body());
  }

  @Test
  void close_records_attempt_in_flight() {
    receiver.answer(TestReceiver.Answer.status(200).after(Duration.ofMillis(300)));
    dispatcher = dispatcherBuilder().build();
    dispatcher.createEndpoint(receiver.url(), "slow merchant");
    PublishedMessage published = dispatcher.publish(payment("captured"));
    dispatcher.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 1);

    dispatcher.close();

    assertThat(store.pendingCount()).isZero();
    assertThat(store.attempts(published.id()).orElseThrow())
        .singleElement()
        .satisfies(attempt -> assertThat(attempt.statusCode()).isEqualTo(200));
  }

  @Test
  void disable_records_attempt_in_flight() {
    receiver.answer(TestReceiver.Answer.status(200).after(Duration.ofMillis(500)));
    dispatcher = dispatcherBuilder().build();
    Endpoint endpoint = dispatcher.createEndpoint(receiver.url(), "slow merchant");
    PublishedMessage published = dispatcher.publish(payment("captured"));
    dispatcher.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 1);

    dispatcher.updateEndpoint(endpoint.id(), EndpointUpdate.builder().disabled(true).build());

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !store.attempts(published.id()).orElseThrow().isEmpty());
    assertThat(store.attempts(published.id()).orElseThrow())
        .singleElement()
        .satisfies(attempt -> assertThat(attempt.statusCode()).isEqualTo(200));
    assertThat(store.pendingCount()).isZero();
  }

  @Test
  void rate_limit_paces_one_endpoint_only() throws Exception {
    try (TestReceiver unlimited = new TestReceiver()) {
      dispatcher = dispatcherBuilder().pollInterval(Duration.ofMillis(20)).build();
      dispatcher.createEndpoint(receiver.url(), "paced merchant", 5);
      dispatcher.createEndpoint(unlimited.url(), "fast merchant");
      List<PublishedMessage> published = new ArrayList<>();
      for (int i = 0; i < 15; i++) {
        published.add(dispatcher.publish(payment("captured")));
      }
      long started = System.nanoTime();

      dispatcher.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> unlimited.received().size() == 15);
      int pacedWhenUnlimitedDone = receiver.received().size();
      await().atMost(Duration.ofSeconds(20)).until(() -> receiver.received().size() == 15);
      Duration paced = Duration.ofNanos(System.nanoTime() - started);
      await().atMost(Duration.ofSeconds(10)).until(() -> dispatcher.pendingDeliveries() == 0);

      assertThat(pacedWhenUnlimitedDone).isLessThan(15);
      assertThat(paced).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
      for (PublishedMessage message : published) {
        assertThat(store.attempts(message.id()).orElseThrow())
            .as("attempts of %s; a held-back send is no attempt", message.id())
            .hasSize(2);
      }
    }
  }

  @Test
  void allowed_range_reaches_internal_receiver() {
    dispatcher =
        WebhookDispatcher.builder()
            .store(store)
            .allowedRanges(List.of("127.0.0.0/8"))
            .retrySchedule(RetrySchedule.parse("100ms").withJitter(0))
            .build();
    dispatcher.createEndpoint(receiver.url(), "internal receiver");
    dispatcher.publish(payment("captured"));

    dispatcher.runOnce();

    assertThat(receiver.received()).hasSize(1);
  }

  @Test
  void loopback_outside_allowed_range_is_rejected() {
    dispatcher =
        WebhookDispatcher.builder().store(store).allowedRanges(List.of("10.20.0.0/16")).build();

    assertThatThrownBy(() -> dispatcher.createEndpoint(receiver.url(), null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("a loopback address (127.0.0.0/8)");
  }

  @Test
  void proxy_setting_routes_attempts_through_proxy() {
    int closedPort = TestDatabases.closedPort();
    dispatcher =
        dispatcherBuilder()
            .proxy(URI.create("http://user:planted-proxy-password@127.0.0.1:" + closedPort))
            .build();
    dispatcher.createEndpoint(receiver.url(), null);
    PublishedMessage published = dispatcher.publish(payment("captured"));

    dispatcher.runOnce();

    Attempt attempt = store.attempts(published.id()).orElseThrow().get(0);
    assertThat(attempt.error()).contains("proxy 127.0.0.1:" + closedPort);
    assertThat(attempt.error()).doesNotContain("planted-proxy-password");
    assertThat(receiver.received()).isEmpty();
    assertThat(dispatcher.settings().toString()).doesNotContain("planted-proxy-password");
  }

  @Test
  void https_only_rejects_http_endpoint() {
    dispatcher = WebhookDispatcher.builder().store(store).httpsOnly(true).build();

    assertThatThrownBy(() -> dispatcher.createEndpoint("http://merchant.example/hooks", null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("https only");
    assertThat(dispatcher.createEndpoint("https://merchant.example/hooks", null).url().getScheme())
        .isEqualTo("https");
  }

  @Test
  void rolled_back_host_transaction_delivers_nothing() throws Exception {
    dispatcher = dispatcherBuilder().build();
    dispatcher.createEndpoint(receiver.url(), null);

    try (Connection connection = DriverManager.getConnection(jdbcUrl, "sa", "")) {
      connection.setAutoCommit(false);
      dispatcher.publish(payment("authorized"), connection);
      connection.rollback();
    }
    int attempts = dispatcher.runOnce();

    assertThat(attempts).isZero();
    assertThat(receiver.received()).isEmpty();
    assertThat(dispatcher.pendingDeliveries()).isZero();
  }

  @Test
  void committed_host_transaction_delivers_once() throws Exception {
    dispatcher = dispatcherBuilder().build();
    dispatcher.createEndpoint(receiver.url(), null);

    PublishedMessage published;
    try (Connection connection = DriverManager.getConnection(jdbcUrl, "sa", "")) {
      connection.setAutoCommit(false);
      published = dispatcher.publish(payment("authorized"), connection);
      connection.commit();
    }
    dispatcher.runOnce();
    dispatcher.runOnce();

    assertThat(receiver.received()).hasSize(1);
    assertThat(receiver.received().get(0).header("webhook-id")).isEqualTo(published.id().toString());
  }

  @Test
  void failed_attempts_are_retried_with_same_id() {
    dispatcher = dispatcherBuilder().build();
    dispatcher.createEndpoint(receiver.url(), null);
    receiver.answer(Answer.status(500), Answer.status(500));
    PublishedMessage published = dispatcher.publish(payment("captured"));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              dispatcher.runOnce();
              return receiver.received().size() == 3;
            });

    assertThat(receiver.received())
        .extracting(request -> request.header("webhook-id"))
        .containsOnly(published.id().toString());
    List<Attempt> attempts = dispatcher.attempts(published.id()).orElseThrow();
    assertThat(attempts).extracting(Attempt::attempt).containsExactly(1, 2, 3);
    assertThat(attempts).extracting(Attempt::statusCode).containsExactly(500, 500, 200);
    assertThat(attempts.get(0).response()).isEqualTo("status 500");
    assertThat(dispatcher.pendingDeliveries()).isZero();
  }

  @Test
  void exhausted_schedule_gives_up() {
    List<DeliveryResult.State> states = new CopyOnWriteArrayList<>();
    dispatcher = dispatcherBuilder().listener((attempt, state) -> states.add(state)).build();
    dispatcher.createEndpoint(receiver.url(), null);
    receiver.answer(Answer.status(503), Answer.status(502), Answer.status(500), Answer.status(500));
    dispatcher.publish(payment("failed"));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              dispatcher.runOnce();
              return states.contains(DeliveryResult.State.FAILED);
            });
    dispatcher.runOnce();

    assertThat(states)
        .containsExactly(
            DeliveryResult.State.PENDING, DeliveryResult.State.PENDING, DeliveryResult.State.FAILED);
    assertThat(receiver.received()).hasSize(3);
    assertThat(dispatcher.pendingDeliveries()).isZero();
  }

  @Test
  void redirect_counts_as_failed_attempt() {
    dispatcher = dispatcherBuilder().build();
    dispatcher.createEndpoint(receiver.url(), null);
    receiver.answer(new Answer(302, Map.of("Location", "http://127.0.0.1:1/elsewhere"), ""));
    PublishedMessage published = dispatcher.publish(payment("captured"));

    dispatcher.runOnce();

    Attempt attempt = dispatcher.attempts(published.id()).orElseThrow().get(0);
    assertThat(attempt.statusCode()).isEqualTo(302);
    assertThat(dispatcher.pendingDeliveries()).isEqualTo(1);
  }

  @Test
  void retry_after_on_429_postpones_next_attempt() {
    dispatcher = dispatcherBuilder().build();
    dispatcher.createEndpoint(receiver.url(), null);
    receiver.answer(new Answer(429, Map.of("Retry-After", "3600"), "slow down"));
    dispatcher.publish(payment("captured"));

    dispatcher.runOnce();
    int laterAttempts = dispatcher.runOnce();

    assertThat(receiver.received()).hasSize(1);
    assertThat(laterAttempts).isZero();
    assertThat(dispatcher.pendingDeliveries()).isEqualTo(1);
  }

  @Test
  void deleted_endpoint_gets_nothing_more() {
    dispatcher = dispatcherBuilder().build();
    Endpoint endpoint = dispatcher.createEndpoint(receiver.url(), null);
    dispatcher.publish(payment("captured"));

    assertThat(dispatcher.deleteEndpoint(endpoint.id())).isTrue();
    dispatcher.runOnce();

    assertThat(receiver.received()).isEmpty();
    assertThat(dispatcher.pendingDeliveries()).isZero();
  }

  @Test
  void endpoint_created_later_misses_earlier_messages() {
    dispatcher = dispatcherBuilder().build();
    dispatcher.publish(payment("captured"));
    dispatcher.createEndpoint(receiver.url(), null);
    PublishedMessage second = dispatcher.publish(payment("refunded"));

    dispatcher.runOnce();

    assertThat(receiver.received())
        .extracting(request -> request.header("webhook-id"))
        .containsExactly(second.id().toString());
  }

  @Test
  void expired_lease_of_dead_node_is_delivered() {
    dispatcher = dispatcherBuilder().lease(Duration.ofSeconds(3)).build();
    dispatcher.createEndpoint(receiver.url(), null);
    PublishedMessage published = dispatcher.publish(payment("captured"));
    assertThat(store.claim("dead-node", 10, Duration.ofMillis(300))).hasSize(1);

    int immediately = dispatcher.runOnce();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> dispatcher.runOnce() == 1);

    assertThat(immediately).isZero();
    assertThat(receiver.received()).hasSize(1);
    assertThat(receiver.received().get(0).header("webhook-id")).isEqualTo(published.id().toString());
  }

  @Test
  void started_dispatcher_delivers_without_polling_wait() {
    dispatcher = dispatcherBuilder().pollInterval(Duration.ofSeconds(30)).build();
    dispatcher.createEndpoint(receiver.url(), null);
    dispatcher.start();

    dispatcher.publish(payment("captured"));

    await().atMost(Duration.ofSeconds(5)).until(() -> receiver.received().size() == 1);
  }

  @Test
  void private_address_rejected_by_default() {
    dispatcher = WebhookDispatcher.builder().store(store).build();

    assertThatThrownBy(() -> dispatcher.createEndpoint("http://127.0.0.1:8080/hooks", null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("127.0.0.1");
  }

  @Test
  void private_resolved_address_fails_attempt_by_default() {
    dispatcher = WebhookDispatcher.builder().store(store).build();
    String url = receiver.url().replace("127.0.0.1", "localhost");
    dispatcher.createEndpoint(url, null);
    PublishedMessage published = dispatcher.publish(payment("captured"));

    dispatcher.runOnce();

    Attempt attempt = dispatcher.attempts(published.id()).orElseThrow().get(0);
    assertThat(attempt.statusCode()).isNull();
    assertThat(attempt.error()).contains("127.0.0.1");
    assertThat(receiver.received()).isEmpty();
  }

  @Test
  void reused_idempotency_key_with_other_body_is_rejected() {
    dispatcher = dispatcherBuilder().build();
    dispatcher.createEndpoint(receiver.url(), null);
    PublishedMessage first = dispatcher.publish(payment("captured"), "payment-42", null);

    assertThatThrownBy(() -> dispatcher.publish(payment("refunded"), "payment-42", null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("payment-42")
        .hasMessageContaining(first.id().toString());
    assertThat(dispatcher.pendingDeliveries()).isEqualTo(1);
  }

  @Test
  void reused_idempotency_key_with_same_body_replays() {
    dispatcher = dispatcherBuilder().build();
    Message message = payment("captured");
    PublishedMessage first = dispatcher.publish(message, "payment-43", null);

    PublishedMessage second = dispatcher.publish(message, "payment-43", null);

    assertThat(second.id()).isEqualTo(first.id());
    assertThat(second.replayed()).isTrue();
  }

  @Test
  void url_with_port_out_of_range_is_rejected() {
    dispatcher = dispatcherBuilder().build();

    for (String url : List.of("http://example.com:0/hooks", "http://example.com:99999/hooks")) {
      assertThatThrownBy(() -> dispatcher.createEndpoint(url, null))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("port");
    }
  }

  @Test
  void logs_never_contain_secret_or_payload() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level previous = root.getLevel();
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    root.addAppender(appender);
    root.setLevel(Level.DEBUG);
    try {
      dispatcher = dispatcherBuilder().build();
      Endpoint endpoint = dispatcher.createEndpoint(receiver.url() + "?token=planted-query-5521", null);
      receiver.answer(Answer.status(500));
      dispatcher.publish(
          Message.of(
              "payment.created", UUID.randomUUID(), "Payment", Map.of("card", "planted-payload-8841")));
      dispatcher.runOnce();
      await().atMost(Duration.ofSeconds(5)).until(() -> dispatcher.runOnce() == 1);
      dispatcher.close();
      dispatcher = null;

      String secretKey = endpoint.secret().substring("whsec_".length());
      assertThat(appender.list).isNotEmpty();
      for (ILoggingEvent event : appender.list) {
        String line = event.getFormattedMessage() + String.valueOf(event.getThrowableProxy());
        assertThat(line).doesNotContain(secretKey);
        assertThat(line).doesNotContain("planted-payload-8841");
        assertThat(line).doesNotContain("planted-query-5521");
        assertThat(line).doesNotContain("v1,");
      }
    } finally {
      root.detachAppender(appender);
      root.setLevel(previous);
    }
  }
}
