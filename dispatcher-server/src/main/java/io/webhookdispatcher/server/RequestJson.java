package io.webhookdispatcher.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reads request bodies and path parameters, rejecting each problem with a 400 {@link ApiException}
 * that names the field.
 */
final class RequestJson {
  /** A UUID in its canonical 8-4-4-4-12 hexadecimal form, the only form the API accepts. */
  private static final Pattern UUID_TEXT =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  /** Characters of a rejected value quoted in an error message. */
  private static final int MAX_QUOTED_LENGTH = 80;

  private final ObjectMapper mapper;

  RequestJson(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * Creates the mapper for request and message JSON. It reads every decimal as a {@link
   * java.math.BigDecimal} and keeps its trailing zeros, so that an amount such as {@code 10.10} is
   * stored and delivered as written. It rejects duplicate field names and content after the value,
   * and writes characters outside the Basic Multilingual Plane, such as emoji, as UTF-8 rather than
   * as escaped surrogate pairs.
   */
  static ObjectMapper newMapper() {
    return JsonMapper.builder()
        .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
  }

  /** Parses a request body that must be one JSON object. */
  ObjectNode parseObject(byte[] body) {
    JsonNode node;
    try {
      node = mapper.readTree(body);
    } catch (JacksonException e) {
      throw ApiException.badRequest("request body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiException.badRequest("request body could not be read: " + e.getMessage());
    }
    if (node == null || node.isMissingNode()) {
      throw ApiException.badRequest("request body is empty: send a JSON object");
    }
    if (!node.isObject()) {
      throw ApiException.badRequest("request body must be a JSON object, got " + typeName(node));
    }
    return (ObjectNode) node;
  }

  /**
   * Parses a JSON resource of the server's own, such as its OpenAPI description.
   *
   * @throws IllegalStateException when the resource is missing or not JSON, a packaging error
   */
  JsonNode parseResource(String name) {
    try (InputStream in = RequestJson.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + " is missing from the server jar");
      }
      return mapper.readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException("resource " + name + " is not valid JSON", e);
    }
  }

  /** Rejects the first field of {@code body} that is not in {@code allowed}. */
  static void rejectUnknownFields(ObjectNode body, Set<String> allowed) {
    Iterator<String> names = body.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw ApiException.badRequest(
            "unknown field '"
                + quote(name)
                + "': the allowed fields are "
                + String.join(", ", allowed));
      }
    }
  }

  /** Returns a field that must be present and a string. */
  static String requiredString(ObjectNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null) {
      throw ApiException.badRequest(field + " is missing");
    }
    if (!value.isTextual()) {
      throw ApiException.badRequest(field + " must be a string, got " + typeName(value));
    }
    return value.textValue();
  }

  /** Returns a field that may be absent or {@code null}, and otherwise must be a string. */
  static String optionalString(ObjectNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw ApiException.badRequest(field + " must be a string or null, got " + typeName(value));
    }
    return value.textValue();
  }

  /** Returns a field that may be absent or {@code null}, and otherwise must be a whole number. */
  static Integer optionalInt(ObjectNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isIntegralNumber()) {
      throw ApiException.badRequest(
          field + " must be a whole number or null, got " + describeNumber(value));
    }
    if (!value.canConvertToInt()) {
      throw ApiException.badRequest(
          field + " " + quote(value.asText()) + " is out of range for a whole number");
    }
    return value.intValue();
  }

  /**
   * Returns a field that may be absent or {@code null}, and otherwise must be an array of strings.
   */
  static List<String> optionalStringList(ObjectNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isArray()) {
      throw ApiException.badRequest(
          field + " must be an array of strings or null, got " + typeName(value));
    }
    List<String> strings = new ArrayList<>(value.size());
    for (int i = 0; i < value.size(); i++) {
      JsonNode item = value.get(i);
      if (!item.isTextual()) {
        throw ApiException.badRequest(
            field + "[" + i + "] must be a string, got " + describeValue(item));
      }
      strings.add(item.textValue());
    }
    return strings;
  }

  /** Returns a field that must be present and {@code true} or {@code false}. */
  static boolean requiredBoolean(ObjectNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null) {
      throw ApiException.badRequest(field + " is missing");
    }
    if (!value.isBoolean()) {
      throw ApiException.badRequest(
          field + " must be true or false, got " + describeValue(value));
    }
    return value.booleanValue();
  }

  /** Returns a JSON value as written for a scalar, such as {@code "yes"}, else its type. */
  private static String describeValue(JsonNode value) {
    if (value.isTextual()) {
      return "'" + quote(value.textValue()) + "'";
    }
    return value.isValueNode() && !value.isNull() ? value.asText() : typeName(value);
  }

  private static String describeNumber(JsonNode value) {
    return value.isNumber() ? value.asText() : typeName(value);
  }

  /** Returns a field that must be a UUID string. */
  static UUID requiredUuid(ObjectNode body, String field) {
    String text = requiredString(body, field);
    if (!UUID_TEXT.matcher(text).matches()) {
      throw ApiException.badRequest(
          field + " '" + quote(text) + "' is not a UUID: write it as 8-4-4-4-12 hex digits");
    }
    return UUID.fromString(text);
  }

  /**
   * Returns a field that must be an ISO-8601 time with an offset, such as {@code
   * 2026-12-01T00:00:00Z}.
   */
  static Instant requiredInstant(ObjectNode body, String field) {
    String text = requiredString(body, field);
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(
          field
              + " '"
              + quote(text)
              + "' is not a valid time: write it in ISO-8601 with an offset, such as"
              + " 2026-12-01T00:00:00Z");
    }
  }

  /**
   * Returns the one value of each query parameter, rejecting a parameter that is not in {@code
   * allowed} or that is given more than once.
   */
  static Map<String, String> singleQueryValues(
      Map<String, List<String>> parameters, Set<String> allowed) {
    Map<String, String> values = new LinkedHashMap<>();
    parameters.forEach(
        (name, given) -> {
          if (!allowed.contains(name)) {
            throw ApiException.badRequest(
                "unknown query parameter '"
                    + quote(name)
                    + "': the allowed parameters are "
                    + String.join(", ", allowed));
          }
          if (given.size() != 1) {
            throw ApiException.badRequest(
                "query parameter " + name + " is given " + given.size() + " times: give it once");
          }
          values.put(name, given.get(0));
        });
    return values;
  }

  /** Parses a query parameter that must be a whole number. */
  static int queryInt(String name, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(
          name + " '" + quote(value) + "' is not a whole number: pass a number such as 50");
    }
  }

  /** Returns a field that must be a JSON object. */
  static ObjectNode requiredObject(ObjectNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null) {
      throw ApiException.badRequest(field + " is missing");
    }
    if (!value.isObject()) {
      throw ApiException.badRequest(field + " must be a JSON object, got " + typeName(value));
    }
    return (ObjectNode) value;
  }

  /** Parses an id taken from the path, rejecting anything but a canonical UUID. */
  static UUID pathUuid(String name, String value) {
    if (!UUID_TEXT.matcher(value).matches()) {
      throw ApiException.badRequest(
          name
              + " '"
              + quote(value)
              + "' in the path is not a UUID: use an id that the API returned");
    }
    return UUID.fromString(value);
  }

  /**
   * Returns the JSON type of a value as a lowercase word, such as {@code array} or {@code null}.
   */
  static String typeName(JsonNode node) {
    return node.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  /** Shortens a rejected value and escapes control characters so that an error stays readable. */
  static String quote(String value) {
    String shortened =
        value.length() <= MAX_QUOTED_LENGTH ? value : value.substring(0, MAX_QUOTED_LENGTH) + "...";
    StringBuilder escaped = new StringBuilder(shortened.length());
    for (int i = 0; i < shortened.length(); i++) {
      char c = shortened.charAt(i);
      if (Character.isISOControl(c)) {
        escaped.append(String.format("\\u%04x", (int) c));
      } else {
        escaped.append(c);
      }
    }
    return escaped.toString();
  }
}
