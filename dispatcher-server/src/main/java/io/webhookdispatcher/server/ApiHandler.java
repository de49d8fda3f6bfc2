package io.webhookdispatcher.server;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.webhookdispatcher.DeliveryServiceException;
import io.webhookdispatcher.InvalidInputException;
import io.webhookdispatcher.MessageTooLargeException;
import io.webhookdispatcher.StoreUnavailableException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes a request to its handler and maps the outcome to a response. Every error becomes {@code
 * {"error": ...}}; an unexpected exception is logged with the method and path, never the body. It
 * blocks while the handler does, so it runs off the event loop.
 */
final class ApiHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);

  private final AtomicBoolean databaseDown = new AtomicBoolean();

  private final Router router;
  private final ResponseJson responses;

  ApiHandler(Router router, ResponseJson responses) {
    this.router = router;
    this.responses = responses;
  }

  /**
   * Routes a request and runs its handler, turning every exception into an error response.
   *
   * @param uri the request target as received, with any query string
   */
  ApiResponse handle(HttpMethod method, String uri, HttpHeaders headers, byte[] body) {
    long started = System.nanoTime();
    ApiResponse response = dispatch(method, uri, headers, body);
    LOG.debug(
        "{} {} returned {} in {} ms",
        method,
        pathForLog(uri),
        response.status().code(),
        (System.nanoTime() - started) / 1_000_000);
    return response;
  }

  private ApiResponse dispatch(HttpMethod method, String uri, HttpHeaders headers, byte[] body) {
    String path;
    Map<String, List<String>> query;
    try {
      QueryStringDecoder decoder = new QueryStringDecoder(uri);
      path = decoder.path();
      query = decoder.parameters();
    } catch (IllegalArgumentException e) {
      return error(HttpResponseStatus.BAD_REQUEST, "request path is not valid: " + e.getMessage());
    }
    Router.Match match = router.match(method, path);
    if (match.methodNotAllowed()) {
      String allowed =
          match.allowedMethods().stream().map(HttpMethod::name).collect(Collectors.joining(", "));
      return error(
              HttpResponseStatus.METHOD_NOT_ALLOWED,
              "method " + method + " is not allowed on " + path + ": use " + allowed)
          .withHeader(HttpHeaderNames.ALLOW.toString(), allowed);
    }
    if (!match.found()) {
      return error(HttpResponseStatus.NOT_FOUND, "path " + RequestJson.quote(path) + " not found");
    }
    ApiRequest request =
        new ApiRequest(method, path, match.pathParameters(), headers, body, query);
    return run(match.handler(), request, uri);
  }

  private ApiResponse run(Router.Handler handler, ApiRequest request, String uri) {
    try {
      ApiResponse response = handler.handle(request);
      if (databaseDown.compareAndSet(true, false)) {
        LOG.info("Database is reachable again; API requests succeed");
      }
      return response;
    } catch (ApiException e) {
      return error(e.status(), e.getMessage());
    } catch (MessageTooLargeException e) {
      return error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, e.getMessage());
    } catch (InvalidInputException e) {
      return error(HttpResponseStatus.BAD_REQUEST, e.getMessage());
    } catch (DeliveryServiceException e) {
      LOG.warn("{} {} returned 502: {}", request.method(), pathForLog(uri), e.getMessage());
      return error(HttpResponseStatus.BAD_GATEWAY, e.getMessage());
    } catch (StoreUnavailableException e) {
      // One WARN per outage: a busy API would otherwise log every request while the database is
      // down.
      if (databaseDown.compareAndSet(false, true)) {
        LOG.warn(
            "{} {} returned 503 because the database is unavailable, as will later requests until"
                + " it returns: {}",
            request.method(),
            pathForLog(uri),
            e.getMessage());
      } else {
        LOG.debug(
            "{} {} returned 503 because the database is unavailable",
            request.method(),
            pathForLog(uri));
      }
      return error(
          HttpResponseStatus.SERVICE_UNAVAILABLE, "the database is unavailable: retry later");
    } catch (RuntimeException e) {
      LOG.error("{} {} failed unexpectedly", request.method(), pathForLog(uri), e);
      return error(
          HttpResponseStatus.INTERNAL_SERVER_ERROR,
          "internal server error: the server log has the details");
    }
  }

  /** Encodes a response for Netty; see {@link ResponseJson#toHttp}. */
  FullHttpResponse toHttp(HttpVersion version, ApiResponse response) {
    return responses.toHttp(version, response);
  }

  /** Returns a response with body {@code {"error": message}}. */
  ApiResponse error(HttpResponseStatus status, String message) {
    return ApiResponse.json(status, responses.error(message));
  }

  /** Returns the undecoded path without the query, which may carry values not meant for logs. */
  static String pathForLog(String uri) {
    int query = uri.indexOf('?');
    return RequestJson.quote(query < 0 ? uri : uri.substring(0, query));
  }
}
