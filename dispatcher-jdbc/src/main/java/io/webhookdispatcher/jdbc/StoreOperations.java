package io.webhookdispatcher.jdbc;

import io.webhookdispatcher.Attempt;
import io.webhookdispatcher.Endpoint;
import io.webhookdispatcher.EndpointUpdate;
import io.webhookdispatcher.InvalidInputException;
import io.webhookdispatcher.PublishedMessage;
import io.webhookdispatcher.WebhookDispatcher;
import io.webhookdispatcher.spi.AttemptPosition;
import io.webhookdispatcher.spi.Backlog;
import io.webhookdispatcher.spi.ClaimedDelivery;
import io.webhookdispatcher.spi.DeliveryOutcome;
import io.webhookdispatcher.spi.DeliveryResult;
import io.webhookdispatcher.spi.OutboxMessage;
import io.webhookdispatcher.spi.PositionedAttempt;
import io.webhookdispatcher.spi.ReplayOutcome;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.Update;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the store's statements on a handle. The caller owns the transaction and turns Jdbi
 * exceptions into the dispatcher's.
 */
final class StoreOperations {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcWebhookStore.class);

  /** Characters of an attempt's error kept in {@code webhook_attempt.error}. */
  static final int MAX_ERROR_LENGTH = 1024;

  /**
   * A position after every stored attempt, from which the first page starts: late in the year
   * 9999, which every supported column type holds.
   */
  static final AttemptPosition FIRST_PAGE_POSITION =
      new AttemptPosition(Instant.parse("9999-12-31T00:00:00Z"), Long.MAX_VALUE);

  private final Dialect dialect;

  StoreOperations(Dialect dialect) {
    this.dialect = dialect;
  }

  /** Returns the stored message with this idempotency key, marked as replayed. */
  Optional<PublishedMessage> findByIdempotencyKey(Handle handle, String idempotencyKey) {
    return findByIdempotencyKey(handle, idempotencyKey, dialect.selectMessageByIdempotencyKey());
  }

  /**
   * Returns the message with this idempotency key, marked as replayed, as committed by another
   * transaction after an insert of this key failed, also when the handle's transaction reads from
   * an older snapshot.
   */
  Optional<PublishedMessage> findCommittedByIdempotencyKey(Handle handle, String idempotencyKey) {
    return findByIdempotencyKey(
        handle, idempotencyKey, dialect.selectCommittedMessageByIdempotencyKey());
  }

  private static Optional<PublishedMessage> findByIdempotencyKey(
      Handle handle, String idempotencyKey, String query) {
    if (idempotencyKey == null) {
      return Optional.empty();
    }
    return handle
        .createQuery(query)
        .bind("idempotencyKey", idempotencyKey)
        .map(Rows.publishedMessage(true))
        .findOne();
  }

  /**
   * Inserts a message and one pending delivery, due now, for every endpoint that is not deleted,
   * or for the hand-off target alone when the message is a hand-off.
   *
   * @return the stored message with the database's creation time
   */
  PublishedMessage insertMessage(Handle handle, OutboxMessage message) {
    handle
        .createUpdate(dialect.insertMessage())
        .bind("id", message.id())
        .bind("eventType", message.eventType())
        .bind("body", message.body())
        .bind("idempotencyKey", message.idempotencyKey())
        .execute();
    int deliveries =
        handle
            .createUpdate(dialect.insertDeliveriesForLiveEndpoints())
            .bind("messageId", message.id())
            .bind("handOff", message.handOff())
            .bind("eventType", message.eventType())
            .execute();
    LOG.debug("Stored message {} with {} deliveries", message.id(), deliveries);
    return handle
        .createQuery(dialect.selectMessage())
        .bind("id", message.id())
        .map(Rows.publishedMessage(false))
        .one();
  }

  /**
   * Leases up to {@code limit} due deliveries under one token and returns them, oldest due first.
   */
  List<ClaimedDelivery> leaseDueDeliveries(
      Handle handle, String nodeId, int limit, int maxPerEndpoint, Duration lease) {
    UUID leaseToken = UUID.randomUUID();
    int leased = lease(handle, leaseToken, nodeId, limit, maxPerEndpoint, lease);
    if (leased == 0) {
      return List.of();
    }
    List<ClaimedDelivery> claimed =
        handle
            .createQuery(dialect.selectLeasedDeliveries())
            .bind("leaseToken", leaseToken)
            .map(Rows.claimedDelivery())
            .list();
    for (ClaimedDelivery delivery : claimed) {
      LOG.debug(
          "Node {} leased delivery {} for message {} to endpoint {}, attempt {}",
          nodeId,
          delivery.deliveryId(),
          delivery.messageId(),
          delivery.endpointId(),
          delivery.attempt());
    }
    return claimed;
  }

  /**
   * Moves each delivery whose lease token still matches to its next state and stores its attempt.
   * Where the driver reports batch update counts, the update itself decides which results match.
   * Elsewhere the pending rows are locked and their tokens read before any update.
   *
   * @return how many results were recorded, not counting the discarded ones
   */
  int record(Handle handle, List<DeliveryResult> results) {
    List<DeliveryResult> recorded =
        dialect.reportsBatchUpdateCounts()
            ? completeMatchingLeases(handle, results)
            : lockThenCompleteMatchingLeases(handle, results);
    if (LOG.isDebugEnabled()) {
      logOutcomes(results, recorded);
    }
    if (!recorded.isEmpty()) {
      insertAttempts(handle, recorded);
      updateFailingSince(handle, recorded);
      failRetriesOfDisabledEndpoints(handle, recorded);
    }
    return recorded.size();
  }

  /**
   * Fails the recorded deliveries due for a retry whose endpoint was disabled while they were in
   * flight, so that they are kept as failed deliveries to replay rather than left pending.
   */
  private void failRetriesOfDisabledEndpoints(Handle handle, List<DeliveryResult> recorded) {
    List<Long> retried = new ArrayList<>();
    for (DeliveryResult result : recorded) {
      if (result.nextState() == DeliveryResult.State.PENDING) {
        retried.add(result.delivery().deliveryId());
      }
    }
    if (retried.isEmpty()) {
      return;
    }
    int failed =
        handle
            .createUpdate(StandardSql.FAIL_RETRIES_OF_DISABLED_ENDPOINTS)
            .define("now", dialect.currentTimestamp())
            .bindList("deliveryIds", retried)
            .execute();
    if (failed > 0) {
      LOG.debug("Failed {} retried deliveries, because their endpoints are disabled", failed);
    }
  }

  private static void logOutcomes(List<DeliveryResult> results, List<DeliveryResult> recorded) {
    Set<DeliveryResult> recordedSet = Collections.newSetFromMap(new IdentityHashMap<>());
    recordedSet.addAll(recorded);
    for (DeliveryResult result : results) {
      ClaimedDelivery delivery = result.delivery();
      if (recordedSet.contains(result)) {
        LOG.debug(
            "Recorded attempt {} of delivery {} for message {} to endpoint {}: {}",
            delivery.attempt(),
            delivery.deliveryId(),
            delivery.messageId(),
            delivery.endpointId(),
            result.nextState());
      } else {
        LOG.debug(
            "Discarded result of delivery {} for message {} to endpoint {}: its lease token no"
                + " longer matches, because the lease expired or the delivery was cancelled",
            delivery.deliveryId(),
            delivery.messageId(),
            delivery.endpointId());
      }
    }
  }

  /**
   * Moves each delivery whose lease token still matches to its next state, in delivery id order so
   * that concurrent writers lock rows in one order, and returns the results whose update matched a
   * row. The first result for a lease clears its token, so a second one for the same lease matches
   * nothing.
   */
  private List<DeliveryResult> completeMatchingLeases(
      Handle handle, List<DeliveryResult> results) {
    List<DeliveryResult> inIdOrder = new ArrayList<>(results);
    inIdOrder.sort(Comparator.comparingLong(result -> result.delivery().deliveryId()));
    int[] counts = completeLeasedDeliveries(handle, inIdOrder);
    List<DeliveryResult> recorded = new ArrayList<>(results.size());
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] == 1) {
        recorded.add(inIdOrder.get(i));
      }
    }
    return recorded;
  }

  /**
   * Locks the pending rows and reads their tokens before any update, for drivers whose batches do
   * not report update counts, then moves each delivery whose token still matches.
   */
  private List<DeliveryResult> lockThenCompleteMatchingLeases(
      Handle handle, List<DeliveryResult> results) {
    Map<Long, UUID> currentTokens = lockPendingDeliveries(handle, results);
    List<DeliveryResult> recorded = new ArrayList<>(results.size());
    for (DeliveryResult result : results) {
      ClaimedDelivery delivery = result.delivery();
      if (delivery.leaseToken().equals(currentTokens.get(delivery.deliveryId()))) {
        // Removing the token keeps a second result for the same lease from being recorded.
        currentTokens.remove(delivery.deliveryId());
        recorded.add(result);
      }
    }
    if (!recorded.isEmpty()) {
      completeLeasedDeliveries(handle, recorded);
    }
    return recorded;
  }


  /**
   * Clears the failure clock of each endpoint whose latest attempt here succeeded and starts the
   * clock of each whose latest attempt failed, unless it runs already.
   */
  private static void updateFailingSince(Handle handle, List<DeliveryResult> recorded) {
    Map<UUID, DeliveryResult> latest = new HashMap<>();
    for (DeliveryResult result : recorded) {
      latest.merge(
          result.delivery().endpointId(),
          result,
          (a, b) -> b.attemptedAt().isBefore(a.attemptedAt()) ? a : b);
    }
    List<UUID> succeeded = new ArrayList<>();
    PreparedBatch failed = handle.prepareBatch(StandardSql.START_FAILING_SINCE);
    for (Map.Entry<UUID, DeliveryResult> entry : latest.entrySet()) {
      if (entry.getValue().outcome().successful()) {
        succeeded.add(entry.getKey());
      } else {
        failed.bind("id", entry.getKey()).bind("since", entry.getValue().attemptedAt()).add();
      }
    }
    if (!succeeded.isEmpty()) {
      handle
          .createUpdate(StandardSql.CLEAR_FAILING_SINCE)
          .bindList("endpointIds", succeeded)
          .execute();
    }
    if (failed.size() > 0) {
      failed.execute();
    }
  }

  /** Returns when each failing endpoint among {@code endpointIds} began to fail. */
  Map<UUID, Instant> failingSince(Handle handle, Set<UUID> endpointIds) {
    Map<UUID, Instant> since = new HashMap<>();
    handle
        .createQuery(StandardSql.SELECT_FAILING_SINCE)
        .bindList("endpointIds", List.copyOf(endpointIds))
        .map((rs, context) -> Map.entry(
            ColumnTypes.read(rs, "id", UUID.class, context),
            ColumnTypes.read(rs, "failing_since", Instant.class, context)))
        .forEach(entry -> since.put(entry.getKey(), entry.getValue()));
    return since;
  }

  /**
   * Disables an endpoint and fails its pending deliveries except those in flight, whose results
   * {@link #record} still stores; false when nothing was disabled.
   */
  boolean disableEndpoint(Handle handle, UUID endpointId, String reason, Instant at) {
    int disabled =
        handle
            .createUpdate(StandardSql.MARK_ENDPOINT_DISABLED)
            .bind("id", endpointId)
            .bind("reason", reason)
            .bind("at", at)
            .execute();
    if (disabled == 0) {
      return false;
    }
    int failed =
        handle
            .createUpdate(StandardSql.FAIL_PENDING_DELIVERIES_OF_ENDPOINT)
            .define("now", dialect.currentTimestamp())
            .bind("endpointId", endpointId)
            .bind("at", at)
            .execute();
    LOG.debug("Disabled endpoint {} and failed {} pending deliveries", endpointId, failed);
    return true;
  }

  /** Hands leased deliveries back with their attempt count unchanged, due after {@code delay}. */
  int postpone(Handle handle, List<ClaimedDelivery> deliveries, Duration delay) {
    PreparedBatch batch = handle.prepareBatch(dialect.completeLeasedDelivery());
    for (ClaimedDelivery delivery : deliveries) {
      batch
          .bind("state", "PENDING")
          .bind("attempt", delivery.attempt() - 1)
          .bind("retryMillis", delay.toMillis())
          .bind("deliveryId", delivery.deliveryId())
          .bind("leaseToken", delivery.leaseToken())
          .add();
    }
    int postponed = 0;
    for (int count : batch.execute()) {
      postponed += Math.max(count, 0);
    }
    return postponed;
  }

  /** Cancels each hand-off whose lease still matches and inserts a delivery per endpoint. */
  int redirectHandOffs(Handle handle, List<ClaimedDelivery> handOffs) {
    int redirected = 0;
    for (ClaimedDelivery handOff : handOffs) {
      int cancelled =
          handle
              .createUpdate(dialect.completeLeasedDelivery())
              .bind("state", "CANCELLED")
              .bind("attempt", handOff.attempt() - 1)
              .bind("retryMillis", 0L)
              .bind("deliveryId", handOff.deliveryId())
              .bind("leaseToken", handOff.leaseToken())
              .execute();
      if (cancelled == 0) {
        continue;
      }
      int deliveries =
          handle
              .createUpdate(dialect.insertDeliveriesForLiveEndpoints())
              .bind("messageId", handOff.messageId())
              .bind("handOff", false)
              .bind("eventType", handOff.eventType())
              .execute();
      LOG.debug(
          "Fanned out hand-off of message {} to {} endpoints", handOff.messageId(), deliveries);
      redirected++;
    }
    return redirected;
  }

  /** Returns the attempts of a message, oldest first, or empty when the message is unknown. */
  Optional<List<Attempt>> attempts(Handle handle, UUID messageId) {
    long messages =
        handle.createQuery(dialect.countMessages()).bind("id", messageId).mapTo(Long.class).one();
    if (messages == 0) {
      return Optional.empty();
    }
    List<Attempt> attempts =
        handle
            .createQuery(dialect.selectAttemptsOfMessage())
            .bind("messageId", messageId)
            .map(Rows.attempt())
            .list();
    return Optional.of(attempts);
  }

  /** Deletes up to {@code batchSize} finished messages older than {@code age}, with their rows. */
  int purgeFinished(Handle handle, Duration age, int batchSize) {
    List<UUID> messageIds =
        handle
            .createQuery(dialect.selectPurgeableMessageIds())
            .bind("ageMillis", age.toMillis())
            .bind("batchSize", batchSize)
            .mapTo(UUID.class)
            .list();
    if (messageIds.isEmpty()) {
      return 0;
    }
    handle.createUpdate(dialect.deleteAttemptsOfMessages()).bindList("messageIds", messageIds).execute();
    handle
        .createUpdate(dialect.deleteDeliveriesOfMessages())
        .bindList("messageIds", messageIds)
        .execute();
    handle.createUpdate(dialect.deleteMessages()).bindList("messageIds", messageIds).execute();
    return messageIds.size();
  }

  long pendingCount(Handle handle) {
    return handle.createQuery(dialect.countPendingDeliveries()).mapTo(Long.class).one();
  }

  /**
   * Inserts an endpoint, with its event types unless they are {@code null}, and returns it with the
   * database's creation time.
   */
  Endpoint insertEndpoint(
      Handle handle,
      UUID id,
      URI url,
      String description,
      String secret,
      Integer rateLimit,
      List<String> eventTypes) {
    handle
        .createUpdate(dialect.insertEndpoint())
        .bind("id", id)
        .bind("url", url.toString())
        .bind("description", description)
        .bind("secret", secret)
        .bindByType("rateLimit", rateLimit, Integer.class)
        .execute();
    if (eventTypes != null) {
      replaceEventTypes(handle, id, eventTypes);
    }
    return findEndpoint(handle, id).orElseThrow();
  }

  /**
   * Stores the hand-off target unless it exists, then sets its URL. A row with its id that is an
   * ordinary endpoint is refused rather than taken over.
   */
  void saveHandOffTarget(Handle handle, UUID id, URI url, String secret) {
    Optional<Boolean> handOff =
        handle
            .createQuery(StandardSql.SELECT_HAND_OFF_FLAG)
            .bind("id", id)
            .mapTo(Boolean.class)
            .findOne();
    if (handOff.isPresent() && !handOff.get()) {
      throw new InvalidInputException(
          "id",
          "endpoint "
              + id
              + " is an ordinary endpoint, so it cannot become the hand-off target; delete it"
              + " from webhook_endpoint or choose another target id");
    }
    if (handOff.isEmpty()) {
      handle
          .createUpdate(dialect.insertEndpoint())
          .bind("id", id)
          .bind("url", url.toString())
          .bind("description", "hand-off target")
          .bind("secret", secret)
          .bindByType("rateLimit", null, Integer.class)
          .execute();
    }
    handle
        .createUpdate(StandardSql.MARK_HAND_OFF_TARGET)
        .bind("id", id)
        .bind("url", url.toString())
        .execute();
  }

  List<Endpoint> listEndpoints(Handle handle, UUID after, int limit) {
    Query query =
        handle
            .createQuery(
                after == null ? StandardSql.SELECT_FIRST_ENDPOINTS : StandardSql.SELECT_ENDPOINTS_AFTER)
            .bind("limit", limit);
    if (after != null) {
      query.bind("after", after);
    }
    return withEventTypes(handle, query.map(Rows.endpoint()).list());
  }

  Optional<Endpoint> findEndpoint(Handle handle, UUID id) {
    return handle
        .createQuery(dialect.selectLiveEndpoint())
        .bind("id", id)
        .map(Rows.endpoint())
        .findOne()
        .map(endpoint -> withEventTypes(handle, List.of(endpoint)).get(0));
  }

  /**
   * Applies the changes to a live endpoint under a row lock, so that concurrent updates do not
   * overwrite each other's fields.
   *
   * @return the endpoint afterwards, or empty when it is unknown, deleted or the hand-off target
   */
  Optional<Endpoint> updateEndpoint(Handle handle, UUID id, EndpointUpdate update, Instant at) {
    Optional<Endpoint> locked =
        handle
            .createQuery(StandardSql.LOCK_LIVE_ENDPOINT)
            .bind("id", id)
            .map(Rows.endpoint())
            .findOne();
    if (locked.isEmpty()) {
      return Optional.empty();
    }
    Endpoint current = locked.get();
    handle
        .createUpdate(StandardSql.UPDATE_ENDPOINT_FIELDS)
        .bind("id", id)
        .bind("url", update.setsUrl() ? update.url() : current.url().toString())
        .bind(
            "description",
            update.setsDescription() ? update.description() : current.description().orElse(null))
        .bindByType(
            "rateLimit",
            update.setsRateLimit() ? update.rateLimit() : rateLimitOf(current),
            Integer.class)
        .execute();
    if (update.setsEventTypes()) {
      replaceEventTypes(handle, id, update.eventTypes());
    }
    if (Boolean.TRUE.equals(update.disabled()) && !current.disabled()) {
      disableEndpoint(handle, id, WebhookDispatcher.OPERATOR_DISABLED_REASON, at);
    } else if (Boolean.FALSE.equals(update.disabled()) && current.disabled()) {
      handle.createUpdate(StandardSql.ENABLE_ENDPOINT).bind("id", id).execute();
    }
    return findEndpoint(handle, id);
  }

  private static Integer rateLimitOf(Endpoint endpoint) {
    return endpoint.rateLimit().isPresent() ? endpoint.rateLimit().getAsInt() : null;
  }

  /**
   * Replaces the secret of a live endpoint, keeping the current one as the previous secret until
   * {@code previousSecretExpiresAt}, or dropping it when that is {@code null}.
   *
   * @return the endpoint afterwards, or empty when it is unknown, deleted or the hand-off target
   */
  Optional<Endpoint> rotateSecret(
      Handle handle, UUID id, String secret, Instant previousSecretExpiresAt) {
    Update update =
        handle
            .createUpdate(
                previousSecretExpiresAt == null
                    ? StandardSql.REPLACE_SECRET
                    : StandardSql.ROTATE_SECRET_WITH_GRACE)
            .bind("id", id)
            .bind("secret", secret);
    if (previousSecretExpiresAt != null) {
      update.bind("expiresAt", previousSecretExpiresAt);
    }
    if (update.execute() == 0) {
      return Optional.empty();
    }
    return findEndpoint(handle, id);
  }

  /** Stores the event types of an endpoint in place of its old ones; {@code null} means all. */
  private static void replaceEventTypes(Handle handle, UUID endpointId, List<String> eventTypes) {
    handle
        .createUpdate(StandardSql.DELETE_EVENT_TYPES_OF_ENDPOINT)
        .bind("endpointId", endpointId)
        .execute();
    handle
        .createUpdate(StandardSql.MARK_ENDPOINT_FILTERED)
        .bind("id", endpointId)
        .bind("filtered", eventTypes != null)
        .execute();
    if (eventTypes == null) {
      return;
    }
    PreparedBatch batch = handle.prepareBatch(StandardSql.INSERT_EVENT_TYPE);
    for (String eventType : eventTypes) {
      batch.bind("endpointId", endpointId).bind("eventType", eventType).add();
    }
    batch.execute();
  }

  /**
   * Returns the endpoints with the event types of each filtered one, read in one query and sorted
   * in Java, because the databases' collations order text differently.
   */
  private static List<Endpoint> withEventTypes(Handle handle, List<Endpoint> endpoints) {
    List<UUID> filtered = new ArrayList<>();
    for (Endpoint endpoint : endpoints) {
      if (endpoint.eventTypes().isPresent()) {
        filtered.add(endpoint.id());
      }
    }
    if (filtered.isEmpty()) {
      return endpoints;
    }
    Map<UUID, TreeSet<String>> eventTypes = new HashMap<>();
    handle
        .createQuery(StandardSql.SELECT_EVENT_TYPES_OF_ENDPOINTS)
        .bindList("endpointIds", filtered)
        .map(
            (rs, context) ->
                Map.entry(
                    ColumnTypes.read(rs, "endpoint_id", UUID.class, context),
                    rs.getString("event_type")))
        .forEach(
            entry ->
                eventTypes.computeIfAbsent(entry.getKey(), id -> new TreeSet<>()).add(entry.getValue()));
    List<Endpoint> complete = new ArrayList<>(endpoints.size());
    for (Endpoint endpoint : endpoints) {
      TreeSet<String> types = eventTypes.get(endpoint.id());
      complete.add(
          endpoint.eventTypes().isPresent()
              ? endpoint.withEventTypes(types == null ? List.of() : List.copyOf(types))
              : endpoint);
    }
    return complete;
  }

  /**
   * Marks an endpoint deleted and cancels its pending deliveries.
   *
   * @return {@code false} when the endpoint is unknown or already deleted
   */
  boolean deleteEndpoint(Handle handle, UUID id) {
    int deleted = handle.createUpdate(dialect.markEndpointDeleted()).bind("id", id).execute();
    if (deleted == 0) {
      return false;
    }
    int cancelled =
        handle
            .createUpdate(dialect.cancelPendingDeliveriesOfEndpoint())
            .bind("endpointId", id)
            .execute();
    LOG.debug("Deleted endpoint {} and cancelled {} pending deliveries", id, cancelled);
    return true;
  }

  /**
   * Leases due deliveries under {@code leaseToken}, in one statement or, where the dialect needs
   * it, by locking their ids first.
   *
   * @return the number of deliveries leased
   */
  private int lease(
      Handle handle, UUID leaseToken, String nodeId, int limit, int maxPerEndpoint, Duration lease) {
    Update update =
        handle
            .createUpdate(dialect.leaseDueDeliveries())
            .bind("leaseToken", leaseToken)
            .bind("leaseOwner", nodeId)
            .bind("leaseMillis", Math.max(1, lease.toMillis()));
    Optional<String> lockDueIds = dialect.lockDueDeliveryIds();
    Optional<String> countLeased = dialect.countLeasedForFairShareInJava();
    if (countLeased.isPresent()) {
      List<Long> chosen = chooseFairShare(handle, countLeased.get(), limit, maxPerEndpoint);
      if (chosen.isEmpty()) {
        return 0;
      }
      List<Long> locked =
          handle
              .createQuery(lockDueIds.orElseThrow())
              .bindList("deliveryIds", chosen)
              .mapTo(Long.class)
              .list();
      return locked.isEmpty() ? 0 : update.bindList("deliveryIds", locked).execute();
    }
    if (lockDueIds.isEmpty()) {
      return update.bind("limit", limit).bind("maxPerEndpoint", maxPerEndpoint).execute();
    }
    List<Long> dueIds =
        handle
            .createQuery(lockDueIds.get())
            .bind("limit", limit)
            .bind("maxPerEndpoint", maxPerEndpoint)
            .mapTo(Long.class)
            .list();
    if (dueIds.isEmpty()) {
      return 0;
    }
    return update.bindList("deliveryIds", dueIds).execute();
  }

  /**
   * Reads each live endpoint's oldest due deliveries, as many as its room under {@code
   * maxPerEndpoint} beside its leased ones, and returns the ids of the oldest {@code limit} of
   * them.
   */
  private List<Long> chooseFairShare(
      Handle handle, String countLeasedByEndpoint, int limit, int maxPerEndpoint) {
    Map<UUID, Integer> leasedByEndpoint = new HashMap<>();
    handle
        .createQuery(countLeasedByEndpoint)
        .map(
            (rs, context) ->
                Map.entry(
                    ColumnTypes.read(rs, "endpoint_id", UUID.class, context), rs.getInt("leased")))
        .forEach(entry -> leasedByEndpoint.put(entry.getKey(), entry.getValue()));
    List<UUID> endpointIds =
        handle
            .createQuery(StandardSql.SELECT_LIVE_ENDPOINT_IDS)
            .map((rs, context) -> ColumnTypes.read(rs, "id", UUID.class, context))
            .list();
    List<DueRow> candidates = new ArrayList<>();
    for (UUID endpointId : endpointIds) {
      int room = maxPerEndpoint - leasedByEndpoint.getOrDefault(endpointId, 0);
      if (room <= 0) {
        continue;
      }
      handle
          .createQuery(StandardSql.SELECT_DUE_OF_ENDPOINT)
          .define("now", dialect.currentTimestamp())
          .bind("endpointId", endpointId)
          .bind("limit", Math.min(room, limit))
          .map(
              (rs, context) ->
                  new DueRow(
                      rs.getLong("id"),
                      ColumnTypes.read(rs, "next_attempt_at", Instant.class, context)))
          .forEach(candidates::add);
    }
    candidates.sort(Comparator.comparing(DueRow::nextAttemptAt).thenComparingLong(DueRow::id));
    List<Long> chosen = new ArrayList<>(Math.min(limit, candidates.size()));
    for (DueRow row : candidates.subList(0, Math.min(limit, candidates.size()))) {
      chosen.add(row.id());
    }
    return chosen;
  }

  /** Locks the pending rows of the results' deliveries and returns their current lease tokens. */
  private Map<Long, UUID> lockPendingDeliveries(Handle handle, List<DeliveryResult> results) {
    Set<Long> deliveryIds = new TreeSet<>();
    for (DeliveryResult result : results) {
      deliveryIds.add(result.delivery().deliveryId());
    }
    List<PendingRow> rows =
        handle
            .createQuery(dialect.lockPendingDeliveries())
            .bindList("deliveryIds", new ArrayList<>(deliveryIds))
            .map(
                (rs, context) ->
                    new PendingRow(
                        rs.getLong("id"), ColumnTypes.read(rs, "lease_token", UUID.class, context)))
            .list();
    Map<Long, UUID> tokens = new HashMap<>();
    for (PendingRow row : rows) {
      tokens.put(row.deliveryId(), row.leaseToken());
    }
    return tokens;
  }

  private int[] completeLeasedDeliveries(Handle handle, List<DeliveryResult> results) {
    PreparedBatch batch = handle.prepareBatch(dialect.completeLeasedDelivery());
    for (DeliveryResult result : results) {
      ClaimedDelivery delivery = result.delivery();
      batch
          .bind("deliveryId", delivery.deliveryId())
          .bind("leaseToken", delivery.leaseToken())
          .bind("state", result.nextState().name())
          .bind("attempt", delivery.attempt())
          .bind("retryMillis", retryMillis(result))
          .add();
    }
    return batch.execute();
  }

  private void insertAttempts(Handle handle, List<DeliveryResult> recorded) {
    PreparedBatch batch = handle.prepareBatch(dialect.insertAttempt());
    for (DeliveryResult result : recorded) {
      ClaimedDelivery delivery = result.delivery();
      DeliveryOutcome outcome = result.outcome();
      batch
          .bind("deliveryId", delivery.deliveryId())
          .bind("messageId", delivery.messageId())
          .bind("endpointId", delivery.endpointId())
          .bind("attempt", delivery.attempt())
          .bind("attemptedAt", result.attemptedAt())
          .bind("statusCode", outcome.statusCode() == 0 ? null : outcome.statusCode())
          .bind("error", replaceNul(truncate(outcome.error(), MAX_ERROR_LENGTH)))
          .bind("durationMs", outcome.duration() == null ? 0L : outcome.duration().toMillis())
          .bind("response", responseText(outcome.responseSnippet()))
          .bind("trigger", triggerOf(delivery).jsonName())
          .add();
    }
    batch.execute();
  }

  /**
   * Returns the delay before the next attempt in milliseconds: the result's delay for a pending
   * delivery, where a missing or negative delay means due at once, and 0 for every other state.
   */
  private static long retryMillis(DeliveryResult result) {
    Duration delay = result.retryDelay();
    if (result.nextState() != DeliveryResult.State.PENDING || delay == null) {
      return 0;
    }
    return Math.max(0, delay.toMillis());
  }

  /**
   * Decodes at most {@link Attempt#MAX_RESPONSE_BYTES} bytes of a response as UTF-8, replacing
   * invalid bytes and NUL characters with U+FFFD.
   */
  static String responseText(byte[] snippet) {
    if (snippet == null || snippet.length == 0) {
      return "";
    }
    byte[] kept =
        snippet.length <= Attempt.MAX_RESPONSE_BYTES
            ? snippet
            : Arrays.copyOf(snippet, Attempt.MAX_RESPONSE_BYTES);
    return replaceNul(new String(kept, StandardCharsets.UTF_8));
  }

  /**
   * Replaces each NUL character with U+FFFD, because PostgreSQL rejects NUL in text columns and a
   * response or error message may contain one.
   */
  private static String replaceNul(String text) {
    return text == null ? null : text.replace('\0', '\uFFFD');
  }

  private static String truncate(String text, int maxLength) {
    if (text == null || text.length() <= maxLength) {
      return text;
    }
    return text.substring(0, maxLength);
  }

  private static Attempt.Trigger triggerOf(ClaimedDelivery delivery) {
    return delivery.manual() ? Attempt.Trigger.MANUAL : Attempt.Trigger.SCHEDULED;
  }

  /**
   * Stores a manual delivery of a message to an endpoint unless the message is unknown, never had
   * a delivery there, or its latest delivery there is pending.
   */
  ReplayOutcome replay(Handle handle, UUID messageId, UUID endpointId) {
    long messages =
        handle.createQuery(dialect.countMessages()).bind("id", messageId).mapTo(Long.class).one();
    if (messages == 0) {
      return ReplayOutcome.MESSAGE_NOT_FOUND;
    }
    Optional<String> latest =
        handle
            .createQuery(StandardSql.SELECT_LATEST_DELIVERY_STATE)
            .bind("messageId", messageId)
            .bind("endpointId", endpointId)
            .mapTo(String.class)
            .findOne();
    if (latest.isEmpty()) {
      return whyNotSent(handle, messageId, endpointId);
    }
    if (latest.get().equals(DeliveryResult.State.PENDING.name())) {
      return ReplayOutcome.STILL_PENDING;
    }
    handle
        .createUpdate(StandardSql.INSERT_REPLAY_DELIVERY)
        .define("now", dialect.currentTimestamp())
        .bind("messageId", messageId)
        .bind("endpointId", endpointId)
        .execute();
    return ReplayOutcome.QUEUED;
  }

  private static ReplayOutcome whyNotSent(Handle handle, UUID messageId, UUID endpointId) {
    long filtered =
        handle
            .createQuery(StandardSql.COUNT_FILTERED_ENDPOINT_OLDER_THAN_MESSAGE)
            .bind("messageId", messageId)
            .bind("endpointId", endpointId)
            .mapTo(Long.class)
            .one();
    return filtered > 0 ? ReplayOutcome.FILTERED_OUT : ReplayOutcome.NOT_SENT_TO_ENDPOINT;
  }

  /** Stores a manual delivery for each message since {@code since} whose latest one failed. */
  int recover(Handle handle, UUID endpointId, Instant since) {
    return handle
        .createUpdate(StandardSql.INSERT_RECOVERY_DELIVERIES)
        .define("now", dialect.currentTimestamp())
        .bind("endpointId", endpointId)
        .bind("since", since)
        .execute();
  }

  /**
   * Returns a page of an endpoint's attempts, newest first. The first page starts after {@link
   * #FIRST_PAGE_POSITION}, a position after every stored attempt.
   */
  List<PositionedAttempt> attemptsOfEndpoint(
      Handle handle, UUID endpointId, AttemptPosition after, Boolean succeeded, int limit) {
    AttemptPosition before = after == null ? FIRST_PAGE_POSITION : after;
    return handle
        .createQuery(StandardSql.SELECT_ATTEMPTS_OF_ENDPOINT)
        .bind("endpointId", endpointId)
        .bind("beforeAt", before.attemptedAt())
        .bind("beforeId", before.attemptId())
        .bind("anyOutcome", succeeded == null)
        .bind("succeeded", succeeded != null && succeeded)
        .bind("limit", limit)
        .map(Rows.positionedAttempt())
        .list();
  }

  Backlog backlog(Handle handle) {
    return handle
        .createQuery(StandardSql.SELECT_BACKLOG)
        .map(
            (rs, context) ->
                new Backlog(
                    rs.getLong("pending"),
                    ColumnTypes.read(rs, "oldest_due", Instant.class, context)))
        .one();
  }

  long countDisabledEndpoints(Handle handle) {
    return handle.createQuery(StandardSql.COUNT_DISABLED_ENDPOINTS).mapTo(Long.class).one();
  }

  /** A locked pending delivery and its lease token, which is null when no claim holds it. */
  private record PendingRow(long deliveryId, UUID leaseToken) {}

  private record DueRow(long id, Instant nextAttemptAt) {}
}
