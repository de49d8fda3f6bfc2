package io.webhookdispatcher.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.webhookdispatcher.Endpoint;
import io.webhookdispatcher.EndpointPage;
import io.webhookdispatcher.EndpointUpdate;
import io.webhookdispatcher.InvalidInputException;
import io.webhookdispatcher.Message;
import io.webhookdispatcher.WebhookDispatcher;
import io.webhookdispatcher.WebhookSigner;
import io.webhookdispatcher.WebhookVerificationException;
import io.webhookdispatcher.WebhookVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Event type filters, endpoint updates, listing and secret rotation through {@link
 * WebhookDispatcher}, on an H2 outbox and real HTTP receivers. The store's side of each operation
 * runs on every database in {@link OutboxStoreContractTest}.
 */
class EndpointOperationsTest {
  private static final String PUBLIC_URL = "https://merchant.example/hooks";

  private final MovableClock clock = new MovableClock(Instant.parse("2026-12-01T00:00:00Z"));
  private JdbcWebhookStore store;
  private TestReceiver receiver;
  private WebhookDispatcher dispatcher;

  @BeforeEach
  void setUp() throws Exception {
    store =
        JdbcWebhookStore.builder()
            .jdbcUrl("jdbc:h2:mem:operations-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1")
            .build();
    receiver = new TestReceiver();
    dispatcher =
        WebhookDispatcher.builder()
            .store(store)
            .clock(clock)
            .allowPrivateAddresses(true)
            .requestTimeout(Duration.ofSeconds(2))
            .build();
  }

  @AfterEach
  void tearDown() {
    dispatcher.close();
    receiver.close();
    store.close();
  }

  @Test
  void filtered_endpoint_gets_listed_types() throws Exception {
    try (TestReceiver unfiltered = new TestReceiver()) {
      dispatcher.createEndpoint(receiver.url(), null, null, List.of("payment.refunded"));
      dispatcher.createEndpoint(unfiltered.url(), null);

      dispatcher.publish(message("payment.created"));
      dispatcher.publish(message("payment.refunded"));
      dispatcher.runOnce();

      assertThat(receiver.received())
          .singleElement()
          .satisfies(request -> assertThat(text(request)).contains("payment.refunded"));
      assertThat(unfiltered.received()).hasSize(2);
    }
  }

  @Test
  void duplicate_event_types_collapsed() {
    Endpoint endpoint =
        dispatcher.createEndpoint(
            PUBLIC_URL, null, null, List.of("payment.refunded", "payment.created", "payment.refunded"));

    assertThat(endpoint.eventTypes()).contains(List.of("payment.created", "payment.refunded"));
  }

  @Test
  void empty_event_types_rejected() {
    InvalidInputException error =
        assertThrows(
            InvalidInputException.class,
            () -> dispatcher.createEndpoint(PUBLIC_URL, null, null, List.of()));

    assertThat(error.field()).isEqualTo("event_types");
    assertThat(error.getMessage()).contains("empty list").contains("null for every event type");
    assertThat(store.list(null, 10)).isEmpty();
  }

  @Test
  void invalid_event_type_rejected() {
    InvalidInputException error =
        assertThrows(
            InvalidInputException.class,
            () ->
                dispatcher.createEndpoint(
                    PUBLIC_URL, null, null, List.of("payment.created", "payment created")));

    assertThat(error.field()).isEqualTo("event_types");
    assertThat(error.getMessage()).contains("event_types[1] 'payment created' is invalid");
    assertThat(store.list(null, 10)).isEmpty();
  }

  @Test
  void null_event_type_entry_rejected() {
    InvalidInputException error =
        assertThrows(
            InvalidInputException.class,
            () ->
                dispatcher.createEndpoint(
                    PUBLIC_URL, null, null, Arrays.asList("payment.created", null)));

    assertThat(error.getMessage()).contains("event_types[1] is null");
  }

  @Test
  void too_many_event_types_rejected() {
    List<String> eventTypes =
        IntStream.rangeClosed(0, WebhookDispatcher.MAX_EVENT_TYPES_PER_ENDPOINT)
            .mapToObj(i -> "type." + i)
            .toList();

    InvalidInputException error =
        assertThrows(
            InvalidInputException.class,
            () -> dispatcher.createEndpoint(PUBLIC_URL, null, null, eventTypes));

    assertThat(error.getMessage()).contains("257 distinct event types").contains("maximum of 256");
    assertThat(store.list(null, 10)).isEmpty();
  }

  @Test
  void update_changes_filter_and_url() throws Exception {
    Endpoint endpoint = dispatcher.createEndpoint(PUBLIC_URL, "old", null, List.of("a.b"));
    EndpointUpdate update =
        EndpointUpdate.builder()
            .url(receiver.url())
            .description("new")
            .eventTypes(List.of("payment.created"))
            .build();

    Endpoint updated = dispatcher.updateEndpoint(endpoint.id(), update).orElseThrow();
    dispatcher.publish(message("payment.created"));
    dispatcher.runOnce();

    assertThat(updated.url().toString()).isEqualTo(receiver.url());
    assertThat(updated.description()).contains("new");
    assertThat(updated.eventTypes()).contains(List.of("payment.created"));
    assertThat(receiver.received()).hasSize(1);
  }

  @Test
  void update_rejects_private_address() {
    WebhookDispatcher strict = WebhookDispatcher.builder().store(store).build();
    Endpoint endpoint = strict.createEndpoint(PUBLIC_URL, null);

    InvalidInputException error =
        assertThrows(
            InvalidInputException.class,
            () ->
                strict.updateEndpoint(
                    endpoint.id(),
                    EndpointUpdate.builder().url("http://169.254.169.254/latest").build()));

    assertThat(error.field()).isEqualTo("url");
    assertThat(error.getMessage()).contains("169.254.169.254");
    assertThat(store.find(endpoint.id())).contains(endpoint);
    strict.close();
  }

  @Test
  void bad_update_changes_nothing() {
    Endpoint endpoint = dispatcher.createEndpoint(PUBLIC_URL, "kept", 3, List.of("a.b"));
    EndpointUpdate update =
        EndpointUpdate.builder().description("changed").eventTypes(List.of()).build();

    InvalidInputException error =
        assertThrows(
            InvalidInputException.class, () -> dispatcher.updateEndpoint(endpoint.id(), update));

    assertThat(error.field()).isEqualTo("event_types");
    assertThat(store.find(endpoint.id())).contains(endpoint);
  }

  @Test
  void update_rejects_rate_limit_out_of_range() {
    Endpoint endpoint = dispatcher.createEndpoint(PUBLIC_URL, null);

    InvalidInputException error =
        assertThrows(
            InvalidInputException.class,
            () ->
                dispatcher.updateEndpoint(
                    endpoint.id(), EndpointUpdate.builder().rateLimit(0).build()));

    assertThat(error.field()).isEqualTo("rate_limit");
    assertThat(error.getMessage()).contains("rate_limit 0 is invalid");
  }

  @Test
  void update_of_unknown_endpoint_is_empty() {
    EndpointUpdate update = EndpointUpdate.builder().description("x").build();

    assertThat(dispatcher.updateEndpoint(UUID.randomUUID(), update)).isEmpty();
  }

  @Test
  void enabled_endpoint_receives_again() {
    Endpoint endpoint = dispatcher.createEndpoint(receiver.url(), null);
    dispatcher.updateEndpoint(endpoint.id(), EndpointUpdate.builder().disabled(true).build());
    dispatcher.publish(message("payment.created"));
    dispatcher.runOnce();

    Endpoint enabled =
        dispatcher
            .updateEndpoint(endpoint.id(), EndpointUpdate.builder().disabled(false).build())
            .orElseThrow();
    dispatcher.publish(message("payment.updated"));
    dispatcher.runOnce();

    assertThat(enabled.disabled()).isFalse();
    assertThat(receiver.received())
        .singleElement()
        .satisfies(request -> assertThat(text(request)).contains("payment.updated"));
  }

  @Test
  void both_secrets_verify_during_grace() {
    Endpoint endpoint = dispatcher.createEndpoint(receiver.url(), null);
    Endpoint rotated = dispatcher.rotateSecret(endpoint.id(), Duration.ofHours(1)).orElseThrow();

    dispatcher.publish(message("payment.created"));
    dispatcher.runOnce();

    TestReceiver.Received request = receiver.received().get(0);
    String signatures = request.header("webhook-signature");
    assertThat(signatures.split(" ")).hasSize(2);
    assertThat(request.header("svix-signature")).isEqualTo(signatures);
    assertThat(rotated.secret()).isNotEqualTo(endpoint.secret());
    verifier(rotated.secret()).verify(request.headers(), request.body());
    verifier(endpoint.secret()).verify(request.headers(), request.body());
    assertThat(signatures.split(" ")[0]).isEqualTo(signatureOnly(rotated.secret(), request));
  }

  @Test
  void old_secret_fails_after_grace() {
    Endpoint endpoint = dispatcher.createEndpoint(receiver.url(), null);
    Endpoint rotated = dispatcher.rotateSecret(endpoint.id(), Duration.ofHours(1)).orElseThrow();
    clock.advance(Duration.ofHours(1));

    dispatcher.publish(message("payment.created"));
    dispatcher.runOnce();

    TestReceiver.Received request = receiver.received().get(0);
    assertThat(request.header("webhook-signature").split(" ")).hasSize(1);
    verifier(rotated.secret()).verify(request.headers(), request.body());
    assertThrows(
        WebhookVerificationException.class,
        () -> verifier(endpoint.secret()).verify(request.headers(), request.body()));
  }

  @Test
  void zero_grace_stops_old_secret_at_once() {
    Endpoint endpoint = dispatcher.createEndpoint(receiver.url(), null);
    Endpoint rotated = dispatcher.rotateSecret(endpoint.id(), Duration.ZERO).orElseThrow();

    dispatcher.publish(message("payment.created"));
    dispatcher.runOnce();

    TestReceiver.Received request = receiver.received().get(0);
    verifier(rotated.secret()).verify(request.headers(), request.body());
    assertThrows(
        WebhookVerificationException.class,
        () -> verifier(endpoint.secret()).verify(request.headers(), request.body()));
  }

  @Test
  void grace_period_out_of_range_rejected() {
    Endpoint endpoint = dispatcher.createEndpoint(PUBLIC_URL, null);

    for (Duration grace : List.of(Duration.ofSeconds(-1), Duration.ofSeconds(604_801))) {
      InvalidInputException error =
          assertThrows(
              InvalidInputException.class, () -> dispatcher.rotateSecret(endpoint.id(), grace));

      assertThat(error.field()).isEqualTo("grace_period_seconds");
      assertThat(error.getMessage())
          .contains("grace_period_seconds " + grace.toSeconds() + " is invalid");
    }
    assertThat(store.find(endpoint.id()).orElseThrow().secret()).isEqualTo(endpoint.secret());
  }

  @Test
  void rotation_of_unknown_endpoint_is_empty() {
    assertThat(dispatcher.rotateSecret(UUID.randomUUID(), Duration.ZERO)).isEmpty();
  }

  @Test
  void list_pages_through_every_endpoint() {
    List<UUID> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(dispatcher.createEndpoint(PUBLIC_URL + "/" + i, null).id());
    }

    List<UUID> listed = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    UUID after = null;
    do {
      EndpointPage page = dispatcher.listEndpoints(after, 2);
      page.endpoints().forEach(endpoint -> listed.add(endpoint.id()));
      sizes.add(page.endpoints().size());
      after = page.nextAfter();
    } while (after != null);

    assertThat(sizes).containsExactly(2, 2, 1);
    // The stores order ids as their text orders, but UUID.compareTo compares signed longs.
    assertThat(listed)
        .containsExactlyElementsOf(
            created.stream().sorted(Comparator.comparing(UUID::toString)).toList());
  }

  @Test
  void list_limit_out_of_range_rejected() {
    for (int limit : new int[] {0, WebhookDispatcher.MAX_PAGE_SIZE + 1}) {
      InvalidInputException error =
          assertThrows(InvalidInputException.class, () -> dispatcher.listEndpoints(null, limit));

      assertThat(error.field()).isEqualTo("limit");
      assertThat(error.getMessage()).contains("limit " + limit + " is invalid");
    }
  }

  private WebhookVerifier verifier(String secret) {
    return WebhookVerifier.forSecret(secret).withClock(clock);
  }

  private static String signatureOnly(String secret, TestReceiver.Received request) {
    return WebhookSigner.forSecret(secret)
        .sign(
            request.header("webhook-id"),
            Long.parseLong(request.header("webhook-timestamp")),
            request.body());
  }

  private static String text(TestReceiver.Received request) {
    return new String(request.body(), StandardCharsets.UTF_8);
  }

  private static Message message(String eventType) {
    return Message.of(eventType, UUID.randomUUID(), "Payment", Map.of("amount", "10.00"));
  }
}
