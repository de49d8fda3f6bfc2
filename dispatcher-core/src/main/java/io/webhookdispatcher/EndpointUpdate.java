package io.webhookdispatcher;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The changes to apply to an endpoint: each field is either left as it is or set, possibly to
 * {@code null}. Build one with {@link #builder()} and pass it to {@link
 * WebhookDispatcher#updateEndpoint}; the dispatcher checks the values.
 */
public final class EndpointUpdate {
  private final String url;
  private final boolean setsUrl;
  private final String description;
  private final boolean setsDescription;
  private final List<String> eventTypes;
  private final boolean setsEventTypes;
  private final Integer rateLimit;
  private final boolean setsRateLimit;
  private final Boolean disabled;

  private EndpointUpdate(Builder builder) {
    this.url = builder.url;
    this.setsUrl = builder.setsUrl;
    this.description = builder.description;
    this.setsDescription = builder.setsDescription;
    this.eventTypes =
        builder.eventTypes == null
            ? null
            : Collections.unmodifiableList(new ArrayList<>(builder.eventTypes));
    this.setsEventTypes = builder.setsEventTypes;
    this.rateLimit = builder.rateLimit;
    this.setsRateLimit = builder.setsRateLimit;
    this.disabled = builder.disabled;
  }

  /** Returns a builder that changes nothing until a setter is called. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder with the same changes, to adjust. */
  public Builder toBuilder() {
    Builder builder = new Builder();
    builder.url = url;
    builder.setsUrl = setsUrl;
    builder.description = description;
    builder.setsDescription = setsDescription;
    builder.eventTypes = eventTypes;
    builder.setsEventTypes = setsEventTypes;
    builder.rateLimit = rateLimit;
    builder.setsRateLimit = setsRateLimit;
    builder.disabled = disabled;
    return builder;
  }

  public boolean setsUrl() {
    return setsUrl;
  }

  /** Returns the new URL; meaningful when {@link #setsUrl()}. */
  public String url() {
    return url;
  }

  public boolean setsDescription() {
    return setsDescription;
  }

  /** Returns the new description, {@code null} to remove it; meaningful when {@link #setsDescription()}. */
  public String description() {
    return description;
  }

  public boolean setsEventTypes() {
    return setsEventTypes;
  }

  /**
   * Returns the new event types, {@code null} for every event type; meaningful when {@link
   * #setsEventTypes()}.
   */
  public List<String> eventTypes() {
    return eventTypes;
  }

  public boolean setsRateLimit() {
    return setsRateLimit;
  }

  /** Returns the new rate limit, {@code null} for none; meaningful when {@link #setsRateLimit()}. */
  public Integer rateLimit() {
    return rateLimit;
  }

  /**
   * Returns {@code true} to disable the endpoint, {@code false} to enable it again, or {@code
   * null} to leave it as it is.
   */
  public Boolean disabled() {
    return disabled;
  }

  /** Returns whether the update changes nothing. */
  public boolean isEmpty() {
    return !setsUrl && !setsDescription && !setsEventTypes && !setsRateLimit && disabled == null;
  }

  /** Returns the names of the fields that the update sets, never their values. */
  @Override
  public String toString() {
    List<String> fields = new ArrayList<>();
    if (setsUrl) {
      fields.add("url");
    }
    if (setsDescription) {
      fields.add("description");
    }
    if (setsEventTypes) {
      fields.add("event_types");
    }
    if (setsRateLimit) {
      fields.add("rate_limit");
    }
    if (disabled != null) {
      fields.add("disabled");
    }
    return "EndpointUpdate" + fields;
  }

  /** Builder of {@link EndpointUpdate}; a field that no setter was called for stays unchanged. */
  public static final class Builder {
    private String url;
    private boolean setsUrl;
    private String description;
    private boolean setsDescription;
    private List<String> eventTypes;
    private boolean setsEventTypes;
    private Integer rateLimit;
    private boolean setsRateLimit;
    private Boolean disabled;

    private Builder() {}

    /** Sets a new URL, checked like the URL of a new endpoint. */
    public Builder url(String url) {
      this.url = Objects.requireNonNull(url, "url");
      this.setsUrl = true;
      return this;
    }

    /** Sets a new description, or removes it with {@code null}. */
    public Builder description(String description) {
      this.description = description;
      this.setsDescription = true;
      return this;
    }

    /** Sets the event types that the endpoint receives, or every event type with {@code null}. */
    public Builder eventTypes(List<String> eventTypes) {
      this.eventTypes = eventTypes;
      this.setsEventTypes = true;
      return this;
    }

    /** Sets the maximum requests per second, or removes the limit with {@code null}. */
    public Builder rateLimit(Integer rateLimit) {
      this.rateLimit = rateLimit;
      this.setsRateLimit = true;
      return this;
    }

    /**
     * Disables the endpoint by hand with {@code true}, or enables a disabled endpoint again with
     * {@code false}, which also clears its failure clock.
     */
    public Builder disabled(boolean disabled) {
      this.disabled = disabled;
      return this;
    }

    public EndpointUpdate build() {
      return new EndpointUpdate(this);
    }
  }
}
