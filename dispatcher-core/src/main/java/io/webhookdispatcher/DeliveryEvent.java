package io.webhookdispatcher;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * The data that a {@link DeliveryListener} receives about a recorded attempt: the ids, the event
 * type, the attempt and how it ended. It never carries the message body nor a secret.
 *
 * @param messageId the message
 * @param endpointId the endpoint
 * @param eventType the message's event type, such as {@code payment.created}
 * @param attempt 1 for the first attempt of the delivery, then 2, 3 and so on
 * @param trigger whether the retry schedule or an operator started the attempt
 * @param attemptedAt when the attempt started, by the dispatcher's clock
 * @param duration how long the attempt took
 * @param statusCode the HTTP status, or {@code null} when no response came
 * @param error why no response came, or {@code null} when one came
 * @param nextAttemptAt when the next attempt is due, estimated by the dispatcher's clock, for a
 *     failed attempt that is retried; {@code null} otherwise
 */
public record DeliveryEvent(
    UUID messageId,
    UUID endpointId,
    String eventType,
    int attempt,
    Attempt.Trigger trigger,
    Instant attemptedAt,
    Duration duration,
    Integer statusCode,
    String error,
    Instant nextAttemptAt) {

  public OptionalInt status() {
    return statusCode == null ? OptionalInt.empty() : OptionalInt.of(statusCode);
  }

  public Optional<String> errorMessage() {
    return Optional.ofNullable(error);
  }

  /** Returns when the next attempt is due, or empty when none follows. */
  public Optional<Instant> nextAttempt() {
    return Optional.ofNullable(nextAttemptAt);
  }
}
