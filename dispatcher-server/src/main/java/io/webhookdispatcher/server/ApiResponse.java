package io.webhookdispatcher.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A response before it is encoded: a status, a JSON body or none, and extra headers.
 *
 * @param status the HTTP status
 * @param body the JSON body, or {@code null} for an empty body such as that of a 204
 * @param headers headers besides {@code content-type} and {@code content-length}
 */
record ApiResponse(HttpResponseStatus status, JsonNode body, Map<String, String> headers) {

  ApiResponse {
    headers = Map.copyOf(headers);
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
    return new ApiResponse(status, body, copy);
  }
}
