package io.webhookdispatcher.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.webhookdispatcher.InvalidInputException;
import io.webhookdispatcher.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Serializes a message once, at publish, into the bytes that are stored, signed and sent. */
public final class MessageCodec {
  private final ObjectMapper mapper;

  public MessageCodec(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * Serializes the four message fields in a fixed order.
   *
   * @throws InvalidInputException when the object does not serialize to a JSON object
   */
  public byte[] serialize(Message message) {
    byte[] object = serializeObject(message.object());
    ByteArrayOutputStream out = new ByteArrayOutputStream(object.length + 160);
    try (JsonGenerator generator = mapper.getFactory().createGenerator(out)) {
      generator.writeStartObject();
      generator.writeStringField("event_type", message.eventType());
      generator.writeStringField("object_id", message.objectId().toString());
      generator.writeStringField("object_type", message.objectType());
      generator.writeFieldName("object");
      generator.writeRawValue(new String(object, StandardCharsets.UTF_8));
      generator.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("Writing JSON to memory failed", e);
    }
    return out.toByteArray();
  }

  /**
   * Serializes the object straight to bytes, without a tree in between, because a tree would drop
   * the trailing zeros of decimals such as {@code 1999.90}.
   */
  private byte[] serializeObject(Object object) {
    byte[] json;
    try {
      json = mapper.writeValueAsBytes(object);
    } catch (JsonProcessingException e) {
      throw new InvalidInputException(
          "object",
          "object of type "
              + object.getClass().getName()
              + " cannot be serialized to JSON: "
              + e.getOriginalMessage());
    }
    int first = 0;
    while (first < json.length && Character.isWhitespace(json[first])) {
      first++;
    }
    if (first == json.length || json[first] != '{') {
      throw new InvalidInputException(
          "object", "object must be a JSON object, got " + describe(json, first));
    }
    return json;
  }

  private static String describe(byte[] json, int first) {
    if (first == json.length) {
      return "nothing";
    }
    switch (json[first]) {
      case '[':
        return "array";
      case '"':
        return "string";
      case 'n':
        return "null";
      case 't':
      case 'f':
        return "boolean";
      default:
        return "number";
    }
  }
}
