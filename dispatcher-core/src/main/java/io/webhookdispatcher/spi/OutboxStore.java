package io.webhookdispatcher.spi;

import io.webhookdispatcher.Attempt;
import io.webhookdispatcher.PublishedMessage;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The durable outbox: messages, one delivery per endpoint and message, and every attempt.
 *
 * <p>Due times and lease expiry are compared with the store's own clock, so nodes with skewed
 * clocks still agree. Every method throws {@link io.webhookdispatcher.StoreUnavailableException}
 * when the store cannot be reached.
 */
public interface OutboxStore {

  /**
   * Stores a message and one delivery for every endpoint that exists, in one transaction of the
   * store's own: pending and due now, or failed for a disabled endpoint.
   */
  PublishedMessage publish(OutboxMessage message);

  /**
   * Stores a message and its deliveries through the host's connection, inside the host's
   * transaction: they exist if and only if that transaction commits. The connection is neither
   * committed nor closed.
   */
  PublishedMessage publish(OutboxMessage message, Connection connection);

  /**
   * Leases up to {@code limit} due deliveries for {@code lease}, oldest due first, but never so
   * many that an endpoint has more than {@code maxPerEndpoint} deliveries under a live lease,
   * counting the leases of every node. So one endpoint's backlog cannot hold back the others.
   * Deliveries whose lease has expired are due again.
   */
  List<ClaimedDelivery> claim(String nodeId, int limit, int maxPerEndpoint, Duration lease);

  /** Leases like {@link #claim(String, int, int, Duration)} with no limit per endpoint. */
  default List<ClaimedDelivery> claim(String nodeId, int limit, Duration lease) {
    return claim(nodeId, limit, Integer.MAX_VALUE, lease);
  }

  /**
   * Deletes up to {@code batchSize} messages published more than {@code age} ago, by the store's
   * clock, whose deliveries have all ended (delivered, failed or cancelled), together with their
   * deliveries and attempts, in one short transaction.
   *
   * @return how many messages were deleted; less than {@code batchSize} means none is left
   */
  int purgeFinished(Duration age, int batchSize);

  /**
   * Records attempts and moves their deliveries on, in one transaction. A result whose lease token
   * no longer matches its row (the lease expired and another claim took it, or the delivery was
   * cancelled) is discarded.
   *
   * @return how many results were recorded
   */
  int record(List<DeliveryResult> results);

  /**
   * Records {@code results} like {@link #record}, then leases due deliveries like {@link
   * #claim(String, int, int, Duration)}. A store that can do both in one transaction should, since
   * the delivery loop calls this on every cycle and a commit is its largest cost. The default calls
   * the two methods one after the other.
   *
   * @return the deliveries leased
   */
  default List<ClaimedDelivery> recordAndClaim(
      List<DeliveryResult> results, String nodeId, int limit, int maxPerEndpoint, Duration lease) {
    if (!results.isEmpty()) {
      record(results);
    }
    return claim(nodeId, limit, maxPerEndpoint, lease);
  }

  /**
   * Returns, for each of these endpoints whose latest recorded attempt failed, when its current
   * run of failed attempts began: the time of the first failed attempt since its last success.
   * Endpoints that are deleted, disabled or not failing are left out. {@link #record} keeps this
   * time: a failed attempt starts it unless it runs, a successful one clears it.
   */
  Map<UUID, Instant> failingSince(Set<UUID> endpointIds);

  /**
   * Disables an endpoint and fails its pending deliveries, in one transaction; later messages get
   * a failed delivery for it. Deliveries in flight are discarded when their results arrive.
   *
   * @param reason why, kept with the endpoint, at most 1024 characters
   * @param at when, by the dispatcher's clock
   * @return {@code false} when the endpoint is unknown, deleted or already disabled
   */
  boolean disableEndpoint(UUID endpointId, String reason, Instant at);

  /**
   * Hands leased deliveries back without an attempt, due again {@code delay} after now by the
   * store's clock, as when a rate limit holds them back. A delivery whose lease token no longer
   * matches is left alone.
   *
   * @return how many were handed back
   */
  int postpone(List<ClaimedDelivery> deliveries, Duration delay);

  /**
   * Replaces each leased hand-off delivery by one pending delivery per endpoint, due now, and
   * cancels the hand-off, in one transaction. A disabled endpoint gets a failed delivery instead.
   * A node that sends webhooks itself calls it for messages that a hand-off transport left pending.
   * A hand-off whose lease token no longer matches is left alone.
   *
   * @return how many hand-offs were replaced
   */
  int redirectHandOffs(List<ClaimedDelivery> handOffs);

  /** Returns the attempts of a message, oldest first, or empty when the message is unknown. */
  Optional<List<Attempt>> attempts(UUID messageId);

  /** Returns the number of deliveries that are pending, due or not. */
  long pendingCount();
}
