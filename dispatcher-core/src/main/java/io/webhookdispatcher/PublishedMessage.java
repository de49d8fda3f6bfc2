package io.webhookdispatcher;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * A message as the outbox stored it.
 *
 * @param id the message id, sent as {@code webhook-id} on every attempt
 * @param eventType the event type
 * @param body the serialized message: the exact bytes signed and sent
 * @param createdAt when the message was stored
 * @param replayed {@code true} when an earlier publish with the same idempotency key stored it
 */
public record PublishedMessage(
    UUID id, String eventType, byte[] body, Instant createdAt, boolean replayed) {

  /** Returns the body as text. */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** Returns the id, event type and time; never the body, which may be personal data. */
  @Override
  public String toString() {
    return "PublishedMessage[id=" + id + ", eventType=" + eventType + ", createdAt=" + createdAt + "]";
  }
}
