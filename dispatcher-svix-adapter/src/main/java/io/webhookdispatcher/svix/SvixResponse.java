package io.webhookdispatcher.svix;

import java.time.Duration;

/**
 * One response of the Svix API.
 *
 * @param statusCode the HTTP status
 * @param body the response body, possibly empty
 * @param retryAfter the delay requested with {@code Retry-After}, or {@code null}
 * @param duration how long the request took
 */
record SvixResponse(int statusCode, byte[] body, Duration retryAfter, Duration duration) {

  boolean successful() {
    return statusCode >= 200 && statusCode < 300;
  }

  /** Returns whether trying again may help: too many requests, or a server error. */
  boolean retryable() {
    return statusCode == 429 || statusCode >= 500;
  }

  @Override
  public String toString() {
    return "SvixResponse[status=" + statusCode + ", duration=" + duration + "]";
  }
}
