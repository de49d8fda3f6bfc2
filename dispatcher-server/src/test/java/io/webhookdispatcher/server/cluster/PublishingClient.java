package io.webhookdispatcher.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/** A client of the servers' HTTP API on 127.0.0.1 that creates endpoints and publishes messages. */
final class PublishingClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client;
  private final Duration requestTimeout;

  /** A response to a publish: its status, its body, and the message id when the status is 202. */
  record Reply(int status, String body, String messageId, Duration elapsed) {
    boolean accepted() {
      return status == 202;
    }

    /** Returns the {@code error} field of a JSON error body, or the whole body. */
    String error() {
      try {
        return JSON.readTree(body).path("error").asText(body);
      } catch (IOException e) {
        return body;
      }
    }
  }

  PublishingClient(Duration requestTimeout) {
    this.requestTimeout = requestTimeout;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  /** Creates an endpoint through one node and returns its id. */
  String createEndpoint(int port, String url) throws IOException, InterruptedException {
    HttpResponse<String> response =
        post(port, "/webhook/endpoints", "{\"url\":\"" + url + "\"}", null);
    if (response.statusCode() != 201) {
      throw new AssertionError("creating endpoint " + url + " returned " + response.body());
    }
    return JSON.readTree(response.body()).get("id").asText();
  }

  /**
   * Publishes a {@code payment.created} message with an idempotency key, so that sending the same
   * sequence number again, to any node, returns the first message instead of storing another. The
   * body depends only on the key prefix and the sequence number, so a repeat has the same body.
   *
   * @throws IOException when the node cannot be reached or does not respond in time
   */
  Reply publish(int port, String keyPrefix, int sequence) throws IOException, InterruptedException {
    String key = keyPrefix + "-" + sequence;
    String body =
        "{\"event_type\":\"payment.created\",\"object_id\":\""
            + UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8))
            + "\",\"object_type\":\"Payment\",\"object\":{\"sequence\":"
            + sequence
            + ",\"amount\":\"10.00\"}}";
    long started = System.nanoTime();
    HttpResponse<String> response = post(port, "/webhook/messages", body, key);
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
    String id = null;
    if (response.statusCode() == 202) {
      JsonNode json = JSON.readTree(response.body());
      id = json.get("id").asText();
    }
    return new Reply(response.statusCode(), response.body(), id, elapsed);
  }

  private HttpResponse<String> post(int port, String path, String body, String idempotencyKey)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(requestTimeout)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
