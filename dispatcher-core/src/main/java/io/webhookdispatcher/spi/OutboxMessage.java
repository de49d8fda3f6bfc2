package io.webhookdispatcher.spi;

import java.util.UUID;

/**
 * A serialized message on its way into the outbox.
 *
 * @param id the message id, chosen by the dispatcher
 * @param eventType the event type
 * @param body the serialized message, stored and later sent byte for byte
 * @param idempotencyKey the host's key for this publish, or {@code null}: a second publish with the
 *     same key stores nothing and returns the first message
 */
public record OutboxMessage(UUID id, String eventType, byte[] body, String idempotencyKey) {

  @Override
  public String toString() {
    return "OutboxMessage[id=" + id + ", eventType=" + eventType + "]";
  }
}
