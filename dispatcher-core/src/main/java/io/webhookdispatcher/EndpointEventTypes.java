package io.webhookdispatcher;

import java.util.List;
import java.util.TreeSet;

/** Checks the event types that an endpoint subscribes to. */
final class EndpointEventTypes {
  private static final String FIELD = "event_types";

  private EndpointEventTypes() {}

  /**
   * Checks each event type with the rule of message event types and returns them sorted, each once:
   * duplicates are collapsed rather than rejected.
   *
   * @param eventTypes the event types, or {@code null} for every event type
   * @param max the maximum number of distinct event types
   * @return the distinct event types in ascending order, or {@code null} when {@code eventTypes} is
   *     {@code null}
   * @throws InvalidInputException naming {@code event_types} and the rejected entry
   */
  static List<String> check(List<String> eventTypes, int max) {
    if (eventTypes == null) {
      return null;
    }
    if (eventTypes.isEmpty()) {
      throw new InvalidInputException(
          FIELD,
          "event_types is an empty list, which would match no message: list at least one event"
              + " type, or set it to null for every event type");
    }
    TreeSet<String> distinct = new TreeSet<>();
    for (int i = 0; i < eventTypes.size(); i++) {
      String eventType = eventTypes.get(i);
      if (eventType == null) {
        throw new InvalidInputException(
            FIELD, "event_types[" + i + "] is null: each entry must be an event type");
      }
      if (!Message.EVENT_TYPE_PATTERN.matcher(eventType).matches()) {
        throw new InvalidInputException(
            FIELD,
            "event_types["
                + i
                + "] '"
                + Texts.abbreviate(eventType)
                + "' is invalid: it must match "
                + Message.EVENT_TYPE_PATTERN.pattern());
      }
      distinct.add(eventType);
    }
    if (distinct.size() > max) {
      throw new InvalidInputException(
          FIELD,
          "event_types lists "
              + distinct.size()
              + " distinct event types, over the maximum of "
              + max
              + ": set it to null to receive every event type");
    }
    return List.copyOf(distinct);
  }
}
