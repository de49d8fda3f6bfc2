package io.webhookdispatcher.svix;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.webhookdispatcher.Endpoint;
import io.webhookdispatcher.EndpointUpdate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The request bodies that the adapter sends and the parts of Svix's responses that it reads, with
 * the field names of the Svix API: {@code ApplicationIn}, {@code EndpointIn}, {@code EndpointPatch},
 * {@code EndpointSecretRotateIn}, {@code MessageIn},
 * {@code EndpointOut}, {@code EndpointSecretOut}, the attempt list and the error bodies.
 */
final class SvixJson {
  private static final int MAX_ERROR_TEXT = 500;

  private final ObjectMapper mapper = new ObjectMapper();

  /** Returns an {@code ApplicationIn}: the application's name and uid. */
  byte[] applicationIn(String uid, String name) {
    ObjectNode json = mapper.createObjectNode();
    json.put("name", name);
    json.put("uid", uid);
    return write(json);
  }

  /**
   * Returns an {@code EndpointIn} with our id as the uid, our secret, and our rate limit as the
   * throttle rate.
   */
  byte[] endpointIn(Endpoint endpoint) {
    ObjectNode json = mapper.createObjectNode();
    json.put("uid", endpoint.id().toString());
    json.put("url", endpoint.url().toString());
    json.put("description", endpoint.description().orElse(""));
    json.put("secret", endpoint.secret());
    endpoint.rateLimit().ifPresent(rate -> json.put("throttleRate", rate));
    endpoint.eventTypes().ifPresent(types -> types.forEach(json.putArray("eventTypes")::add));
    return write(json);
  }

  /**
   * Returns an {@code EndpointPatch} with the fields that the update sets: a removed description
   * as the empty string, and every event type or no rate limit as {@code null}.
   */
  byte[] endpointPatch(EndpointUpdate update) {
    ObjectNode json = mapper.createObjectNode();
    if (update.setsUrl()) {
      json.put("url", update.url());
    }
    if (update.setsDescription()) {
      json.put("description", update.description() == null ? "" : update.description());
    }
    if (update.setsEventTypes()) {
      if (update.eventTypes() == null) {
        json.putNull("eventTypes");
      } else {
        update.eventTypes().forEach(json.putArray("eventTypes")::add);
      }
    }
    if (update.setsRateLimit()) {
      json.put("throttleRate", update.rateLimit());
    }
    if (update.disabled() != null) {
      json.put("disabled", update.disabled());
    }
    return write(json);
  }

  /** Returns an {@code EndpointSecretRotateIn} with our new secret and the grace period. */
  byte[] endpointSecretRotateIn(String secret, Duration gracePeriod) {
    ObjectNode json = mapper.createObjectNode();
    json.put("key", secret);
    json.put("gracePeriodSeconds", gracePeriod.toSeconds());
    return write(json);
  }

  /**
   * Returns a {@code MessageIn} whose payload is our stored message, copied byte for byte so that
   * numbers keep their exact form, and whose event id is our message id.
   */
  byte[] messageIn(UUID messageId, String eventType, byte[] message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + 128);
    try (JsonGenerator json = mapper.getFactory().createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("eventType", eventType);
      json.writeStringField("eventId", messageId.toString());
      json.writeFieldName("payload");
      json.writeRawValue(new String(message, StandardCharsets.UTF_8));
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  JsonNode read(byte[] body) throws IOException {
    return mapper.readTree(body);
  }

  /**
   * Returns Svix's error body in one line: {@code code: detail} of an {@code HttpErrorOut}, or each
   * {@code loc: msg} of a validation error, or the raw text when it is neither.
   */
  String describeError(byte[] body) {
    if (body.length == 0) {
      return "no error body";
    }
    try {
      JsonNode json = mapper.readTree(body);
      JsonNode detail = json.path("detail");
      if (detail.isArray()) {
        List<String> problems = new ArrayList<>();
        for (ValidationProblem problem : validationProblems(json)) {
          problems.add(problem.field() + ": " + problem.message());
        }
        return abbreviate("invalid request: " + String.join("; ", problems));
      }
      if (json.hasNonNull("code") || detail.isTextual()) {
        return abbreviate(json.path("code").asText("error") + ": " + detail.asText(""));
      }
    } catch (IOException e) {
      // Not JSON: fall through to the raw text.
    }
    return abbreviate(new String(body, StandardCharsets.UTF_8));
  }

  /** Returns the problems of a 422 body, each with its field: the last part of its location. */
  List<ValidationProblem> validationProblems(JsonNode json) {
    List<ValidationProblem> problems = new ArrayList<>();
    for (JsonNode item : json.path("detail")) {
      JsonNode location = item.path("loc");
      String field =
          location.isArray() && location.size() > 0
              ? location.get(location.size() - 1).asText()
              : "body";
      problems.add(new ValidationProblem(field, item.path("msg").asText("invalid value")));
    }
    return problems;
  }

  private byte[] write(JsonNode json) {
    try {
      return mapper.writeValueAsBytes(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String abbreviate(String text) {
    String line = text.replaceAll("\\s+", " ").trim();
    return line.length() <= MAX_ERROR_TEXT ? line : line.substring(0, MAX_ERROR_TEXT) + "...";
  }

  /** One entry of a Svix validation error: the field and what is wrong with it. */
  record ValidationProblem(String field, String message) {}
}
