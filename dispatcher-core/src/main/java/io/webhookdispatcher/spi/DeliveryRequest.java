package io.webhookdispatcher.spi;

import java.net.URI;
import java.util.Map;
import java.util.UUID;

/**
 * One attempt to deliver a message to an endpoint, signed and ready to send.
 *
 * @param deliveryId the outbox delivery row
 * @param messageId the message id, also sent as {@code webhook-id}
 * @param endpointId the endpoint
 * @param url where to send it
 * @param eventType the message's event type
 * @param attempt 1 for the first attempt of this delivery, then 2, 3 and so on
 * @param headers the {@code webhook-*} and {@code svix-*} headers, signature included
 * @param body the exact bytes to send
 */
public record DeliveryRequest(
    long deliveryId,
    UUID messageId,
    UUID endpointId,
    URI url,
    String eventType,
    int attempt,
    Map<String, String> headers,
    byte[] body) {

  /** Returns the ids and URL; never the headers, which carry signatures, nor the body. */
  @Override
  public String toString() {
    return "DeliveryRequest[deliveryId="
        + deliveryId
        + ", messageId="
        + messageId
        + ", endpointId="
        + endpointId
        + ", url="
        + url
        + ", attempt="
        + attempt
        + "]";
  }
}
