package io.webhookdispatcher.server;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Map;

/**
 * A routed request, copied off the Netty buffer so that a handler may run on any thread.
 *
 * @param method the request method
 * @param path the decoded path without the query string
 * @param pathParameters values of the route's {@code {name}} segments, by name
 * @param headers the request headers
 * @param body the request body; empty when there is none
 * @param queryParameters the decoded query parameters, each name with its values in order
 */
record ApiRequest(
    HttpMethod method,
    String path,
    Map<String, String> pathParameters,
    HttpHeaders headers,
    byte[] body,
    Map<String, List<String>> queryParameters) {

  /** Creates a request without a query string. */
  ApiRequest(
      HttpMethod method,
      String path,
      Map<String, String> pathParameters,
      HttpHeaders headers,
      byte[] body) {
    this(method, path, pathParameters, headers, body, Map.of());
  }

  /** Returns the value of a path parameter that the route declares. */
  String pathParameter(String name) {
    String value = pathParameters.get(name);
    if (value == null) {
      throw new IllegalStateException("route of " + path + " declares no parameter " + name);
    }
    return value;
  }

  /**
   * Returns the one value of a query parameter, or {@code null} when it is absent.
   *
   * @throws ApiException when the parameter is given more than once
   */
  String queryParameter(String name) {
    List<String> values = queryParameters.getOrDefault(name, List.of());
    if (values.size() > 1) {
      throw ApiException.badRequest(
          "query parameter " + name + " is given " + values.size() + " times: give it once");
    }
    return values.isEmpty() ? null : values.get(0);
  }
}
