package io.webhookdispatcher;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * One recorded try to deliver a message to an endpoint.
 *
 * @param messageId the message
 * @param endpointId the endpoint, or {@code null} for an endpoint that a delivery service stores
 *     under an id that is not one of ours
 * @param attempt 1 for the first try of this delivery, then 2, 3 and so on
 * @param timestamp when the request was started
 * @param statusCode the HTTP status, or {@code null} when no response came
 * @param error why the try failed without a response, or {@code null} when one came
 * @param durationMs how long the try took, in milliseconds
 * @param response the first {@link #MAX_RESPONSE_BYTES} bytes of the response body, decoded as
 *     UTF-8; empty when there was none
 * @param trigger {@link Trigger#MANUAL} for the first attempt of a replay or recovery, {@link
 *     Trigger#SCHEDULED} for every other attempt
 */
public record Attempt(
    UUID messageId,
    UUID endpointId,
    int attempt,
    Instant timestamp,
    Integer statusCode,
    String error,
    long durationMs,
    String response,
    Trigger trigger) {

  /** Bytes of each response body kept with the attempt: 4 KiB. */
  public static final int MAX_RESPONSE_BYTES = 4096;

  /** The cause that started an attempt. */
  public enum Trigger {
    /** A publish or the retry schedule. */
    SCHEDULED,
    /** An operator, through {@link WebhookDispatcher#replay} or {@link WebhookDispatcher#recover}. */
    MANUAL;

    /** Returns the lowercase name used in the JSON API and the store, such as {@code manual}. */
    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public Attempt {
    Objects.requireNonNull(trigger, "trigger");
  }

  /** Creates a {@link Trigger#SCHEDULED} attempt. */
  public Attempt(
      UUID messageId,
      UUID endpointId,
      int attempt,
      Instant timestamp,
      Integer statusCode,
      String error,
      long durationMs,
      String response) {
    this(
        messageId,
        endpointId,
        attempt,
        timestamp,
        statusCode,
        error,
        durationMs,
        response,
        Trigger.SCHEDULED);
  }

  public OptionalInt status() {
    return statusCode == null ? OptionalInt.empty() : OptionalInt.of(statusCode);
  }

  public Optional<String> errorMessage() {
    return Optional.ofNullable(error);
  }

  /** Returns whether the endpoint accepted the message with a 2xx status. */
  public boolean succeeded() {
    return statusCode != null && statusCode >= 200 && statusCode < 300;
  }
}
