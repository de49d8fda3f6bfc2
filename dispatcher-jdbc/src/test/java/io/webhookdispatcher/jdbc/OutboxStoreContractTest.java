package io.webhookdispatcher.jdbc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariDataSource;
import io.webhookdispatcher.Attempt;
import io.webhookdispatcher.Endpoint;
import io.webhookdispatcher.EndpointUpdate;
import io.webhookdispatcher.InvalidInputException;
import io.webhookdispatcher.PublishedMessage;
import io.webhookdispatcher.StoreUnavailableException;
import io.webhookdispatcher.spi.Backlog;
import io.webhookdispatcher.spi.ClaimedDelivery;
import io.webhookdispatcher.spi.DeliveryOutcome;
import io.webhookdispatcher.spi.DeliveryResult;
import io.webhookdispatcher.spi.DeliveryResult.State;
import io.webhookdispatcher.spi.OutboxMessage;
import io.webhookdispatcher.spi.PositionedAttempt;
import io.webhookdispatcher.spi.ReplayOutcome;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.Assertions;
import org.assertj.core.data.TemporalUnitOffset;
import org.jdbi.v3.core.ConnectionFactory;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Behaviour that every database behind {@link JdbcWebhookStore} must show. A subclass per database
 * supplies the URL of a database of its own, the URL of a database that cannot be reached, and a
 * look at the server's sessions. Each test starts with empty tables.
 */
abstract class OutboxStoreContractTest {
  static final Duration LEASE = Duration.ofSeconds(30);
  static final Duration MAX_WAIT = Duration.ofSeconds(5);

  /** Endpoints and messages of the concurrent claim test: 500 deliveries. */
  static final int CONCURRENT_ENDPOINTS = 5;

  static final int CONCURRENT_MESSAGES = 100;

  /** Threads that claim at once, spread over two stores, and the limit of each claim. */
  static final int CONCURRENT_CLAIMERS = 4;

  static final int CONCURRENT_CLAIM_LIMIT = 20;

  static final Duration CONCURRENT_CLAIM_TIMEOUT = Duration.ofSeconds(20);

  /** Stores that migrate one empty database at once. */
  static final int CONCURRENT_NODES = 4;

  /**
   * Rounds in which four threads, spread over two stores, save one new hand-off target at once.
   * There are several rounds because a single one may not interleave the transactions.
   */
  static final int CONCURRENT_HAND_OFF_ROUNDS = 20;

  /** Scripts that built a database at schema version 2, before the hand-off target existed. */
  static final List<String> VERSION_2_SCRIPTS = SchemaMigrator.SCRIPTS.subList(0, 2);

  /** Classpath folder of the store's schema scripts, with one folder per dialect below it. */
  static final String SCHEMA_ROOT = "io/webhookdispatcher/jdbc/schema/";

  /** Tables of the store, children before parents, so they can be emptied or dropped in order. */
  static final List<String> TABLES =
      List.of(
          "webhook_attempt",
          "webhook_delivery",
          "webhook_message",
          "webhook_endpoint_event_type",
          "webhook_endpoint",
          "webhook_schema_version");

  JdbcWebhookStore store;

  /** Returns the JDBC URL, with user, of this test's database. */
  abstract String jdbcUrl();

  /** Returns a JDBC URL of the same product that points at a loopback port that nothing listens on. */
  abstract String unreachableJdbcUrl();

  /** Returns how many sessions on this test's database are running an insert into a message. */
  abstract long sessionsInsertingMessages();

  /** Returns a builder of stores that all open this test's database. */
  JdbcWebhookStore.Builder storeBuilder() {
    return JdbcWebhookStore.builder().jdbcUrl(jdbcUrl()).maxPoolSize(2);
  }

  /**
   * Opens a store, without migrations, on a database that cannot be reached, with a connection
   * timeout short enough for a test.
   */
  JdbcWebhookStore openUnreachableStore() {
    return JdbcWebhookStore.builder()
        .jdbcUrl(unreachableJdbcUrl())
        .maxPoolSize(1)
        .connectionTimeout(JdbcWebhookStore.MIN_CONNECTION_TIMEOUT)
        .migrate(false)
        .build();
  }

  /** Opens a new connection to this test's database, as a host application would. */
  Connection openConnection() throws SQLException {
    return DriverManager.getConnection(jdbcUrl());
  }

  /** Returns whether the store serializes schema migrations of several nodes on this database. */
  boolean locksSchemaMigrations() {
    return true;
  }

  /** Opens a store on this test's database. A second call opens the same database again. */
  JdbcWebhookStore openStore() {
    return storeBuilder().build();
  }

  @BeforeEach
  void openStoreForTest() {
    store = openStore();
    for (String table : TABLES.subList(0, TABLES.size() - 1)) {
      executeSql("DELETE FROM " + table);
    }
  }

  @AfterEach
  void closeStoreAfterTest() {
    store.close();
  }

  @Test
  void publish_fans_out_to_live_endpoints() {
    Endpoint first = createEndpoint();
    Endpoint second = createEndpoint();
    Endpoint deleted = createEndpoint();
    store.delete(deleted.id());

    PublishedMessage published = store.publish(message(null));
    createEndpoint();

    List<UUID> endpointIds =
        queryUuids("SELECT endpoint_id FROM webhook_delivery WHERE message_id = ?", published.id());
    assertThat(endpointIds).containsExactlyInAnyOrder(first.id(), second.id());
  }

  @Test
  void publish_returns_stored_creation_time() {
    createEndpoint();

    PublishedMessage published = store.publish(message(null));
    ClaimedDelivery claimed = store.claim("node-a", 10, LEASE).get(0);

    assertThat(published.createdAt()).isEqualTo(claimed.messageCreatedAt());
    assertThat(published.createdAt()).isCloseTo(Instant.now(), within(Duration.ofMinutes(1)));
    assertThat(published.replayed()).isFalse();
  }

  @Test
  void idempotency_key_replays_first_message() {
    createEndpoint();
    OutboxMessage first = message("order-42");
    OutboxMessage second =
        new OutboxMessage(
            UUID.randomUUID(), "order.updated", "{\"b\":2}".getBytes(UTF_8), "order-42");
    store.publish(first);

    PublishedMessage replayed = store.publish(second);

    assertThat(replayed.id()).isEqualTo(first.id());
    assertThat(replayed.replayed()).isTrue();
    assertThat(replayed.body()).isEqualTo(first.body());
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_message")).isEqualTo(1);
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_delivery")).isEqualTo(1);
  }

  @Test
  void host_rollback_leaves_nothing() throws SQLException {
    createEndpoint();
    OutboxMessage message = message(null);

    try (Connection connection = openConnection()) {
      connection.setAutoCommit(false);
      store.publish(message, connection);
      connection.rollback();
    }

    assertThat(queryLong("SELECT COUNT(*) FROM webhook_message")).isZero();
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_delivery")).isZero();
  }

  @Test
  void host_commit_stores_everything() throws SQLException {
    createEndpoint();
    createEndpoint();
    OutboxMessage message = message(null);

    PublishedMessage published;
    try (Connection connection = openConnection()) {
      connection.setAutoCommit(false);
      published = store.publish(message, connection);
      connection.commit();
    }

    assertThat(published.replayed()).isFalse();
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_message WHERE id = ?", message.id()))
        .isEqualTo(1);
    assertThat(store.pendingCount()).isEqualTo(2);
  }

  @Test
  void concurrent_host_publishes_use_their_own_connections() throws Exception {
    createEndpoint();
    int threads = 4;
    int perThread = 25;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<List<UUID>>> committed = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        boolean commit = t % 2 == 0;
        committed.add(
            pool.submit(
                () -> {
                  List<UUID> ids = new ArrayList<>();
                  try (Connection connection = openConnection()) {
                    connection.setAutoCommit(false);
                    for (int i = 0; i < perThread; i++) {
                      ids.add(store.publish(message(null), connection).id());
                    }
                    if (commit) {
                      connection.commit();
                      return ids;
                    }
                    connection.rollback();
                    return List.<UUID>of();
                  }
                }));
      }
      long expected = 0;
      for (Future<List<UUID>> ids : committed) {
        expected += ids.get(30, TimeUnit.SECONDS).size();
      }

      assertThat(expected).isEqualTo((long) perThread * threads / 2);
      assertThat(queryLong("SELECT COUNT(*) FROM webhook_message")).isEqualTo(expected);
      assertThat(store.pendingCount()).isEqualTo(expected);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void host_publish_leaves_connection_open() throws SQLException {
    createEndpoint();

    try (Connection connection = openConnection()) {
      connection.setAutoCommit(false);
      store.publish(message(null), connection);

      assertThat(connection.isClosed()).isFalse();
      connection.rollback();
    }
  }

  @Test
  void host_publish_replays_idempotency_key() throws SQLException {
    createEndpoint();
    OutboxMessage first = message("invoice-7");
    store.publish(first);

    PublishedMessage replayed;
    try (Connection connection = openConnection()) {
      connection.setAutoCommit(false);
      replayed = store.publish(message("invoice-7"), connection);
      connection.commit();
    }

    assertThat(replayed.id()).isEqualTo(first.id());
    assertThat(replayed.replayed()).isTrue();
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_message")).isEqualTo(1);
  }

  @Test
  void host_publish_rejects_auto_commit() throws SQLException {
    OutboxMessage message = message(null);

    try (Connection connection = openConnection()) {
      connection.setAutoCommit(true);
      IllegalArgumentException thrown =
          assertThrows(IllegalArgumentException.class, () -> store.publish(message, connection));

      assertThat(thrown).hasMessageContaining("auto-commit");
    }
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_message")).isZero();
  }

  @Test
  void claim_returns_due_delivery() {
    Endpoint endpoint = createEndpoint();
    PublishedMessage published = store.publish(message(null));

    List<ClaimedDelivery> claimed = store.claim("node-a", 10, LEASE);

    assertThat(claimed).hasSize(1);
    ClaimedDelivery delivery = claimed.get(0);
    assertThat(delivery.attempt()).isEqualTo(1);
    assertThat(delivery.messageId()).isEqualTo(published.id());
    assertThat(delivery.eventType()).isEqualTo(published.eventType());
    assertThat(delivery.body()).isEqualTo(published.body());
    assertThat(delivery.endpointId()).isEqualTo(endpoint.id());
    assertThat(delivery.url()).isEqualTo(endpoint.url());
    assertThat(delivery.secret()).isEqualTo(endpoint.secret());
    assertThat(delivery.leaseToken()).isNotNull();
  }

  @Test
  void claim_sets_lease_owner() {
    createEndpoint();
    store.publish(message(null));

    ClaimedDelivery delivery = store.claim("node-a", 10, LEASE).get(0);

    assertThat(
            queryString(
                "SELECT lease_owner FROM webhook_delivery WHERE id = ?", delivery.deliveryId()))
        .isEqualTo("node-a");
  }

  @Test
  void claim_skips_leased_deliveries() {
    createEndpoint();
    store.publish(message(null));
    store.claim("node-a", 10, LEASE);

    List<ClaimedDelivery> second = store.claim("node-b", 10, LEASE);

    assertThat(second).isEmpty();
  }

  @Test
  void claim_respects_limit() {
    createEndpoint();
    createEndpoint();
    createEndpoint();
    store.publish(message(null));

    List<ClaimedDelivery> first = store.claim("node-a", 2, LEASE);
    List<ClaimedDelivery> rest = store.claim("node-a", 2, LEASE);

    assertThat(first).hasSize(2);
    assertThat(rest).hasSize(1);
    assertThat(first.get(0).leaseToken()).isNotEqualTo(rest.get(0).leaseToken());
  }

  @Test
  void claim_caps_deliveries_per_endpoint() {
    Endpoint busy = createEndpoint();
    for (int i = 0; i < 20; i++) {
      store.publish(message(null));
    }
    Endpoint quiet = createEndpoint();
    store.publish(message(null));

    List<ClaimedDelivery> claimed = store.claim("node-a", 50, 5, LEASE);

    assertThat(claimed).filteredOn(d -> d.endpointId().equals(busy.id())).hasSize(5);
    assertThat(claimed).filteredOn(d -> d.endpointId().equals(quiet.id())).hasSize(1);
  }

  @Test
  void claim_counts_leases_of_other_nodes() {
    createEndpoint();
    for (int i = 0; i < 20; i++) {
      store.publish(message(null));
    }
    store.claim("node-a", 3, 5, LEASE);

    List<ClaimedDelivery> second = store.claim("node-b", 50, 5, LEASE);

    assertThat(second).hasSize(2);
  }

  @Test
  void backlog_does_not_hold_back_other_endpoint() {
    createEndpoint();
    for (int i = 0; i < 30; i++) {
      store.publish(message(null));
    }
    Endpoint quiet = createEndpoint();
    store.publish(message(null));

    List<ClaimedDelivery> claimed = store.claim("node-a", 3, 2, LEASE);

    assertThat(claimed).extracting(ClaimedDelivery::endpointId).contains(quiet.id());
  }

  @Test
  void purge_deletes_finished_messages_only() {
    createEndpoint();
    PublishedMessage finished = store.publish(message(null));
    store.record(List.of(success(store.claim("node-a", 10, LEASE).get(0))));
    PublishedMessage pending = store.publish(message(null));

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> store.purgeFinished(Duration.ZERO, 100) == 1);

    assertThat(store.attempts(finished.id())).isEmpty();
    assertThat(store.attempts(pending.id())).contains(List.of());
    assertThat(store.pendingCount()).isEqualTo(1);
  }

  @Test
  void purge_keeps_messages_younger_than_age() {
    createEndpoint();
    PublishedMessage finished = store.publish(message(null));
    store.record(List.of(success(store.claim("node-a", 10, LEASE).get(0))));

    int purged = store.purgeFinished(Duration.ofDays(1), 100);

    assertThat(purged).isZero();
    assertThat(store.attempts(finished.id())).isPresent();
  }

  @Test
  void purge_deletes_in_batches() {
    createEndpoint();
    for (int i = 0; i < 5; i++) {
      store.publish(message(null));
    }
    List<DeliveryResult> results = new ArrayList<>();
    for (ClaimedDelivery delivery : store.claim("node-a", 10, LEASE)) {
      results.add(success(delivery));
    }
    store.record(results);

    await().atMost(Duration.ofSeconds(5)).until(() -> store.purgeFinished(Duration.ZERO, 2) == 2);
    int second = store.purgeFinished(Duration.ZERO, 2);
    int third = store.purgeFinished(Duration.ZERO, 2);

    assertThat(second).isEqualTo(2);
    assertThat(third).isEqualTo(1);
  }

  @Test
  void claim_returns_oldest_due_first() {
    createEndpoint();
    PublishedMessage older = store.publish(message(null));
    PublishedMessage newer = store.publish(message(null));
    executeSql(
        "UPDATE webhook_delivery SET next_attempt_at = ? WHERE message_id = ?",
        Instant.now().minus(Duration.ofMinutes(1)),
        newer.id());

    List<ClaimedDelivery> claimed = store.claim("node-a", 10, LEASE);

    assertThat(claimed)
        .extracting(ClaimedDelivery::messageId)
        .containsExactly(newer.id(), older.id());
  }

  @Test
  void claim_skips_deliveries_not_yet_due() {
    createEndpoint();
    store.publish(message(null));
    Instant inOneHour = Instant.now().plus(Duration.ofHours(1));
    executeSql("UPDATE webhook_delivery SET next_attempt_at = ?", inOneHour);

    List<ClaimedDelivery> claimed = store.claim("node-a", 10, LEASE);

    assertThat(claimed).isEmpty();
  }

  @Test
  void expired_lease_is_claimed_again() {
    createEndpoint();
    store.publish(message(null));
    ClaimedDelivery first = store.claim("node-a", 10, Duration.ofMillis(1)).get(0);

    List<ClaimedDelivery> again =
        await()
            .atMost(MAX_WAIT)
            .until(() -> store.claim("node-b", 10, LEASE), list -> !list.isEmpty());

    assertThat(again.get(0).deliveryId()).isEqualTo(first.deliveryId());
    assertThat(again.get(0).leaseToken()).isNotEqualTo(first.leaseToken());
    assertThat(again.get(0).attempt()).isEqualTo(1);
  }

  @Test
  void record_discards_stale_token() {
    createEndpoint();
    PublishedMessage published = store.publish(message(null));
    ClaimedDelivery stale = store.claim("node-a", 10, Duration.ofMillis(1)).get(0);
    await().atMost(MAX_WAIT).until(() -> store.claim("node-b", 10, LEASE), list -> !list.isEmpty());

    int recorded = store.record(List.of(success(stale)));

    assertThat(recorded).isZero();
    assertThat(store.attempts(published.id())).hasValue(List.of());
    assertThat(deliveryState(stale.deliveryId())).isEqualTo("PENDING");
  }

  @Test
  void record_success_marks_delivered() {
    createEndpoint();
    PublishedMessage published = store.publish(message(null));
    ClaimedDelivery delivery = store.claim("node-a", 10, LEASE).get(0);

    int recorded = store.record(List.of(success(delivery)));

    assertThat(recorded).isEqualTo(1);
    assertThat(deliveryState(delivery.deliveryId())).isEqualTo("DELIVERED");
    assertThat(
            queryLong("SELECT attempts FROM webhook_delivery WHERE id = ?", delivery.deliveryId()))
        .isEqualTo(1);
    assertThat(
            queryLong(
                "SELECT COUNT(*) FROM webhook_delivery WHERE id = ? AND lease_token IS NULL",
                delivery.deliveryId()))
        .isEqualTo(1);
    assertThat(store.pendingCount()).isZero();
    assertThat(store.claim("node-a", 10, Duration.ofMillis(1))).isEmpty();
  }

  @Test
  void record_success_stores_attempt() {
    Endpoint endpoint = createEndpoint();
    PublishedMessage published = store.publish(message(null));
    ClaimedDelivery delivery = store.claim("node-a", 10, LEASE).get(0);
    DeliveryResult result = success(delivery);

    store.record(List.of(result));

    List<Attempt> attempts = store.attempts(published.id()).orElseThrow();
    assertThat(attempts).hasSize(1);
    Attempt attempt = attempts.get(0);
    assertThat(attempt.messageId()).isEqualTo(published.id());
    assertThat(attempt.endpointId()).isEqualTo(endpoint.id());
    assertThat(attempt.attempt()).isEqualTo(1);
    assertThat(attempt.timestamp()).isCloseTo(result.attemptedAt(), within(Duration.ofMillis(1)));
    assertThat(attempt.statusCode()).isEqualTo(200);
    assertThat(attempt.error()).isNull();
    assertThat(attempt.durationMs()).isEqualTo(42);
    assertThat(attempt.response()).isEqualTo("accepted");
  }

  @Test
  void record_failure_stores_error_without_status() {
    createEndpoint();
    PublishedMessage published = store.publish(message(null));
    ClaimedDelivery delivery = store.claim("node-a", 10, LEASE).get(0);
    DeliveryOutcome outcome = DeliveryOutcome.failure("Connection refused", Duration.ofMillis(3));

    store.record(List.of(result(delivery, outcome, State.PENDING, Duration.ZERO)));

    Attempt attempt = store.attempts(published.id()).orElseThrow().get(0);
    assertThat(attempt.statusCode()).isNull();
    assertThat(attempt.error()).isEqualTo("Connection refused");
    assertThat(attempt.response()).isEmpty();
  }

  @Test
  void record_replaces_invalid_response_bytes() {
    createEndpoint();
    PublishedMessage published = store.publish(message(null));
    ClaimedDelivery delivery = store.claim("node-a", 10, LEASE).get(0);
    byte[] snippet = {'o', 'k', (byte) 0xC3, ' ', (byte) 0xFF};
    DeliveryOutcome outcome = DeliveryOutcome.response(500, Duration.ofMillis(9), snippet, null);

    store.record(List.of(result(delivery, outcome, State.FAILED, null)));

    Attempt attempt = store.attempts(published.id()).orElseThrow().get(0);
    assertThat(attempt.response()).isEqualTo("ok\uFFFD \uFFFD");
  }

  @Test
  void retry_is_not_claimable_until_due() {
    createEndpoint();
    store.publish(message(null));
    ClaimedDelivery first = store.claim("node-a", 10, LEASE).get(0);
    store.record(List.of(retry(first, Duration.ofHours(1))));

    List<ClaimedDelivery> beforeDue = store.claim("node-a", 10, LEASE);
    executeSql(
        "UPDATE webhook_delivery SET next_attempt_at = ? WHERE id = ?",
        Instant.now().minusSeconds(1),
        first.deliveryId());
    List<ClaimedDelivery> afterDue = store.claim("node-a", 10, LEASE);

    assertThat(beforeDue).isEmpty();
    assertThat(afterDue).hasSize(1);
    assertThat(afterDue.get(0).attempt()).isEqualTo(2);
    assertThat(store.pendingCount()).isEqualTo(1);
  }

  @Test
  void retry_delay_uses_database_clock() {
    createEndpoint();
    store.publish(message(null));
    ClaimedDelivery delivery = store.claim("node-a", 10, LEASE).get(0);
    Instant before = Instant.now();

    store.record(List.of(retry(delivery, Duration.ofHours(1))));

    Instant due =
        queryInstant(
            "SELECT next_attempt_at FROM webhook_delivery WHERE id = ?", delivery.deliveryId());
    assertThat(due).isCloseTo(before.plus(Duration.ofHours(1)), within(Duration.ofMinutes(1)));
  }

  @Test
  void short_retry_becomes_claimable() {
    createEndpoint();
    store.publish(message(null));
    ClaimedDelivery first = store.claim("node-a", 10, LEASE).get(0);
    store.record(List.of(retry(first, Duration.ofMillis(1))));

    List<ClaimedDelivery> again =
        await()
            .atMost(MAX_WAIT)
            .until(() -> store.claim("node-a", 10, LEASE), list -> !list.isEmpty());

    assertThat(again.get(0).attempt()).isEqualTo(2);
  }

  @Test
  void failed_delivery_is_never_claimed() {
    createEndpoint();
    store.publish(message(null));
    ClaimedDelivery delivery = store.claim("node-a", 10, LEASE).get(0);
    DeliveryOutcome outcome =
        DeliveryOutcome.response(410, Duration.ofMillis(5), new byte[0], null);

    store.record(List.of(result(delivery, outcome, State.FAILED, null)));

    assertThat(deliveryState(delivery.deliveryId())).isEqualTo("FAILED");
    assertThat(store.claim("node-a", 10, LEASE)).isEmpty();
    assertThat(store.pendingCount()).isZero();
  }

  @Test
  void attempts_are_ordered_oldest_first() {
    createEndpoint();
    PublishedMessage published = store.publish(message(null));
    ClaimedDelivery first = store.claim("node-a", 10, LEASE).get(0);
    store.record(List.of(retry(first, Duration.ZERO)));
    ClaimedDelivery second = store.claim("node-a", 10, LEASE).get(0);
    store.record(List.of(success(second)));

    List<Attempt> attempts = store.attempts(published.id()).orElseThrow();

    assertThat(attempts).extracting(Attempt::attempt).containsExactly(1, 2);
    assertThat(attempts).extracting(Attempt::statusCode).containsExactly(503, 200);
  }

  @Test
  void record_stores_results_of_several_deliveries() {
    createEndpoint();
    createEndpoint();
    store.publish(message(null));
    List<ClaimedDelivery> claimed = store.claim("node-a", 10, LEASE);

    int recorded = store.record(List.of(success(claimed.get(0)), success(claimed.get(1))));

    assertThat(recorded).isEqualTo(2);
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_attempt")).isEqualTo(2);
  }

  @Test
  void delete_cancels_pending_deliveries() {
    Endpoint endpoint = createEndpoint();
    Endpoint other = createEndpoint();
    PublishedMessage published = store.publish(message(null));

    boolean deleted = store.delete(endpoint.id());

    assertThat(deleted).isTrue();
    assertThat(
            queryStrings("SELECT state FROM webhook_delivery WHERE endpoint_id = ?", endpoint.id()))
        .containsExactly("CANCELLED");
    assertThat(queryStrings("SELECT state FROM webhook_delivery WHERE endpoint_id = ?", other.id()))
        .containsExactly("PENDING");
    assertThat(store.pendingCount()).isEqualTo(1);
    assertThat(store.claim("node-a", 10, LEASE))
        .extracting(ClaimedDelivery::messageId)
        .containsExactly(published.id());
  }

  @Test
  void delete_discards_later_results() {
    Endpoint endpoint = createEndpoint();
    PublishedMessage published = store.publish(message(null));
    ClaimedDelivery delivery = store.claim("node-a", 10, LEASE).get(0);
    store.delete(endpoint.id());

    int recorded = store.record(List.of(success(delivery)));

    assertThat(recorded).isZero();
    assertThat(deliveryState(delivery.deliveryId())).isEqualTo("CANCELLED");
    assertThat(store.attempts(published.id())).hasValue(List.of());
  }

  @Test
  void delete_twice_returns_false() {
    Endpoint endpoint = createEndpoint();
    store.delete(endpoint.id());

    boolean deletedAgain = store.delete(endpoint.id());

    assertThat(deletedAgain).isFalse();
    assertThat(store.find(endpoint.id())).isEmpty();
  }

  @Test
  void delete_unknown_endpoint_returns_false() {
    boolean deleted = store.delete(UUID.randomUUID());

    assertThat(deleted).isFalse();
  }

  @Test
  void create_returns_findable_endpoint() {
    UUID id = UUID.randomUUID();
    URI url = URI.create("https://127.0.0.1:8443/hooks?tenant=7");

    Endpoint created = store.create(id, url, "Billing events", "whsec_c2VjcmV0");

    assertThat(created.createdAt()).isCloseTo(Instant.now(), within(Duration.ofMinutes(1)));
    assertThat(store.find(id)).hasValue(created);
  }

  @Test
  void create_without_description_stores_null() {
    UUID id = UUID.randomUUID();

    store.create(id, URI.create("http://127.0.0.1:9/hook"), null, "whsec_c2VjcmV0");

    assertThat(store.find(id).orElseThrow().description()).isEmpty();
  }

  @Test
  void create_rejects_taken_id() {
    Endpoint endpoint = createEndpoint();

    InvalidInputException thrown =
        assertThrows(
            InvalidInputException.class,
            () -> store.create(endpoint.id(), endpoint.url(), null, "whsec_b3RoZXI="));

    assertThat(thrown).hasMessageContaining(endpoint.id().toString());
  }

  @Test
  void find_unknown_endpoint_is_empty() {
    assertThat(store.find(UUID.randomUUID())).isEmpty();
  }

  @Test
  void attempts_of_unknown_message_are_empty() {
    assertThat(store.attempts(UUID.randomUUID())).isEmpty();
  }

  @Test
  void pending_count_includes_leased_and_later() {
    createEndpoint();
    createEndpoint();
    store.publish(message(null));
    store.claim("node-a", 1, LEASE);

    long pending = store.pendingCount();

    assertThat(pending).isEqualTo(2);
  }

  @Test
  void body_round_trips_byte_for_byte() {
    createEndpoint();
    byte[] body = "{\"city\":\"Zürich – 東京 🚀\",\"note\":\"ß\"}".getBytes(UTF_8);
    OutboxMessage message = new OutboxMessage(UUID.randomUUID(), "city.renamed", body, null);

    PublishedMessage published = store.publish(message);
    ClaimedDelivery claimed = store.claim("node-a", 10, LEASE).get(0);

    assertThat(published.body()).isEqualTo(body);
    assertThat(claimed.body()).isEqualTo(body);
  }

  @Test
  void body_keeps_bytes_that_are_not_text() {
    createEndpoint();
    byte[] body = {0, (byte) 0xFF, (byte) 0xC3, 0x28, '\n', 0};
    store.publish(new OutboxMessage(UUID.randomUUID(), "binary.sent", body, null));

    ClaimedDelivery claimed = store.claim("node-a", 10, LEASE).get(0);

    assertThat(claimed.body()).isEqualTo(body);
  }

  @Test
  void second_migration_applies_nothing() {
    List<String> applied = store.migrate();

    assertThat(applied).isEmpty();
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_schema_version"))
        .isEqualTo(SchemaMigrator.SCRIPTS.size());
    assertThat(queryLong("SELECT MAX(version) FROM webhook_schema_version"))
        .isEqualTo(SchemaMigrator.latestVersion());
  }

  @Test
  void reopened_store_keeps_data() {
    Endpoint endpoint = createEndpoint();
    PublishedMessage published = store.publish(message("reopen-1"));
    store.close();

    store = openStore();

    assertThat(store.find(endpoint.id())).hasValue(endpoint);
    assertThat(store.publish(message("reopen-1")).id()).isEqualTo(published.id());
    assertThat(store.claim("node-a", 10, LEASE))
        .extracting(ClaimedDelivery::messageId)
        .containsExactly(published.id());
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_schema_version"))
        .isEqualTo(SchemaMigrator.SCRIPTS.size());
  }

  @Test
  void unreachable_database_fails_publish() {
    OutboxMessage message = message(null);

    StoreUnavailableException thrown;
    try (JdbcWebhookStore unreachable = openUnreachableStore()) {
      thrown = assertThrows(StoreUnavailableException.class, () -> unreachable.publish(message));
    }

    assertThat(thrown).hasMessageContaining("publish message " + message.id());
    assertThat(thrown.getMessage()).doesNotContain(new String(message.body(), UTF_8));
  }

  @Test
  void closed_store_fails_with_unavailable() {
    store.close();

    StoreUnavailableException thrown =
        assertThrows(StoreUnavailableException.class, () -> store.pendingCount());

    assertThat(thrown).hasMessageContaining("count pending deliveries");
  }

  @Test
  void logs_never_contain_secret_or_body() {
    String secret = "whsec_UGxhbnRlZFNlY3JldFZhbHVl";
    String body = "{\"card\":\"4111-planted-body\"}";
    ListAppender<ILoggingEvent> appender = captureLogs();
    try {
      Endpoint endpoint =
          store.create(UUID.randomUUID(), URI.create("http://127.0.0.1:9/hook"), null, secret);
      store.publish(new OutboxMessage(UUID.randomUUID(), "card.saved", body.getBytes(UTF_8), null));
      ClaimedDelivery delivery = store.claim("node-a", 10, LEASE).get(0);
      store.record(List.of(success(delivery)));
      store.delete(endpoint.id());

      assertThat(appender.list).isNotEmpty();
      assertThat(appender.list)
          .extracting(ILoggingEvent::getFormattedMessage)
          .noneMatch(line -> line.contains(secret) || line.contains("planted-body"));
    } finally {
      releaseLogs(appender);
    }
  }

  @Test
  void host_data_source_shares_database() {
    Endpoint endpoint = createEndpoint();

    Optional<Endpoint> found;
    try (HikariDataSource dataSource = new HikariDataSource()) {
      dataSource.setJdbcUrl(jdbcUrl());
      dataSource.setMaximumPoolSize(1);
      try (JdbcWebhookStore hosted = JdbcWebhookStore.builder().dataSource(dataSource).build()) {
        found = hosted.find(endpoint.id());
      }
    }

    assertThat(found).hasValue(endpoint);
  }

  @Test
  void idempotency_keys_compare_exactly() {
    createEndpoint();
    PublishedMessage lower = store.publish(message("order-42"));

    PublishedMessage upper = store.publish(message("ORDER-42"));
    PublishedMessage padded = store.publish(message("order-42 "));

    assertThat(lower.replayed()).isFalse();
    assertThat(upper.replayed()).isFalse();
    assertThat(padded.replayed()).isFalse();
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_message")).isEqualTo(3);
  }

  @Test
  void description_with_nul_is_rejected() {
    URI url = URI.create("http://127.0.0.1:9/hook");

    InvalidInputException thrown =
        assertThrows(
            InvalidInputException.class,
            () -> store.create(UUID.randomUUID(), url, "line\0break", "whsec_c2VjcmV0"));

    assertThat(thrown).hasMessageContaining("description contains the NUL character");
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_endpoint")).isZero();
  }

  @Test
  void record_replaces_nul_in_response() {
    createEndpoint();
    PublishedMessage published = store.publish(message(null));
    ClaimedDelivery delivery = store.claim("node-a", 10, LEASE).get(0);
    byte[] snippet = {'o', 'k', 0, '!'};
    DeliveryOutcome outcome = DeliveryOutcome.response(500, Duration.ofMillis(9), snippet, null);

    store.record(List.of(result(delivery, outcome, State.FAILED, null)));

    Attempt attempt = store.attempts(published.id()).orElseThrow().get(0);
    assertThat(attempt.response()).isEqualTo("ok\uFFFD!");
  }

  @Test
  void record_keeps_one_result_per_lease() {
    createEndpoint();
    PublishedMessage published = store.publish(message(null));
    ClaimedDelivery delivery = store.claim("node-a", 10, LEASE).get(0);

    int recorded = store.record(List.of(success(delivery), success(delivery)));

    assertThat(recorded).isEqualTo(1);
    assertThat(store.attempts(published.id()).orElseThrow()).hasSize(1);
  }

  @Test
  void racing_publish_replays_committed_key() throws Exception {
    createEndpoint();
    OutboxMessage first = message("race-1");

    PublishedMessage replayed;
    try (Connection host = openConnection()) {
      host.setAutoCommit(false);
      store.publish(first, host);
      CompletableFuture<PublishedMessage> racing =
          CompletableFuture.supplyAsync(() -> store.publish(message("race-1")));
      awaitInsertBlockedOnKey();
      host.commit();
      replayed = racing.get(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    assertThat(replayed.id()).isEqualTo(first.id());
    assertThat(replayed.replayed()).isTrue();
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_message")).isEqualTo(1);
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_delivery")).isEqualTo(1);
  }

  @Test
  void racing_host_publish_replays_committed_key() throws Exception {
    createEndpoint();
    OutboxMessage first = message("race-2");

    PublishedMessage replayed;
    try (Connection firstHost = openConnection();
        Connection secondHost = openConnection()) {
      firstHost.setAutoCommit(false);
      secondHost.setAutoCommit(false);
      store.publish(first, firstHost);
      CompletableFuture<PublishedMessage> racing =
          CompletableFuture.supplyAsync(() -> store.publish(message("race-2"), secondHost));
      awaitInsertBlockedOnKey();
      firstHost.commit();
      replayed = racing.get(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      secondHost.commit();
    }

    assertThat(replayed.id()).isEqualTo(first.id());
    assertThat(replayed.replayed()).isTrue();
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_message")).isEqualTo(1);
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_delivery")).isEqualTo(1);
  }

  @Test
  void claim_skips_rows_locked_elsewhere() throws Exception {
    createEndpoint();
    createEndpoint();
    store.publish(message(null));

    List<ClaimedDelivery> claimed;
    long lockedId;
    try (Connection other = openConnection()) {
      other.setAutoCommit(false);
      lockedId = lockOldestDelivery(other);
      claimed =
          CompletableFuture.supplyAsync(() -> store.claim("node-a", 10, LEASE))
              .get(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      other.rollback();
    }

    assertThat(claimed).hasSize(1);
    assertThat(claimed.get(0).deliveryId()).isNotEqualTo(lockedId);
  }

  @Test
  void concurrent_claims_never_share_delivery() throws Exception {
    for (int i = 0; i < CONCURRENT_ENDPOINTS; i++) {
      createEndpoint();
    }
    for (int i = 0; i < CONCURRENT_MESSAGES; i++) {
      store.publish(message(null));
    }
    int deliveries = CONCURRENT_ENDPOINTS * CONCURRENT_MESSAGES;

    List<Long> claimed;
    try (JdbcWebhookStore otherNode = openStore()) {
      claimed = claimConcurrently(List.of(store, otherNode), deliveries);
    }

    assertThat(claimed).doesNotHaveDuplicates();
    assertThat(claimed)
        .containsExactlyInAnyOrderElementsOf(queryLongs("SELECT id FROM webhook_delivery"));
  }

  @Test
  void concurrent_migrations_apply_each_script_once() throws Exception {
    assumeTrue(locksSchemaMigrations(), "the store takes no migration lock on this database");
    store.close();
    for (String table : TABLES) {
      executeSql("DROP TABLE " + table);
    }
    List<JdbcWebhookStore> nodes = new ArrayList<>();
    for (int i = 0; i < CONCURRENT_NODES; i++) {
      nodes.add(storeBuilder().migrate(false).build());
    }

    List<String> applied = new ArrayList<>();
    try {
      for (List<String> scripts : runConcurrently(nodes, JdbcWebhookStore::migrate)) {
        applied.addAll(scripts);
      }
    } finally {
      nodes.forEach(JdbcWebhookStore::close);
    }
    store = openStore();

    assertThat(applied).containsExactlyElementsOf(SchemaMigrator.SCRIPTS);
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_schema_version"))
        .isEqualTo(SchemaMigrator.SCRIPTS.size());
    assertThat(store.pendingCount()).isZero();
  }

  @Test
  void second_hand_off_save_updates_url() {
    UUID targetId = UUID.randomUUID();
    URI firstUrl = URI.create("http://127.0.0.1:9/hand-off/first");
    URI secondUrl = URI.create("http://127.0.0.1:9/hand-off/second");
    store.saveHandOffTarget(targetId, firstUrl);
    String firstSecret = queryString("SELECT secret FROM webhook_endpoint WHERE id = ?", targetId);

    store.saveHandOffTarget(targetId, secondUrl);
    store.publish(handOffMessage());
    List<ClaimedDelivery> claimed = store.claim("node-a", 10, LEASE);

    assertThat(queryLong("SELECT COUNT(*) FROM webhook_endpoint")).isEqualTo(1);
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_endpoint WHERE hand_off = TRUE"))
        .isEqualTo(1);
    assertThat(queryString("SELECT url FROM webhook_endpoint WHERE id = ?", targetId))
        .isEqualTo(secondUrl.toString());
    assertThat(claimed).extracting(ClaimedDelivery::url).containsExactly(secondUrl);
    assertThat(claimed).extracting(ClaimedDelivery::secret).containsExactly(firstSecret);
  }

  @Test
  void concurrent_hand_off_saves_all_succeed() throws Exception {
    UUID targetId = UUID.randomUUID();
    URI url = URI.create("http://127.0.0.1:9/hand-off");

    try (JdbcWebhookStore otherNode = openStore()) {
      for (int round = 0; round < CONCURRENT_HAND_OFF_ROUNDS; round++) {
        executeSql("DELETE FROM webhook_endpoint");
        runConcurrently(
            List.of(store, otherNode, store, otherNode),
            node -> {
              node.saveHandOffTarget(targetId, url);
              return null;
            });
      }
    }

    assertThat(queryLong("SELECT COUNT(*) FROM webhook_endpoint")).isEqualTo(1);
    assertThat(
            queryLong(
                "SELECT COUNT(*) FROM webhook_endpoint WHERE id = ? AND hand_off = TRUE",
                targetId))
        .isEqualTo(1);
  }

  @Test
  void find_and_delete_skip_hand_off_target() {
    UUID targetId = UUID.randomUUID();
    store.saveHandOffTarget(targetId, URI.create("http://127.0.0.1:9/hand-off"));

    Optional<Endpoint> found = store.find(targetId);
    boolean deleted = store.delete(targetId);
    PublishedMessage published = store.publish(handOffMessage());
    List<ClaimedDelivery> claimed = store.claim("node-a", 10, LEASE);

    assertThat(found).isEmpty();
    assertThat(deleted).isFalse();
    assertThat(
            queryLong(
                "SELECT COUNT(*) FROM webhook_endpoint WHERE id = ? AND deleted_at IS NULL",
                targetId))
        .isEqualTo(1);
    assertThat(store.pendingCount()).isEqualTo(1);
    assertThat(claimed).hasSize(1);
    assertThat(claimed.get(0).messageId()).isEqualTo(published.id());
    assertThat(claimed.get(0).endpointId()).isEqualTo(targetId);
  }

  @Test
  void failed_attempt_starts_failure_clock() {
    Endpoint endpoint = createEndpoint();
    store.publish(message(null));
    ClaimedDelivery delivery = store.claim("node-a", 1, LEASE).get(0);
    Instant attemptedAt = Instant.parse("2026-12-01T10:15:30.123Z");

    store.record(
        List.of(
            new DeliveryResult(
                delivery,
                attemptedAt,
                DeliveryOutcome.failure("Connection refused", Duration.ofMillis(3)),
                State.PENDING,
                Duration.ZERO)));

    assertThat(store.failingSince(Set.of(endpoint.id()))).containsEntry(endpoint.id(), attemptedAt);
  }

  @Test
  void later_failure_keeps_failure_clock() {
    Endpoint endpoint = createEndpoint();
    Instant first = Instant.parse("2026-12-01T10:00:00Z");
    recordFailureAt(first);

    recordFailureAt(first.plus(Duration.ofHours(2)));

    assertThat(store.failingSince(Set.of(endpoint.id()))).containsEntry(endpoint.id(), first);
  }

  @Test
  void success_clears_failure_clock() {
    Endpoint endpoint = createEndpoint();
    recordFailureAt(Instant.parse("2026-12-01T10:00:00Z"));
    store.publish(message(null));
    ClaimedDelivery delivery = store.claim("node-a", 1, LEASE).get(0);

    store.record(List.of(success(delivery)));

    assertThat(store.failingSince(Set.of(endpoint.id()))).isEmpty();
  }

  @Test
  void disable_fails_pending_and_later_deliveries() {
    Endpoint endpoint = createEndpoint();
    Endpoint other = createEndpoint();
    store.publish(message(null));
    Instant at = Instant.parse("2026-12-02T08:00:00Z");

    boolean disabled = store.disableEndpoint(endpoint.id(), "responded 410 Gone", at);
    store.publish(message(null));

    assertThat(disabled).isTrue();
    Endpoint read = store.find(endpoint.id()).orElseThrow();
    assertThat(read.disabledAt()).contains(at);
    assertThat(read.disabledReason()).contains("responded 410 Gone");
    assertThat(
            queryLong(
                "SELECT COUNT(*) FROM webhook_delivery WHERE endpoint_id = ? AND state = 'FAILED'",
                endpoint.id()))
        .isEqualTo(2);
    assertThat(store.pendingCount()).isEqualTo(2);
    assertThat(store.claim("node-a", 10, LEASE))
        .extracting(ClaimedDelivery::endpointId)
        .containsOnly(other.id());
  }

  @Test
  void disable_keeps_in_flight_delivery_recordable() {
    Endpoint endpoint = createEndpoint();
    PublishedMessage published = store.publish(message(null));
    ClaimedDelivery inFlight = store.claim("node-a", 1, LEASE).get(0);

    store.disableEndpoint(endpoint.id(), "responded 410 Gone", Instant.now());
    int recorded = store.record(List.of(success(inFlight)));

    assertThat(recorded).isEqualTo(1);
    assertThat(deliveryState(inFlight.deliveryId())).isEqualTo("DELIVERED");
    assertThat(store.attempts(published.id()).orElseThrow())
        .extracting(Attempt::statusCode)
        .containsExactly(200);
  }

  @Test
  void disable_fails_in_flight_retry_on_record() {
    Endpoint endpoint = createEndpoint();
    PublishedMessage published = store.publish(message(null));
    ClaimedDelivery inFlight = store.claim("node-a", 1, LEASE).get(0);

    store.disableEndpoint(endpoint.id(), "responded 410 Gone", Instant.now());
    int recorded = store.record(List.of(retry(inFlight, Duration.ZERO)));

    assertThat(recorded).isEqualTo(1);
    assertThat(deliveryState(inFlight.deliveryId())).isEqualTo("FAILED");
    assertThat(store.attempts(published.id()).orElseThrow()).hasSize(1);
    assertThat(store.pendingCount()).isZero();
  }

  @Test
  void update_disable_keeps_in_flight_delivery_recordable() {
    Endpoint endpoint = createEndpoint();
    store.publish(message(null));
    ClaimedDelivery inFlight = store.claim("node-a", 1, LEASE).get(0);
    EndpointUpdate disable = EndpointUpdate.builder().disabled(true).build();

    store.update(endpoint.id(), disable, Instant.now());
    int recorded = store.record(List.of(success(inFlight)));

    assertThat(recorded).isEqualTo(1);
    assertThat(deliveryState(inFlight.deliveryId())).isEqualTo("DELIVERED");
  }

  @Test
  void claim_skips_expired_lease_of_disabled_endpoint() {
    Endpoint endpoint = createEndpoint();
    store.publish(message(null));
    ClaimedDelivery inFlight = store.claim("node-a", 1, LEASE).get(0);
    store.disableEndpoint(endpoint.id(), "responded 410 Gone", Instant.now());

    executeSql("UPDATE webhook_delivery SET lease_until = next_attempt_at");

    assertThat(deliveryState(inFlight.deliveryId())).isEqualTo("PENDING");
    assertThat(store.claim("node-b", 10, LEASE)).isEmpty();
  }

  @Test
  void disable_twice_or_deleted_returns_false() {
    Endpoint endpoint = createEndpoint();
    Endpoint deleted = createEndpoint();
    store.delete(deleted.id());
    Instant at = Instant.parse("2026-12-02T08:00:00Z");
    store.disableEndpoint(endpoint.id(), "responded 410 Gone", at);

    assertThat(store.disableEndpoint(endpoint.id(), "again", at)).isFalse();
    assertThat(store.disableEndpoint(deleted.id(), "deleted", at)).isFalse();
    assertThat(store.disableEndpoint(UUID.randomUUID(), "unknown", at)).isFalse();
    assertThat(store.find(endpoint.id()).orElseThrow().disabledReason())
        .contains("responded 410 Gone");
  }

  @Test
  void disabled_endpoint_has_no_failure_clock() {
    Endpoint endpoint = createEndpoint();
    recordFailureAt(Instant.parse("2026-12-01T10:00:00Z"));

    store.disableEndpoint(endpoint.id(), "failing", Instant.parse("2026-12-06T10:00:00Z"));

    assertThat(store.failingSince(Set.of(endpoint.id()))).isEmpty();
  }

  /** Publishes a message and records a failed attempt to the only endpoint at {@code at}. */
  private void recordFailureAt(Instant at) {
    store.publish(message(null));
    ClaimedDelivery delivery = store.claim("node-a", 1, LEASE).get(0);
    store.record(
        List.of(
            new DeliveryResult(
                delivery,
                at,
                DeliveryOutcome.response(500, Duration.ofMillis(4), new byte[0], null),
                State.FAILED,
                null)));
  }

  @Test
  void rate_limit_is_stored_and_claimed() {
    Endpoint endpoint =
        store.create(
            UUID.randomUUID(), URI.create("http://127.0.0.1:9/paced"), null, "whsec_cGFjZWQ=", 25);
    store.publish(message(null));

    ClaimedDelivery claimed = store.claim("node-a", 1, LEASE).get(0);

    assertThat(store.find(endpoint.id()).orElseThrow().rateLimit()).hasValue(25);
    assertThat(claimed.rateLimit()).isEqualTo(25);
  }

  @Test
  void postpone_returns_delivery_without_attempt() {
    createEndpoint();
    PublishedMessage published = store.publish(message(null));
    ClaimedDelivery claimed = store.claim("node-a", 1, LEASE).get(0);

    int postponed = store.postpone(List.of(claimed), Duration.ofMinutes(10));

    assertThat(postponed).isEqualTo(1);
    assertThat(store.attempts(published.id()).orElseThrow()).isEmpty();
    assertThat(store.pendingCount()).isEqualTo(1);
    assertThat(store.claim("node-a", 1, LEASE)).isEmpty();
    assertThat(queryLong("SELECT attempts FROM webhook_delivery WHERE id = ?", claimed.deliveryId()))
        .isZero();
  }

  @Test
  void postponed_delivery_keeps_attempt_number() {
    createEndpoint();
    store.publish(message(null));
    ClaimedDelivery claimed = store.claim("node-a", 1, LEASE).get(0);
    store.postpone(List.of(claimed), Duration.ZERO);

    List<ClaimedDelivery> again = store.claim("node-b", 1, LEASE);

    assertThat(again).singleElement().satisfies(d -> assertThat(d.attempt()).isEqualTo(1));
  }

  @Test
  void postpone_skips_a_lease_taken_over() throws Exception {
    createEndpoint();
    store.publish(message(null));
    ClaimedDelivery stale = store.claim("node-a", 1, Duration.ofMillis(50)).get(0);
    await().atMost(MAX_WAIT).until(() -> !store.claim("node-b", 1, LEASE).isEmpty());

    int postponed = store.postpone(List.of(stale), Duration.ofMinutes(10));

    assertThat(postponed).isZero();
  }

  @Test
  void left_hand_off_is_fanned_out_to_endpoints() {
    Endpoint first = createEndpoint();
    Endpoint disabled = createEndpoint();
    store.disableEndpoint(disabled.id(), "responded 410 Gone", Instant.now());
    UUID targetId = UUID.randomUUID();
    store.saveHandOffTarget(targetId, URI.create("http://127.0.0.1:9/hand-off"));
    PublishedMessage published = store.publish(handOffMessage());
    ClaimedDelivery handOff = store.claim("node-a", 10, LEASE).get(0);

    int redirected = store.redirectHandOffs(List.of(handOff));

    assertThat(redirected).isEqualTo(1);
    assertThat(deliveryState(handOff.deliveryId())).isEqualTo("CANCELLED");
    assertThat(store.claim("node-a", 10, LEASE))
        .extracting(ClaimedDelivery::endpointId, ClaimedDelivery::messageId)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(first.id(), published.id()));
    assertThat(
            queryLong(
                "SELECT COUNT(*) FROM webhook_delivery WHERE endpoint_id = ? AND state = 'FAILED'",
                disabled.id()))
        .isEqualTo(1);
  }

  @Test
  void stale_hand_off_not_fanned_out() throws Exception {
    createEndpoint();
    store.saveHandOffTarget(UUID.randomUUID(), URI.create("http://127.0.0.1:9/hand-off"));
    store.publish(handOffMessage());
    ClaimedDelivery stale = store.claim("node-a", 1, Duration.ofMillis(50)).get(0);
    await().atMost(MAX_WAIT).until(() -> !store.claim("node-b", 1, LEASE).isEmpty());

    int redirected = store.redirectHandOffs(List.of(stale));

    assertThat(redirected).isZero();
    assertThat(store.pendingCount()).isEqualTo(1);
  }

  @Test
  void list_pages_through_endpoints_by_id() {
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(createEndpoint().id());
    }
    store.saveHandOffTarget(UUID.randomUUID(), URI.create("http://127.0.0.1:9/hand-off"));
    Endpoint deleted = createEndpoint();
    store.delete(deleted.id());

    List<Endpoint> first = store.list(null, 2);
    List<Endpoint> second = store.list(first.get(1).id(), 2);
    List<Endpoint> third = store.list(second.get(1).id(), 2);
    List<Endpoint> after = store.list(third.get(0).id(), 2);

    List<UUID> listed = new ArrayList<>();
    for (List<Endpoint> page : List.of(first, second, third)) {
      page.forEach(endpoint -> listed.add(endpoint.id()));
    }
    assertThat(first).hasSize(2);
    assertThat(second).hasSize(2);
    assertThat(third).hasSize(1);
    assertThat(after).isEmpty();
    assertThat(listed).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(listed).doesNotHaveDuplicates();
  }

  @Test
  void list_returns_endpoints_with_their_secrets() {
    Endpoint endpoint = createEndpoint();

    List<Endpoint> listed = store.list(null, 10);

    assertThat(listed).containsExactly(endpoint);
  }

  @Test
  void ordinary_endpoint_not_taken_over() {
    Endpoint endpoint = createEndpoint();

    InvalidInputException error =
        assertThrows(
            InvalidInputException.class,
            () -> store.saveHandOffTarget(endpoint.id(), URI.create("http://127.0.0.1:9/hand-off")));

    assertThat(error.field()).isEqualTo("id");
    assertThat(error.getMessage()).contains(endpoint.id().toString()).contains("ordinary endpoint");
    assertThat(store.find(endpoint.id())).contains(endpoint);
  }

  @Test
  void deleted_hand_off_target_revived_on_save() {
    UUID targetId = UUID.randomUUID();
    store.saveHandOffTarget(targetId, URI.create("http://127.0.0.1:9/hand-off"));
    withRawHandle(
        handle ->
            handle.execute(
                "UPDATE webhook_endpoint SET deleted_at = created_at WHERE id = ?", targetId));

    store.saveHandOffTarget(targetId, URI.create("http://127.0.0.1:9/hand-off"));
    store.publish(handOffMessage());

    assertThat(store.claim("node-a", 10, LEASE))
        .extracting(ClaimedDelivery::endpointId)
        .containsExactly(targetId);
  }

  @Test
  void publish_for_endpoints_skips_hand_off_target() {
    Endpoint first = createEndpoint();
    Endpoint second = createEndpoint();
    UUID targetId = UUID.randomUUID();
    store.saveHandOffTarget(targetId, URI.create("http://127.0.0.1:9/hand-off"));

    PublishedMessage published = store.publish(message(null));
    List<ClaimedDelivery> claimed = store.claim("node-a", 10, LEASE);

    assertThat(store.pendingCount()).isEqualTo(2);
    assertThat(claimed)
        .extracting(ClaimedDelivery::endpointId)
        .containsExactlyInAnyOrder(first.id(), second.id());
    assertThat(claimed).extracting(ClaimedDelivery::messageId).containsOnly(published.id());
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_delivery WHERE endpoint_id = ?", targetId))
        .isZero();
  }

  @Test
  void hand_off_publish_delivers_to_target_only() {
    createEndpoint();
    createEndpoint();
    UUID targetId = UUID.randomUUID();
    URI url = URI.create("http://127.0.0.1:9/hand-off");
    store.saveHandOffTarget(targetId, url);

    PublishedMessage published = store.publish(handOffMessage());
    List<ClaimedDelivery> claimed = store.claim("node-a", 10, LEASE);

    assertThat(store.pendingCount()).isEqualTo(1);
    assertThat(claimed).hasSize(1);
    ClaimedDelivery delivery = claimed.get(0);
    assertThat(delivery.messageId()).isEqualTo(published.id());
    assertThat(delivery.endpointId()).isEqualTo(targetId);
    assertThat(delivery.url()).isEqualTo(url);
    assertThat(delivery.secret()).isNotEmpty();
    assertThat(store.claim("node-b", 10, LEASE)).isEmpty();
  }

  @Test
  void upgrade_from_version_2_keeps_endpoints_ordinary() {
    store.close();
    UUID firstId = UUID.randomUUID();
    UUID secondId = UUID.randomUUID();
    buildVersion2Schema(firstId, secondId);
    List<String> laterScripts =
        SchemaMigrator.SCRIPTS.subList(VERSION_2_SCRIPTS.size(), SchemaMigrator.SCRIPTS.size());
    store = storeBuilder().migrate(false).build();

    List<String> applied = store.migrate();
    PublishedMessage published = store.publish(message(null));
    List<ClaimedDelivery> claimed = store.claim("node-a", 10, LEASE);

    assertThat(applied).containsExactlyElementsOf(laterScripts);
    assertThat(applied).contains("V3__add_hand_off_target.sql");
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_endpoint WHERE hand_off = TRUE")).isZero();
    assertThat(store.find(firstId)).isPresent();
    assertThat(store.find(secondId)).isPresent();
    assertThat(store.pendingCount()).isEqualTo(2);
    assertThat(claimed)
        .extracting(ClaimedDelivery::endpointId)
        .containsExactlyInAnyOrder(firstId, secondId);
    assertThat(claimed).extracting(ClaimedDelivery::messageId).containsOnly(published.id());
  }

  @Test
  void publish_skips_endpoints_filtering_other_types() {
    Endpoint unfiltered = createEndpoint();
    Endpoint subscribed = createEndpoint(List.of("order.created", "order.deleted"));
    createEndpoint(List.of("order.updated"));

    PublishedMessage published = store.publish(message(null));

    List<UUID> endpointIds =
        queryUuids("SELECT endpoint_id FROM webhook_delivery WHERE message_id = ?", published.id());
    assertThat(endpointIds).containsExactlyInAnyOrder(unfiltered.id(), subscribed.id());
  }

  @Test
  void event_type_filter_is_case_sensitive() {
    createEndpoint(List.of("Order.Created"));

    store.publish(message(null));

    assertThat(store.pendingCount()).isZero();
  }

  @Test
  void host_publish_applies_event_type_filter() throws SQLException {
    createEndpoint(List.of("order.updated"));
    Endpoint subscribed = createEndpoint(List.of("order.created"));

    try (Connection connection = openConnection()) {
      connection.setAutoCommit(false);
      store.publish(message(null), connection);
      connection.commit();
    }

    assertThat(store.claim("node-a", 10, LEASE))
        .singleElement()
        .satisfies(claimed -> assertThat(claimed.endpointId()).isEqualTo(subscribed.id()));
  }

  @Test
  void stored_event_types_read_back_sorted() {
    Endpoint created = createEndpoint(List.of("order.updated", "Order.created", "order.created"));

    Endpoint found = store.find(created.id()).orElseThrow();

    List<String> sorted = List.of("Order.created", "order.created", "order.updated");
    assertThat(created.eventTypes()).contains(sorted);
    assertThat(found.eventTypes()).contains(sorted);
  }

  @Test
  void list_returns_event_types_of_each_endpoint() {
    Endpoint unfiltered = createEndpoint();
    Endpoint filtered = createEndpoint(List.of("order.created"));

    List<Endpoint> listed = store.list(null, 10);

    assertThat(listed).containsExactlyInAnyOrder(unfiltered, filtered);
    assertThat(listed)
        .filteredOn(endpoint -> endpoint.id().equals(filtered.id()))
        .singleElement()
        .satisfies(endpoint -> assertThat(endpoint.eventTypes()).contains(List.of("order.created")));
  }

  @Test
  void update_sets_every_field() {
    Endpoint endpoint = createEndpoint();
    EndpointUpdate update =
        EndpointUpdate.builder()
            .url("http://127.0.0.1:9/v2")
            .description(null)
            .rateLimit(5)
            .eventTypes(List.of("order.updated"))
            .build();

    Endpoint updated = store.update(endpoint.id(), update, Instant.now()).orElseThrow();
    store.publish(message(null));

    assertThat(updated.url()).isEqualTo(URI.create("http://127.0.0.1:9/v2"));
    assertThat(updated.description()).isEmpty();
    assertThat(updated.rateLimit()).hasValue(5);
    assertThat(updated.eventTypes()).contains(List.of("order.updated"));
    assertThat(updated.secret()).isEqualTo(endpoint.secret());
    assertThat(updated.createdAt()).isEqualTo(endpoint.createdAt());
    assertThat(store.find(endpoint.id())).contains(updated);
    assertThat(store.pendingCount()).as("order.created is filtered out").isZero();
  }

  @Test
  void update_keeps_fields_it_does_not_set() {
    Endpoint endpoint =
        store.create(
            UUID.randomUUID(),
            URI.create("http://127.0.0.1:9/hook"),
            "first",
            "whsec_" + UUID.randomUUID(),
            7,
            List.of("order.created"));

    Endpoint updated =
        store
            .update(endpoint.id(), EndpointUpdate.builder().description("second").build(), Instant.now())
            .orElseThrow();

    assertThat(updated.description()).contains("second");
    assertThat(updated.url()).isEqualTo(endpoint.url());
    assertThat(updated.rateLimit()).hasValue(7);
    assertThat(updated.eventTypes()).contains(List.of("order.created"));
  }

  @Test
  void null_event_types_receive_every_message() {
    Endpoint endpoint = createEndpoint(List.of("order.updated"));

    Endpoint updated =
        store
            .update(endpoint.id(), EndpointUpdate.builder().eventTypes(null).build(), Instant.now())
            .orElseThrow();
    store.publish(message(null));

    assertThat(updated.eventTypes()).isEmpty();
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_endpoint_event_type")).isZero();
    assertThat(store.pendingCount()).isEqualTo(1);
  }

  @Test
  void update_of_missing_endpoint_is_empty() {
    Endpoint deleted = createEndpoint();
    store.delete(deleted.id());
    EndpointUpdate update = EndpointUpdate.builder().description("x").build();

    assertThat(store.update(UUID.randomUUID(), update, Instant.now())).isEmpty();
    assertThat(store.update(deleted.id(), update, Instant.now())).isEmpty();
  }

  @Test
  void update_disables_by_hand() {
    Endpoint endpoint = createEndpoint();
    PublishedMessage published = store.publish(message(null));
    Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    Endpoint disabled =
        store.update(endpoint.id(), EndpointUpdate.builder().disabled(true).build(), at).orElseThrow();

    assertThat(disabled.disabledAt()).contains(at);
    assertThat(disabled.disabledReason()).contains("disabled by an operator");
    assertThat(store.pendingCount()).isZero();
    assertThat(
            queryString(
                "SELECT state FROM webhook_delivery WHERE message_id = ?", published.id()))
        .isEqualTo("FAILED");
  }

  @Test
  void update_enables_and_clears_failure_clock() {
    Endpoint endpoint = createEndpoint();
    store.disableEndpoint(endpoint.id(), "responded 410 Gone", Instant.now());
    executeSql("UPDATE webhook_endpoint SET failing_since = disabled_at");

    Endpoint enabled =
        store
            .update(endpoint.id(), EndpointUpdate.builder().disabled(false).build(), Instant.now())
            .orElseThrow();
    store.publish(message(null));

    assertThat(enabled.disabled()).isFalse();
    assertThat(enabled.disabledReason()).isEmpty();
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_endpoint WHERE failing_since IS NOT NULL"))
        .isZero();
    assertThat(store.pendingCount()).isEqualTo(1);
  }

  @Test
  void claim_returns_previous_secret_after_rotation() {
    Endpoint endpoint = createEndpoint();
    Instant expiresAt = Instant.now().plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.MILLIS);
    String newSecret = "whsec_" + UUID.randomUUID();

    Endpoint rotated = store.rotateSecret(endpoint.id(), newSecret, expiresAt).orElseThrow();
    store.publish(message(null));
    ClaimedDelivery claimed = store.claim("node-a", 10, LEASE).get(0);

    assertThat(rotated.secret()).isEqualTo(newSecret);
    assertThat(claimed.secret()).isEqualTo(newSecret);
    assertThat(claimed.previousSecret()).isEqualTo(endpoint.secret());
    assertThat(claimed.previousSecretExpiresAt()).isEqualTo(expiresAt);
  }

  @Test
  void rotation_without_grace_drops_previous_secret() {
    Endpoint endpoint = createEndpoint();
    store.rotateSecret(endpoint.id(), "whsec_" + UUID.randomUUID(), Instant.now().plusSeconds(60));
    String newest = "whsec_" + UUID.randomUUID();

    store.rotateSecret(endpoint.id(), newest, null);
    store.publish(message(null));
    ClaimedDelivery claimed = store.claim("node-a", 10, LEASE).get(0);

    assertThat(claimed.secret()).isEqualTo(newest);
    assertThat(claimed.previousSecret()).isNull();
    assertThat(claimed.previousSecretExpiresAt()).isNull();
  }

  @Test
  void rotation_of_missing_endpoint_is_empty() {
    Endpoint deleted = createEndpoint();
    store.delete(deleted.id());

    assertThat(store.rotateSecret(deleted.id(), "whsec_x", null)).isEmpty();
    assertThat(store.rotateSecret(UUID.randomUUID(), "whsec_x", null)).isEmpty();
  }

  @Test
  void duplicate_event_types_rejected_by_store() {
    InvalidInputException error =
        assertThrows(
            InvalidInputException.class,
            () -> createEndpoint(List.of("order.created", "order.created")));

    assertThat(error.field()).isEqualTo("event_types");
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_endpoint")).isZero();
  }

  Endpoint createEndpoint(List<String> eventTypes) {
    return store.create(
        UUID.randomUUID(),
        URI.create("http://127.0.0.1:9/hook"),
        "test endpoint",
        "whsec_" + UUID.randomUUID(),
        null,
        eventTypes);
  }

  @Test
  void replay_queues_manual_delivery_after_failure() {
    Endpoint endpoint = createEndpoint();
    PublishedMessage published = store.publish(message(null));
    ClaimedDelivery first = store.claim("node-a", 10, LEASE).get(0);
    store.record(List.of(failure(first, State.FAILED)));

    ReplayOutcome outcome = store.replay(published.id(), endpoint.id());
    ClaimedDelivery replayed = store.claim("node-a", 10, LEASE).get(0);
    store.record(List.of(success(replayed)));

    assertThat(outcome).isEqualTo(ReplayOutcome.QUEUED);
    assertThat(replayed.deliveryId()).isNotEqualTo(first.deliveryId());
    assertThat(replayed.messageId()).isEqualTo(published.id());
    assertThat(replayed.attempt()).isEqualTo(1);
    assertThat(replayed.manual()).isTrue();
    assertThat(deliveryState(first.deliveryId())).isEqualTo("FAILED");
    assertThat(store.attempts(published.id()).orElseThrow())
        .extracting(Attempt::trigger)
        .containsExactly(Attempt.Trigger.SCHEDULED, Attempt.Trigger.MANUAL);
  }

  @Test
  void replay_of_delivered_message_sends_again() {
    Endpoint endpoint = createEndpoint();
    PublishedMessage published = store.publish(message(null));
    store.record(List.of(success(store.claim("node-a", 10, LEASE).get(0))));

    ReplayOutcome outcome = store.replay(published.id(), endpoint.id());

    assertThat(outcome).isEqualTo(ReplayOutcome.QUEUED);
    assertThat(store.pendingCount()).isEqualTo(1);
  }

  @Test
  void retry_after_manual_attempt_is_scheduled() {
    Endpoint endpoint = createEndpoint();
    PublishedMessage published = store.publish(message(null));
    store.record(List.of(failure(store.claim("node-a", 10, LEASE).get(0), State.FAILED)));
    store.replay(published.id(), endpoint.id());
    store.record(List.of(retry(store.claim("node-a", 10, LEASE).get(0), Duration.ZERO)));

    ClaimedDelivery retried = store.claim("node-a", 10, LEASE).get(0);

    assertThat(retried.attempt()).isEqualTo(2);
    assertThat(retried.manual()).isFalse();
  }

  @Test
  void replay_rejects_pending_unknown_and_unsent() {
    Endpoint endpoint = createEndpoint();
    PublishedMessage pending = store.publish(message(null));
    Endpoint later = createEndpoint();

    assertThat(store.replay(pending.id(), endpoint.id())).isEqualTo(ReplayOutcome.STILL_PENDING);
    assertThat(store.replay(UUID.randomUUID(), endpoint.id()))
        .isEqualTo(ReplayOutcome.MESSAGE_NOT_FOUND);
    assertThat(store.replay(pending.id(), later.id()))
        .isEqualTo(ReplayOutcome.NOT_SENT_TO_ENDPOINT);
    assertThat(store.pendingCount()).isEqualTo(1);
  }

  @Test
  void replay_of_filtered_out_message() {
    Endpoint endpoint = createEndpoint(List.of("order.deleted"));
    PublishedMessage skipped = store.publish(message(null));

    ReplayOutcome outcome = store.replay(skipped.id(), endpoint.id());

    assertThat(outcome).isEqualTo(ReplayOutcome.FILTERED_OUT);
  }

  @Test
  void recover_queues_latest_failures_since() {
    Endpoint endpoint = createEndpoint();
    Instant since = Instant.parse("2026-12-01T00:00:00Z");
    PublishedMessage before = publishFailedAt(since.minusSeconds(1));
    PublishedMessage atSince = publishFailedAt(since);
    PublishedMessage after = publishFailedAt(since.plusSeconds(60));
    store.replay(after.id(), endpoint.id());
    Endpoint other = createEndpoint();

    int queued = store.recover(endpoint.id(), since);

    assertThat(queued).isEqualTo(1);
    List<ClaimedDelivery> claimed = store.claim("node-a", 10, LEASE);
    assertThat(claimed).extracting(ClaimedDelivery::messageId).contains(atSince.id());
    assertThat(claimed).extracting(ClaimedDelivery::messageId).doesNotContain(before.id());
    assertThat(claimed).allMatch(ClaimedDelivery::manual);
    assertThat(claimed).extracting(ClaimedDelivery::endpointId).containsOnly(endpoint.id());
    assertThat(store.recover(other.id(), since)).isZero();
  }

  @Test
  void second_recover_queues_nothing() {
    Endpoint endpoint = createEndpoint();
    Instant since = Instant.parse("2026-12-01T00:00:00Z");
    publishFailedAt(since.plusSeconds(1));
    store.recover(endpoint.id(), since);

    int whilePending = store.recover(endpoint.id(), since);
    store.record(List.of(success(store.claim("node-a", 10, LEASE).get(0))));
    int afterDelivery = store.recover(endpoint.id(), since);

    assertThat(whilePending).isZero();
    assertThat(afterDelivery).isZero();
  }

  @Test
  void endpoint_attempts_page_newest_first() {
    Endpoint endpoint = createEndpoint();
    Instant start = Instant.parse("2026-12-01T10:00:00Z");
    for (int i = 0; i < 5; i++) {
      recordFailureAt(start.plusSeconds(i));
    }
    Endpoint other = createEndpoint();
    store.publish(message(null));
    for (ClaimedDelivery delivery : store.claim("node-a", 10, LEASE)) {
      if (delivery.endpointId().equals(other.id())) {
        store.record(List.of(success(delivery)));
      }
    }

    List<PositionedAttempt> first = store.attemptsOfEndpoint(endpoint.id(), null, null, 2);
    List<PositionedAttempt> second =
        store.attemptsOfEndpoint(endpoint.id(), first.get(1).position(), null, 2);
    List<PositionedAttempt> third =
        store.attemptsOfEndpoint(endpoint.id(), second.get(1).position(), null, 2);

    assertThat(first)
        .extracting(row -> row.attempt().timestamp())
        .containsExactly(start.plusSeconds(4), start.plusSeconds(3));
    assertThat(second)
        .extracting(row -> row.attempt().timestamp())
        .containsExactly(start.plusSeconds(2), start.plusSeconds(1));
    assertThat(third).extracting(row -> row.attempt().timestamp()).containsExactly(start);
    assertThat(store.attemptsOfEndpoint(other.id(), null, null, 10)).hasSize(1);
  }

  @Test
  void same_time_attempts_page_by_id() {
    Endpoint endpoint = createEndpoint();
    Instant at = Instant.parse("2026-12-01T10:00:00Z");
    recordFailureAt(at);
    recordFailureAt(at);
    recordFailureAt(at);

    List<PositionedAttempt> first = store.attemptsOfEndpoint(endpoint.id(), null, null, 2);
    List<PositionedAttempt> rest =
        store.attemptsOfEndpoint(endpoint.id(), first.get(1).position(), null, 2);

    assertThat(rest).hasSize(1);
    assertThat(first.get(0).position().attemptId())
        .isGreaterThan(first.get(1).position().attemptId());
    assertThat(rest.get(0).position().attemptId())
        .isLessThan(first.get(1).position().attemptId());
  }

  @Test
  void endpoint_attempts_filter_by_outcome() {
    Endpoint endpoint = createEndpoint();
    recordFailureAt(Instant.parse("2026-12-01T10:00:00Z"));
    store.publish(message(null));
    store.record(
        List.of(failure(store.claim("node-a", 10, LEASE).get(0), State.FAILED)));
    store.publish(message(null));
    store.record(List.of(success(store.claim("node-a", 10, LEASE).get(0))));

    List<PositionedAttempt> succeeded = store.attemptsOfEndpoint(endpoint.id(), null, true, 10);
    List<PositionedAttempt> failed = store.attemptsOfEndpoint(endpoint.id(), null, false, 10);

    assertThat(succeeded).extracting(row -> row.attempt().statusCode()).containsExactly(200);
    assertThat(failed).hasSize(2);
    assertThat(failed).noneMatch(row -> row.attempt().succeeded());
  }

  @Test
  void backlog_reports_count_and_oldest_due() {
    createEndpoint();
    createEndpoint();
    Instant before = Instant.now();
    store.publish(message(null));

    Backlog backlog = store.backlog();

    assertThat(backlog.pending()).isEqualTo(2);
    assertThat(backlog.oldestDue().orElseThrow()).isCloseTo(before, within(Duration.ofMinutes(1)));
  }

  @Test
  void backlog_of_empty_outbox_has_no_due_time() {
    Backlog backlog = store.backlog();

    assertThat(backlog.pending()).isZero();
    assertThat(backlog.oldestDue()).isEmpty();
  }

  @Test
  void count_disabled_skips_deleted_endpoints() {
    Endpoint disabled = createEndpoint();
    Endpoint deleted = createEndpoint();
    createEndpoint();
    Instant at = Instant.parse("2026-12-02T08:00:00Z");
    store.disableEndpoint(disabled.id(), "responded 410 Gone", at);
    store.disableEndpoint(deleted.id(), "responded 410 Gone", at);
    store.delete(deleted.id());

    assertThat(store.countDisabled()).isEqualTo(1);
  }

  /**
   * Publishes a message to the only endpoint, records one failed attempt that gives up, and sets
   * the message's creation time to {@code createdAt}.
   */
  private PublishedMessage publishFailedAt(Instant createdAt) {
    PublishedMessage published = store.publish(message(null));
    ClaimedDelivery delivery = store.claim("node-a", 10, LEASE).get(0);
    store.record(List.of(failure(delivery, State.FAILED)));
    executeSql("UPDATE webhook_message SET created_at = ? WHERE id = ?", createdAt, published.id());
    return published;
  }

  static DeliveryResult failure(ClaimedDelivery delivery, State nextState) {
    DeliveryOutcome outcome =
        DeliveryOutcome.response(500, Duration.ofMillis(5), "down".getBytes(UTF_8), null);
    return result(delivery, outcome, nextState, nextState == State.PENDING ? Duration.ZERO : null);
  }

  Endpoint createEndpoint() {
    return store.create(
        UUID.randomUUID(),
        URI.create("http://127.0.0.1:9/hook"),
        "test endpoint",
        "whsec_" + UUID.randomUUID());
  }

  /**
   * Drops the store's tables and recreates them at schema version 2 from this database's {@link
   * #VERSION_2_SCRIPTS} and their version rows. It then inserts one live endpoint per id, naming
   * only the columns that version 2 has.
   */
  private void buildVersion2Schema(UUID... endpointIds) {
    for (String table : TABLES) {
      executeSql("DROP TABLE " + table);
    }
    withRawHandle(
        handle -> {
          DatabaseMetaData metaData = handle.getConnection().getMetaData();
          Dialect dialect =
              Dialect.forProductName(metaData.getDatabaseProductName(), metaData.getURL());
          handle.execute(dialect.createSchemaVersionTable());
          for (int i = 0; i < VERSION_2_SCRIPTS.size(); i++) {
            String script = VERSION_2_SCRIPTS.get(i);
            handle.createScript(loadScript(dialect, script)).executeAsSeparateStatements();
            handle
                .createUpdate(dialect.insertSchemaVersion())
                .bind("version", i + 1)
                .bind("script", script)
                .execute();
          }
          for (UUID id : endpointIds) {
            handle
                .createUpdate(
                    "INSERT INTO webhook_endpoint (id, url, description, secret, created_at)"
                        + " VALUES (:id, :url, :description, :secret, :createdAt)")
                .bind("id", id)
                .bind("url", "http://127.0.0.1:9/hook")
                .bind("description", "endpoint from version 2")
                .bind("secret", "whsec_" + id)
                .bind("createdAt", Instant.now())
                .execute();
          }
          return null;
        });
  }

  private static String loadScript(Dialect dialect, String script) {
    String path = SCHEMA_ROOT + dialect.schemaFolder() + "/" + script;
    ClassLoader classLoader = OutboxStoreContractTest.class.getClassLoader();
    try (InputStream in = classLoader.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException(
            "Schema script " + path + " is missing from the classpath: rebuild dispatcher-jdbc");
      }
      return new String(in.readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Failed to read schema script " + path, e);
    }
  }

  /**
   * Waits until a session runs a message insert, which the database blocks until the transaction
   * that stored the same idempotency key commits or rolls back.
   */
  private void awaitInsertBlockedOnKey() {
    await().atMost(MAX_WAIT).until(this::sessionsInsertingMessages, count -> count == 1);
  }

  /** Locks the oldest delivery row in the connection's open transaction and returns its id. */
  private static long lockOldestDelivery(Connection connection) throws SQLException {
    String sql = "SELECT id FROM webhook_delivery ORDER BY id LIMIT 1 FOR UPDATE";
    try (PreparedStatement statement = connection.prepareStatement(sql);
        ResultSet rows = statement.executeQuery()) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /**
   * Claims from several threads, spread over the stores, until the claims together returned {@code
   * deliveries} rows or {@link #CONCURRENT_CLAIM_TIMEOUT} passed, and returns every claimed id.
   */
  private static List<Long> claimConcurrently(List<JdbcWebhookStore> nodes, int deliveries)
      throws Exception {
    Queue<Long> claimed = new ConcurrentLinkedQueue<>();
    AtomicInteger claimedCount = new AtomicInteger();
    Instant deadline = Instant.now().plus(CONCURRENT_CLAIM_TIMEOUT);
    List<Callable<Void>> claimers = new ArrayList<>();
    for (int i = 0; i < CONCURRENT_CLAIMERS; i++) {
      JdbcWebhookStore node = nodes.get(i % nodes.size());
      String nodeId = "node-" + i;
      claimers.add(
          () -> {
            while (claimedCount.get() < deliveries && Instant.now().isBefore(deadline)) {
              List<ClaimedDelivery> batch = node.claim(nodeId, CONCURRENT_CLAIM_LIMIT, LEASE);
              batch.forEach(delivery -> claimed.add(delivery.deliveryId()));
              claimedCount.addAndGet(batch.size());
            }
            return null;
          });
    }
    runConcurrently(claimers, Callable::call);
    return new ArrayList<>(claimed);
  }

  /**
   * Applies {@code action} to every input on its own thread, all released at once, and returns the
   * results in input order.
   */
  private static <I, R> List<R> runConcurrently(List<I> inputs, ThrowingFunction<I, R> action)
      throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(inputs.size());
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<R>> futures = new ArrayList<>();
      for (I input : inputs) {
        futures.add(
            threads.submit(
                () -> {
                  start.await();
                  return action.apply(input);
                }));
      }
      start.countDown();
      List<R> results = new ArrayList<>();
      for (Future<R> future : futures) {
        results.add(future.get(CONCURRENT_CLAIM_TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      threads.shutdownNow();
    }
  }

  /** A function that may throw, for the actions of {@link #runConcurrently}. */
  private interface ThrowingFunction<I, R> {
    R apply(I input) throws Exception;
  }

  static OutboxMessage message(String idempotencyKey) {
    UUID id = UUID.randomUUID();
    byte[] body =
        ("{\"event_type\":\"order.created\",\"object_id\":\"" + id + "\"}").getBytes(UTF_8);
    return new OutboxMessage(id, "order.created", body, idempotencyKey);
  }

  /** Returns a message whose one delivery goes to the hand-off target. */
  static OutboxMessage handOffMessage() {
    OutboxMessage message = message(null);
    return new OutboxMessage(message.id(), message.eventType(), message.body(), null, true);
  }

  static DeliveryResult success(ClaimedDelivery delivery) {
    DeliveryOutcome outcome =
        DeliveryOutcome.response(200, Duration.ofMillis(42), "accepted".getBytes(UTF_8), null);
    return result(delivery, outcome, State.DELIVERED, null);
  }

  static DeliveryResult retry(ClaimedDelivery delivery, Duration delay) {
    DeliveryOutcome outcome =
        DeliveryOutcome.response(503, Duration.ofMillis(7), "busy".getBytes(UTF_8), null);
    return result(delivery, outcome, State.PENDING, delay);
  }

  static DeliveryResult result(
      ClaimedDelivery delivery, DeliveryOutcome outcome, State nextState, Duration retryDelay) {
    return new DeliveryResult(delivery, Instant.now(), outcome, nextState, retryDelay);
  }

  static TemporalUnitOffset within(Duration duration) {
    return Assertions.within(duration.toMillis(), ChronoUnit.MILLIS);
  }

  String deliveryState(long deliveryId) {
    return queryString("SELECT state FROM webhook_delivery WHERE id = ?", deliveryId);
  }

  long queryLong(String sql, Object... args) {
    return withRawHandle(handle -> handle.select(sql, args).mapTo(Long.class).one());
  }

  String queryString(String sql, Object... args) {
    return withRawHandle(handle -> handle.select(sql, args).mapTo(String.class).one());
  }

  List<String> queryStrings(String sql, Object... args) {
    return withRawHandle(handle -> handle.select(sql, args).mapTo(String.class).list());
  }

  List<Long> queryLongs(String sql, Object... args) {
    return withRawHandle(handle -> handle.select(sql, args).mapTo(Long.class).list());
  }

  List<UUID> queryUuids(String sql, Object... args) {
    return withRawHandle(handle -> handle.select(sql, args).mapTo(UUID.class).list());
  }

  Instant queryInstant(String sql, Object... args) {
    return withRawHandle(handle -> handle.select(sql, args).mapTo(Instant.class).one());
  }

  int executeSql(String sql, Object... args) {
    return withRawHandle(handle -> handle.execute(sql, args));
  }

  /**
   * Runs raw SQL on a new connection. UUIDs and instants are bound and read as the store does on
   * this database, so a test can compare them with the store's values.
   */
  private <T> T withRawHandle(HandleCallback<T, SQLException> callback) {
    try (Connection connection = openConnection()) {
      DatabaseMetaData metaData = connection.getMetaData();
      Dialect dialect =
          Dialect.forProductName(metaData.getDatabaseProductName(), metaData.getURL());
      Jdbi jdbi =
          JdbcWebhookStore.configure(Jdbi.create(new SingleConnection(connection)), dialect);
      return jdbi.withHandle(callback);
    } catch (SQLException e) {
      throw new IllegalStateException("Raw SQL on the test database failed", e);
    }
  }

  /** Hands one connection to Jdbi and leaves closing it to the caller. */
  private static final class SingleConnection implements ConnectionFactory {
    private final Connection connection;

    SingleConnection(Connection connection) {
      this.connection = connection;
    }

    @Override
    public Connection openConnection() {
      return connection;
    }

    @Override
    public void closeConnection(Connection toClose) {
      // The caller closes the connection.
    }
  }

  private static ListAppender<ILoggingEvent> captureLogs() {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.webhookdispatcher");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.DEBUG);
    return appender;
  }

  private static void releaseLogs(ListAppender<ILoggingEvent> appender) {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.webhookdispatcher");
    logger.detachAppender(appender);
    logger.setLevel(null);
  }
}
