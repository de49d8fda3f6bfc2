package io.webhookdispatcher;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * A receiver of webhooks: a URL and the secret that signs every request sent to it.
 *
 * <p>{@link #toString()} masks the secret, so an endpoint can be logged.
 */
public final class Endpoint {
  private final UUID id;
  private final URI url;
  private final String description;
  private final String secret;
  private final Instant createdAt;
  private final Instant disabledAt;
  private final String disabledReason;
  private final Integer rateLimit;
  private final List<String> eventTypes;

  /** Creates an enabled endpoint. */
  public Endpoint(UUID id, URI url, String description, String secret, Instant createdAt) {
    this(id, url, description, secret, createdAt, null, null, null);
  }

  /**
   * Creates an endpoint that is disabled when {@code disabledAt} is set.
   *
   * @param disabledAt when it was disabled, or {@code null} when it is enabled
   * @param disabledReason why it was disabled, or {@code null} when it is enabled
   * @param rateLimit the most requests per second it may receive, or {@code null} for no limit
   */
  public Endpoint(
      UUID id,
      URI url,
      String description,
      String secret,
      Instant createdAt,
      Instant disabledAt,
      String disabledReason,
      Integer rateLimit) {
    this(id, url, description, secret, createdAt, disabledAt, disabledReason, rateLimit, null);
  }

  /**
   * Creates an endpoint that receives only messages of the given event types.
   *
   * @param eventTypes the event types it receives, or {@code null} for every event type
   */
  public Endpoint(
      UUID id,
      URI url,
      String description,
      String secret,
      Instant createdAt,
      Instant disabledAt,
      String disabledReason,
      Integer rateLimit,
      List<String> eventTypes) {
    this.id = Objects.requireNonNull(id, "id");
    this.url = Objects.requireNonNull(url, "url");
    this.description = description;
    this.secret = Objects.requireNonNull(secret, "secret");
    this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
    this.disabledAt = disabledAt;
    this.disabledReason = disabledAt == null ? null : disabledReason;
    this.rateLimit = rateLimit;
    this.eventTypes = eventTypes == null ? null : List.copyOf(eventTypes);
  }

  public UUID id() {
    return id;
  }

  public URI url() {
    return url;
  }

  /** Returns the operator's free-text description, if one was given. */
  public Optional<String> description() {
    return Optional.ofNullable(description);
  }

  /** Returns the signing secret, {@code whsec_} followed by base64: share it only with the receiver. */
  public String secret() {
    return secret;
  }

  public Instant createdAt() {
    return createdAt;
  }

  /**
   * Returns when the endpoint was disabled, because it responded 410 Gone or failed for too long.
   * A disabled endpoint gets each new message as a failed delivery.
   */
  public Optional<Instant> disabledAt() {
    return Optional.ofNullable(disabledAt);
  }

  /** Returns why the endpoint was disabled, such as {@code responded 410 Gone}. */
  public Optional<String> disabledReason() {
    return Optional.ofNullable(disabledReason);
  }

  public boolean disabled() {
    return disabledAt != null;
  }

  /**
   * Returns the most requests per second that this endpoint receives from each dispatcher node,
   * or empty when it has no limit.
   */
  public OptionalInt rateLimit() {
    return rateLimit == null ? OptionalInt.empty() : OptionalInt.of(rateLimit);
  }

  /**
   * Returns the event types that this endpoint receives, sorted, or empty when it receives every
   * event type.
   */
  public Optional<List<String>> eventTypes() {
    return Optional.ofNullable(eventTypes);
  }

  /** Returns a copy that receives the given event types, or every event type for {@code null}. */
  public Endpoint withEventTypes(List<String> eventTypes) {
    return new Endpoint(
        id, url, description, secret, createdAt, disabledAt, disabledReason, rateLimit, eventTypes);
  }

  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof Endpoint)) {
      return false;
    }
    Endpoint that = (Endpoint) other;
    return id.equals(that.id)
        && url.equals(that.url)
        && Objects.equals(description, that.description)
        && secret.equals(that.secret)
        && createdAt.equals(that.createdAt)
        && Objects.equals(disabledAt, that.disabledAt)
        && Objects.equals(disabledReason, that.disabledReason)
        && Objects.equals(rateLimit, that.rateLimit)
        && Objects.equals(eventTypes, that.eventTypes);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "Endpoint[id="
        + id
        + ", url="
        + url
        + ", secret=****, createdAt="
        + createdAt
        + (disabledAt == null ? "" : ", disabledAt=" + disabledAt)
        + "]";
  }
}
