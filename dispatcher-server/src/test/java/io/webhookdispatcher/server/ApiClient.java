package io.webhookdispatcher.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A client of the server's HTTP API on 127.0.0.1, for tests. */
final class ApiClient {
  /** The mapper the server uses, so that decimals compare exactly. */
  static final ObjectMapper MAPPER = RequestJson.newMapper();

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** A response with its body as text and, when it parses, as JSON. */
  record Reply(int status, HttpHeaders headers, String body) {
    JsonNode json() {
      try {
        return MAPPER.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("response body is not JSON: " + body, e);
      }
    }

    String error() {
      return json().path("error").asText();
    }

    String header(String name) {
      return headers.firstValue(name).orElse(null);
    }
  }

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
  private final String baseUrl;

  ApiClient(int port) {
    this.baseUrl = "http://127.0.0.1:" + port;
  }

  Reply get(String path) {
    return send(request(path).GET());
  }

  Reply delete(String path) {
    return send(request(path).DELETE());
  }

  Reply post(String path, String json) {
    return post(path, json.getBytes(StandardCharsets.UTF_8));
  }

  Reply post(String path, byte[] body) {
    return send(
        request(path)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  /** Posts with an {@code Idempotency-Key} header. */
  Reply post(String path, String json, String idempotencyKey) {
    return send(
        request(path)
            .header("content-type", "application/json")
            .header("Idempotency-Key", idempotencyKey)
            .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)));
  }

  Reply patch(String path, String json) {
    return send(
        request(path)
            .header("content-type", "application/json")
            .method("PATCH", HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)));
  }

  Reply send(String method, String path) {
    return send(request(path).method(method, HttpRequest.BodyPublishers.noBody()));
  }

  /** Creates an endpoint and returns the response JSON, failing unless the status is 201. */
  JsonNode createEndpoint(String url) {
    Reply reply = post("/webhook/endpoints", "{\"url\": \"" + url + "\"}");
    if (reply.status() != 201) {
      throw new AssertionError("creating endpoint " + url + " returned " + reply);
    }
    return reply.json();
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(TIMEOUT);
  }

  private Reply send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Reply(response.statusCode(), response.headers(), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the server", e);
    }
  }
}
