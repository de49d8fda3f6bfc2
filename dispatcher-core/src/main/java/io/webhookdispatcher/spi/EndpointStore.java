package io.webhookdispatcher.spi;

import io.webhookdispatcher.Endpoint;
import io.webhookdispatcher.EndpointUpdate;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Durable endpoints. Deleted endpoints are never returned again.
 *
 * <p>Besides the endpoints, the store may hold one hand-off target: the row that the deliveries of
 * hand-off messages point at. It is never returned by {@link #find}, never deleted, and never gets a
 * delivery of a message published for every endpoint.
 *
 * <p>Every method throws {@link io.webhookdispatcher.StoreUnavailableException} when the store
 * cannot be reached.
 */
public interface EndpointStore {

  /** Stores a new endpoint without a rate limit and returns it with the store's creation time. */
  default Endpoint create(UUID id, URI url, String description, String secret) {
    return create(id, url, description, secret, null);
  }

  /**
   * Stores a new endpoint and returns it with the store's creation time.
   *
   * @param rateLimit the most requests per second it may receive from each node, or {@code null}
   */
  Endpoint create(UUID id, URI url, String description, String secret, Integer rateLimit);

  Optional<Endpoint> find(UUID id);

  /**
   * Returns up to {@code limit} endpoints, ordered by id, whose ids come after {@code after}: a
   * page of every endpoint that is not deleted, without the hand-off target.
   *
   * @param after the last id of the previous page, or {@code null} for the first page
   */
  List<Endpoint> list(UUID after, int limit);

  /**
   * Deletes an endpoint and cancels its pending deliveries, in one transaction.
   *
   * @return {@code false} when no such endpoint exists
   */
  boolean delete(UUID id);

  /**
   * Stores the hand-off target with this id unless it exists, and sets its URL. Several nodes may
   * call it at once.
   *
   * @param id the target's id, the same on every node
   * @param url where the transport hands messages over; for operators, the transport may ignore it
   */
  void saveHandOffTarget(UUID id, URI url);

  /**
   * Stores a new endpoint that receives only messages of the given event types, and returns it
   * with the store's creation time. The default stores endpoints without event types only.
   *
   * @param eventTypes checked, distinct event types, or {@code null} for every event type
   * @throws UnsupportedOperationException when the store cannot keep event types
   */
  default Endpoint create(
      UUID id,
      URI url,
      String description,
      String secret,
      Integer rateLimit,
      List<String> eventTypes) {
    if (eventTypes != null) {
      throw new UnsupportedOperationException(
          getClass().getName() + " cannot store event types of an endpoint");
    }
    return create(id, url, description, secret, rateLimit);
  }

  /**
   * Applies checked changes to a live endpoint in one transaction. Disabling fails the endpoint's
   * pending deliveries, as {@link OutboxStore#disableEndpoint} does; enabling clears the disabled
   * time and reason and the failure clock.
   *
   * @param update the changes, with a URL that the caller checked
   * @param at when, by the dispatcher's clock, stored as the disabled time when disabling
   * @return the endpoint as stored afterwards, or empty when it does not exist or was deleted
   */
  default Optional<Endpoint> update(UUID id, EndpointUpdate update, Instant at) {
    throw new UnsupportedOperationException(getClass().getName() + " cannot update endpoints");
  }

  /**
   * Replaces an endpoint's secret. The old secret stays valid for signing until {@code
   * previousSecretExpiresAt}, or stops at once when it is {@code null}.
   *
   * @param previousSecretExpiresAt when the old secret stops, by the dispatcher's clock, or {@code
   *     null}
   * @return the endpoint with its new secret, or empty when it does not exist or was deleted
   */
  default Optional<Endpoint> rotateSecret(UUID id, String secret, Instant previousSecretExpiresAt) {
    throw new UnsupportedOperationException(
        getClass().getName() + " cannot rotate endpoint secrets");
  }

  /** Returns the number of endpoints that are disabled and not deleted. */
  default long countDisabled() {
    throw new UnsupportedOperationException(
        getClass().getName() + " does not count disabled endpoints");
  }
}
