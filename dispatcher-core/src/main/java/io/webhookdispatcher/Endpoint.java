package io.webhookdispatcher;

import java.net.URI;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
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

  public Endpoint(UUID id, URI url, String description, String secret, Instant createdAt) {
    this.id = Objects.requireNonNull(id, "id");
    this.url = Objects.requireNonNull(url, "url");
    this.description = description;
    this.secret = Objects.requireNonNull(secret, "secret");
    this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
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
        && createdAt.equals(that.createdAt);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "Endpoint[id=" + id + ", url=" + url + ", secret=****, createdAt=" + createdAt + "]";
  }
}
