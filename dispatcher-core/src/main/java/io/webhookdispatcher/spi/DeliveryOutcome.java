package io.webhookdispatcher.spi;

import java.time.Duration;
import java.util.Optional;

/**
 * Result of one attempt: a response with a status code, or an error before any response.
 *
 * @param statusCode the HTTP status, or 0 when no response came
 * @param error why no response came, or {@code null} when one came
 * @param duration how long the attempt took
 * @param responseSnippet the first bytes of the response body, at most {@link
 *     io.webhookdispatcher.Attempt#MAX_RESPONSE_BYTES}; empty when there was none
 * @param retryAfter the delay that the receiver asked for with {@code Retry-After}, or {@code null}
 */
public record DeliveryOutcome(
    int statusCode, String error, Duration duration, byte[] responseSnippet, Duration retryAfter) {

  private static final byte[] EMPTY = new byte[0];

  /** Creates the outcome of an attempt that got a response. */
  public static DeliveryOutcome response(
      int statusCode, Duration duration, byte[] responseSnippet, Duration retryAfter) {
    return new DeliveryOutcome(statusCode, null, duration, responseSnippet, retryAfter);
  }

  /** Creates the outcome of an attempt that ended without a response. */
  public static DeliveryOutcome failure(String error, Duration duration) {
    return new DeliveryOutcome(0, error, duration, EMPTY, null);
  }

  /** Returns whether the receiver accepted the message: any 2xx status. */
  public boolean successful() {
    return error == null && statusCode >= 200 && statusCode < 300;
  }

  public Optional<Duration> requestedRetryDelay() {
    return Optional.ofNullable(retryAfter);
  }

  @Override
  public String toString() {
    return error != null
        ? "DeliveryOutcome[error=" + error + ", duration=" + duration + "]"
        : "DeliveryOutcome[status=" + statusCode + ", duration=" + duration + "]";
  }
}
