package io.webhookdispatcher.server;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps a method and a path to a handler. A pattern is a path whose segments are literals or {@code
 * {name}} parameters that match any one non-empty segment, such as {@code /webhook/endpoints/{id}}.
 */
final class Router {

  /** Handles one routed request; it may block, because it runs off the event loop. */
  @FunctionalInterface
  interface Handler {
    ApiResponse handle(ApiRequest request);
  }

  /**
   * The outcome of matching a request.
   *
   * @param handler the handler, or {@code null} when no route matches the method and path
   * @param pathParameters the path parameters of the matching route
   * @param allowedMethods the methods of the routes whose pattern matches the path; empty when the
   *     path matches no pattern
   */
  record Match(
      Handler handler, Map<String, String> pathParameters, Set<HttpMethod> allowedMethods) {

    boolean found() {
      return handler != null;
    }

    /** Returns whether the path exists but not with the request's method. */
    boolean methodNotAllowed() {
      return handler == null && !allowedMethods.isEmpty();
    }
  }

  private record Route(HttpMethod method, String pattern, List<String> segments, Handler handler) {}

  private final List<Route> routes = new ArrayList<>();

  /** Adds a route; the first route added wins when two match. */
  Router add(HttpMethod method, String pattern, Handler handler) {
    routes.add(new Route(method, pattern, split(pattern), handler));
    return this;
  }

  /** Returns each route as its method and pattern, such as {@code GET /webhook/endpoints/{id}}. */
  List<String> describeRoutes() {
    List<String> described = new ArrayList<>(routes.size());
    for (Route route : routes) {
      described.add(route.method().name() + " " + route.pattern());
    }
    return described;
  }

  /** Finds the route of a decoded path such as {@code /webhook/endpoints/42}. */
  Match match(HttpMethod method, String path) {
    List<String> segments = split(path);
    Set<HttpMethod> allowed = new LinkedHashSet<>();
    for (Route route : routes) {
      Map<String, String> parameters = bind(route.segments(), segments);
      if (parameters == null) {
        continue;
      }
      if (route.method().equals(method)) {
        return new Match(route.handler(), parameters, Set.of(route.method()));
      }
      allowed.add(route.method());
    }
    return new Match(null, Map.of(), Collections.unmodifiableSet(allowed));
  }

  /** Returns the parameters when the path fits the pattern, else {@code null}. */
  private static Map<String, String> bind(List<String> pattern, List<String> path) {
    if (pattern.size() != path.size()) {
      return null;
    }
    Map<String, String> parameters = new LinkedHashMap<>();
    for (int i = 0; i < pattern.size(); i++) {
      String expected = pattern.get(i);
      String actual = path.get(i);
      if (expected.startsWith("{") && expected.endsWith("}")) {
        if (actual.isEmpty()) {
          return null;
        }
        parameters.put(expected.substring(1, expected.length() - 1), actual);
      } else if (!expected.equals(actual)) {
        return null;
      }
    }
    return parameters;
  }

  /** Splits a path on {@code /}, keeping empty segments so that a trailing slash matters. */
  private static List<String> split(String path) {
    String relative = path.startsWith("/") ? path.substring(1) : path;
    return List.of(relative.split("/", -1));
  }
}
