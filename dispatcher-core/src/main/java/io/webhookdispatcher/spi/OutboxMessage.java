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
 * @param handOff {@code true} for one delivery to the hand-off target, which a {@link
 *     HandOffTransport} hands to a delivery service; {@code false} for one delivery per endpoint
 */
public record OutboxMessage(
    UUID id, String eventType, byte[] body, String idempotencyKey, boolean handOff) {

  /** Creates a message with one delivery per endpoint. */
  public OutboxMessage(UUID id, String eventType, byte[] body, String idempotencyKey) {
    this(id, eventType, body, idempotencyKey, false);
  }

  @Override
  public String toString() {
    return "OutboxMessage[id=" + id + ", eventType=" + eventType + ", handOff=" + handOff + "]";
  }
}
