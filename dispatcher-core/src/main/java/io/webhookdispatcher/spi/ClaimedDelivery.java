package io.webhookdispatcher.spi;

import java.net.URI;
import java.time.Instant;
import java.util.UUID;

/**
 * A delivery that one dispatcher node has leased: until the lease expires, no other claim returns
 * it, and only a result carrying the same lease token is recorded.
 *
 * @param deliveryId the outbox delivery row
 * @param leaseToken the token of the claim that returned this delivery
 * @param messageId the message
 * @param eventType the message's event type
 * @param body the stored message bytes
 * @param messageCreatedAt when the message was published
 * @param endpointId the endpoint
 * @param url the endpoint's URL
 * @param secret the endpoint's signing secret
 * @param attempt the number this attempt will have: 1 for the first
 * @param rateLimit the endpoint's most requests per second, or {@code null} for no limit
 * @param previousSecret the endpoint's secret before its last rotation, or {@code null}
 * @param previousSecretExpiresAt when {@code previousSecret} stops signing, by the clock of the
 *     dispatcher that rotated it, or {@code null}
 * @param manual whether an operator asked for this attempt: the first attempt of a delivery that
 *     {@link OutboxStore#replay} or {@link OutboxStore#recover} queued
 */
public record ClaimedDelivery(
    long deliveryId,
    UUID leaseToken,
    UUID messageId,
    String eventType,
    byte[] body,
    Instant messageCreatedAt,
    UUID endpointId,
    URI url,
    String secret,
    int attempt,
    Integer rateLimit,
    String previousSecret,
    Instant previousSecretExpiresAt,
    boolean manual) {

  /** Creates a scheduled delivery to an endpoint without a previous secret. */
  public ClaimedDelivery(
      long deliveryId,
      UUID leaseToken,
      UUID messageId,
      String eventType,
      byte[] body,
      Instant messageCreatedAt,
      UUID endpointId,
      URI url,
      String secret,
      int attempt,
      Integer rateLimit) {
    this(
        deliveryId,
        leaseToken,
        messageId,
        eventType,
        body,
        messageCreatedAt,
        endpointId,
        url,
        secret,
        attempt,
        rateLimit,
        null,
        null,
        false);
  }

  /** Returns the previous secret when it still signs at {@code at}, else {@code null}. */
  public String previousSecretAt(Instant at) {
    if (previousSecret == null
        || previousSecretExpiresAt == null
        || !at.isBefore(previousSecretExpiresAt)) {
      return null;
    }
    return previousSecret;
  }

  /** Returns the ids and attempt number; never the secret nor the body. */
  @Override
  public String toString() {
    return "ClaimedDelivery[deliveryId="
        + deliveryId
        + ", messageId="
        + messageId
        + ", endpointId="
        + endpointId
        + ", attempt="
        + attempt
        + "]";
  }
}
