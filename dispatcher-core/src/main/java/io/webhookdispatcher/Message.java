package io.webhookdispatcher;

import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A webhook message as the host publishes it: an event about one object, carrying the full object.
 *
 * <p>Its JSON form, which is what receivers get, has exactly four fields: {@code event_type},
 * {@code object_id}, {@code object_type} and {@code object}. The {@code object} may be any value
 * that Jackson serializes to a JSON object: a {@link com.fasterxml.jackson.databind.JsonNode}, a
 * {@code Map} or a bean.
 */
public final class Message {
  /** Pattern that every event type matches, such as {@code payment.created}. */
  public static final Pattern EVENT_TYPE_PATTERN = Pattern.compile("^[a-zA-Z0-9_.-]{1,256}$");

  /** Maximum length of {@link #objectType()}, in characters. */
  public static final int MAX_OBJECT_TYPE_LENGTH = 256;

  private final String eventType;
  private final UUID objectId;
  private final String objectType;
  private final Object object;

  private Message(String eventType, UUID objectId, String objectType, Object object) {
    this.eventType = eventType;
    this.objectId = objectId;
    this.objectType = objectType;
    this.object = object;
  }

  /**
   * Creates a message after checking every field.
   *
   * @throws InvalidInputException naming the first field that is missing or invalid
   */
  public static Message of(String eventType, UUID objectId, String objectType, Object object) {
    if (eventType == null) {
      throw new InvalidInputException("event_type", "event_type is missing");
    }
    if (!EVENT_TYPE_PATTERN.matcher(eventType).matches()) {
      throw new InvalidInputException(
          "event_type",
          "event_type '"
              + Texts.abbreviate(eventType)
              + "' is invalid: it must match "
              + EVENT_TYPE_PATTERN.pattern());
    }
    if (objectId == null) {
      throw new InvalidInputException("object_id", "object_id is missing");
    }
    if (objectType == null || objectType.isBlank()) {
      throw new InvalidInputException("object_type", "object_type is missing or blank");
    }
    if (objectType.length() > MAX_OBJECT_TYPE_LENGTH || Texts.hasControlCharacter(objectType)) {
      throw new InvalidInputException(
          "object_type",
          "object_type '"
              + Texts.abbreviate(objectType)
              + "' is invalid: it must be at most "
              + MAX_OBJECT_TYPE_LENGTH
              + " characters without control characters");
    }
    if (object == null) {
      throw new InvalidInputException("object", "object is missing");
    }
    return new Message(eventType, objectId, objectType, object);
  }

  /** Returns the event type, such as {@code payment.created}. */
  public String eventType() {
    return eventType;
  }

  /** Returns the id of the object that the event is about. */
  public UUID objectId() {
    return objectId;
  }

  /** Returns the type of the object, such as {@code Payment}. */
  public String objectType() {
    return objectType;
  }

  /** Returns the object as the host gave it, before serialization. */
  public Object object() {
    return object;
  }

  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof Message)) {
      return false;
    }
    Message that = (Message) other;
    return eventType.equals(that.eventType)
        && objectId.equals(that.objectId)
        && objectType.equals(that.objectType)
        && object.equals(that.object);
  }

  @Override
  public int hashCode() {
    return Objects.hash(eventType, objectId, objectType, object);
  }

  /** Returns the event type, object type and object id; never the object, which may be personal data. */
  @Override
  public String toString() {
    return "Message[eventType="
        + eventType
        + ", objectType="
        + objectType
        + ", objectId="
        + objectId
        + "]";
  }
}
