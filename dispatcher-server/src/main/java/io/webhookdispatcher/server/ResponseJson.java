package io.webhookdispatcher.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.webhookdispatcher.Attempt;
import io.webhookdispatcher.AttemptPage;
import io.webhookdispatcher.Endpoint;
import io.webhookdispatcher.PublishedMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Builds the JSON bodies of API responses. Times are ISO-8601 instants in UTC. */
final class ResponseJson {
  /** Content type of every response that has a body. */
  static final String JSON_CONTENT_TYPE = "application/json; charset=utf-8";

  private final ObjectMapper mapper;

  ResponseJson(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** Returns {@code {"error": message}}. */
  ObjectNode error(String message) {
    return mapper.createObjectNode().put("error", message);
  }

  /** Returns a response with status {@code status} and body {@code {"error": message}}. */
  FullHttpResponse errorResponse(HttpVersion version, HttpResponseStatus status, String message) {
    return toHttp(version, ApiResponse.json(status, error(message)));
  }

  /** Returns {@code {"status": status}}. */
  ObjectNode status(String status) {
    return mapper.createObjectNode().put("status", status);
  }

  /** Returns the endpoint with its secret, which the client needs to verify signatures. */
  ObjectNode endpoint(Endpoint endpoint) {
    ObjectNode json = mapper.createObjectNode();
    json.put("id", endpoint.id().toString());
    json.put("url", endpoint.url().toString());
    json.put("description", endpoint.description().orElse(null));
    json.put("secret", endpoint.secret());
    json.put("created_at", endpoint.createdAt().toString());
    json.put("disabled", endpoint.disabled());
    json.put("disabled_at", endpoint.disabledAt().map(Object::toString).orElse(null));
    json.put("disabled_reason", endpoint.disabledReason().orElse(null));
    if (endpoint.rateLimit().isPresent()) {
      json.put("rate_limit", endpoint.rateLimit().getAsInt());
    } else {
      json.putNull("rate_limit");
    }
    if (endpoint.eventTypes().isPresent()) {
      endpoint.eventTypes().get().forEach(json.putArray("event_types")::add);
    } else {
      json.putNull("event_types");
    }
    return json;
  }

  /**
   * Returns {@code {"data": [...], "next_cursor": ...}} with each endpoint as {@link #endpoint}
   * returns it but without its secret, so that a listing never spreads every secret at once.
   */
  ObjectNode endpointPage(List<Endpoint> endpoints, String nextCursor) {
    ArrayNode data = mapper.createArrayNode();
    for (Endpoint endpoint : endpoints) {
      ObjectNode json = endpoint(endpoint);
      json.remove("secret");
      data.add(json);
    }
    ObjectNode json = mapper.createObjectNode();
    json.set("data", data);
    json.put("next_cursor", nextCursor);
    return json;
  }

  /**
   * Returns the id, event type, object id, object type and creation time of a stored message, read
   * from its stored body so that a replayed publish reports the first message. The object is left
   * out.
   */
  ObjectNode publishedMessage(PublishedMessage message) {
    JsonNode stored;
    try {
      stored = mapper.readTree(message.body());
    } catch (IOException e) {
      throw new UncheckedIOException("stored body of message " + message.id() + " is not JSON", e);
    }
    ObjectNode json = mapper.createObjectNode();
    json.put("id", message.id().toString());
    json.set("event_type", stored.get("event_type"));
    json.set("object_id", stored.get("object_id"));
    json.set("object_type", stored.get("object_type"));
    json.put("created_at", message.createdAt().toString());
    return json;
  }

  /** Returns {@code {"data": [...]}} with the attempts in the order given. */
  ObjectNode attempts(List<Attempt> attempts) {
    ObjectNode json = mapper.createObjectNode();
    json.set("data", attemptArray(attempts));
    return json;
  }

  /**
   * Returns {@code {"data": [...], "next_cursor": ...}} with the page's attempts, newest first,
   * each with its message id, and {@code null} as the cursor of the last page.
   */
  ObjectNode attemptPage(AttemptPage page) {
    ObjectNode json = mapper.createObjectNode();
    json.set("data", attemptArray(page.attempts()));
    json.put("next_cursor", page.nextCursor().orElse(null));
    return json;
  }

  private ArrayNode attemptArray(List<Attempt> attempts) {
    ArrayNode data = mapper.createArrayNode();
    for (Attempt attempt : attempts) {
      ObjectNode json = data.addObject();
      json.put(
          "endpoint_id", attempt.endpointId() == null ? null : attempt.endpointId().toString());
      json.put("attempt", attempt.attempt());
      json.put("timestamp", attempt.timestamp().toString());
      json.put("status_code", attempt.statusCode());
      json.put("error", attempt.error());
      json.put("duration_ms", attempt.durationMs());
      json.put("response", attempt.response());
      json.put("trigger", attempt.trigger().jsonName());
      json.put("message_id", attempt.messageId().toString());
    }
    return data;
  }

  /** Returns the message and endpoint of a queued replay, whose delivery is now pending. */
  ObjectNode replayQueued(UUID messageId, UUID endpointId) {
    ObjectNode json = mapper.createObjectNode();
    json.put("message_id", messageId.toString());
    json.put("endpoint_id", endpointId.toString());
    json.put("state", "pending");
    return json;
  }

  /** Returns the endpoint, the time and how many deliveries a recovery queued. */
  ObjectNode recoveryQueued(UUID endpointId, Instant since, int queued) {
    ObjectNode json = mapper.createObjectNode();
    json.put("endpoint_id", endpointId.toString());
    json.put("since", since.toString());
    json.put("queued", queued);
    return json;
  }

  /**
   * Encodes a response for Netty: the body as UTF-8 JSON with {@code content-type} {@value
   * #JSON_CONTENT_TYPE} and a {@code content-length}, or no body and, for a 204, no length.
   */
  FullHttpResponse toHttp(HttpVersion version, ApiResponse response) {
    ByteBuf content = Unpooled.EMPTY_BUFFER;
    if (response.text() != null) {
      content = Unpooled.wrappedBuffer(response.text().getBytes(StandardCharsets.UTF_8));
    }
    if (response.body() != null) {
      try {
        content = Unpooled.wrappedBuffer(mapper.writeValueAsBytes(response.body()));
      } catch (IOException e) {
        throw new UncheckedIOException("encoding a response body failed", e);
      }
    }
    FullHttpResponse http = new DefaultFullHttpResponse(version, response.status(), content);
    if (response.body() != null) {
      http.headers().set(HttpHeaderNames.CONTENT_TYPE, JSON_CONTENT_TYPE);
    }
    if (response.status().code() != HttpResponseStatus.NO_CONTENT.code()) {
      HttpUtil.setContentLength(http, content.readableBytes());
    }
    response.headers().forEach((name, value) -> http.headers().set(name, value));
    return http;
  }
}
