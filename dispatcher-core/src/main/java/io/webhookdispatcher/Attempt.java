package io.webhookdispatcher;

import java.time.Instant;
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
 */
public record Attempt(
    UUID messageId,
    UUID endpointId,
    int attempt,
    Instant timestamp,
    Integer statusCode,
    String error,
    long durationMs,
    String response) {

  /** Bytes of each response body kept with the attempt: 4 KiB. */
  public static final int MAX_RESPONSE_BYTES = 4096;

  public OptionalInt status() {
    return statusCode == null ? OptionalInt.empty() : OptionalInt.of(statusCode);
  }

  public Optional<String> errorMessage() {
    return Optional.ofNullable(error);
  }
}
