package io.webhookdispatcher.spi;

import io.webhookdispatcher.Attempt;
import io.webhookdispatcher.Endpoint;
import io.webhookdispatcher.EndpointUpdate;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A transport that hands each message once to a delivery service, which keeps its own copy of the
 * endpoints, signs, fans out and retries on its side.
 *
 * <p>With such a transport the dispatcher stores one delivery per message, to the hand-off target,
 * instead of one per endpoint; {@link #send} then hands the message over, with the message id as
 * the service's deduplication key. Endpoints are kept in both places under the same id and secret,
 * so receivers verify as before and the host can switch transports.
 *
 * <p>Each endpoint method blocks until the service responds. It throws {@link
 * io.webhookdispatcher.InvalidInputException} naming the field when the service rejects the input,
 * and {@link io.webhookdispatcher.DeliveryServiceException} when the service fails or cannot be
 * reached.
 */
public interface HandOffTransport extends Transport {

  /** Returns where messages are handed over, stored as the hand-off target's URL. */
  URI handOffUrl();

  /**
   * Returns the ids of the endpoints that the service stores under one of our ids, so that the
   * dispatcher can copy the endpoints it lacks.
   */
  Set<UUID> endpointIds();

  /**
   * Creates the endpoint at the service with the same id, URL, description and secret. An endpoint
   * that the service already stores under this id counts as created.
   */
  void createEndpoint(Endpoint endpoint);

  /**
   * Returns the endpoint as the service stores it: its URL, description and secret there, with the
   * stored id and creation time. Returns empty when the service does not have it.
   */
  Optional<Endpoint> findEndpoint(Endpoint stored);

  /**
   * Deletes the endpoint at the service.
   *
   * @return {@code false} when the service did not have it
   */
  boolean deleteEndpoint(UUID id);

  /**
   * Returns the service's attempts to deliver the message to its endpoints, oldest first, numbered
   * per endpoint; empty when the service has not received the message.
   */
  List<Attempt> attempts(UUID messageId);

  /**
   * Applies checked changes to the endpoint at the service: URL, description, event types, rate
   * limit and whether it is disabled. The default rejects every change.
   *
   * @throws UnsupportedOperationException when the transport cannot change endpoints
   */
  default void updateEndpoint(UUID id, EndpointUpdate update) {
    throw new UnsupportedOperationException(
        getClass().getName() + " cannot change endpoints at its delivery service");
  }

  /**
   * Replaces the endpoint's secret at the service; the service keeps signing with the old one too
   * for {@code gracePeriod}. The default rejects it.
   *
   * @throws UnsupportedOperationException when the transport cannot rotate secrets
   */
  default void rotateSecret(UUID id, String secret, Duration gracePeriod) {
    throw new UnsupportedOperationException(
        getClass().getName() + " cannot rotate endpoint secrets at its delivery service");
  }
}
