package io.webhookdispatcher.server;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A request that the API rejects with a client error status. The message is sent to the client as
 * {@code {"error": message}}, so it names the field and the problem and never contains internals.
 */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient HttpResponseStatus status;

  ApiException(HttpResponseStatus status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  static ApiException badRequest(String message) {
    return new ApiException(HttpResponseStatus.BAD_REQUEST, message);
  }

  static ApiException notFound(String message) {
    return new ApiException(HttpResponseStatus.NOT_FOUND, message);
  }

  static ApiException conflict(String message) {
    return new ApiException(HttpResponseStatus.CONFLICT, message);
  }

  static ApiException tooLarge(String message) {
    return new ApiException(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, message);
  }

  HttpResponseStatus status() {
    return status;
  }
}
