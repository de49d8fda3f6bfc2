package io.webhookdispatcher.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A response before it is encoded: a status, a JSON body, a text body or none, and extra headers.
 *
 * @param status the HTTP status
 * @param body the JSON body, or {@code null} for a text body or an empty one such as that of a 204
 * @param headers headers besides {@code content-length}, and besides {@code content-type} for a
 *     JSON body
 * @param text the text body, sent as UTF-8, or {@code null}
 */
record ApiResponse(
    HttpResponseStatus status, JsonNode body, Map<String, String> headers, String text) {

  ApiResponse {
    headers = Map.copyOf(headers);
  }

  ApiResponse(HttpResponseStatus status, JsonNode body, Map<String, String> headers) {
    this(status, body, headers, null);
  }

  /** Returns a response with a text body of the given content type. */
  static ApiResponse text(HttpResponseStatus status, String contentType, String text) {
    return new ApiResponse(status, null, Map.of("content-type", contentType), text);
  }

  static ApiResponse json(HttpResponseStatus status, JsonNode body) {
    return new ApiResponse(status, body, Map.of());
  }

  static ApiResponse noContent() {
    return new ApiResponse(HttpResponseStatus.NO_CONTENT, null, Map.of());
  }

  /** Returns a copy with one more header. */
  ApiResponse withHeader(String name, String value) {
    Map<String, String> copy = new LinkedHashMap<>(headers);
    copy.put(name, value);
    return new ApiResponse(status, body, copy, text);
  }
}
