package io.webhookdispatcher;

import io.webhookdispatcher.netty.AddressFilter;
import io.webhookdispatcher.netty.NettyTransport;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Effective delivery settings of a {@link WebhookDispatcher}, immutable. */
public final class DispatcherSettings {
  /** Default maximum total time of one attempt: 15 seconds. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(15);

  /** Shortest default lease: 60 seconds. */
  public static final Duration MIN_DEFAULT_LEASE = Duration.ofSeconds(60);

  /** Default time between polls of an idle node: 500 milliseconds. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);

  /**
   * Default maximum number of deliveries claimed at once: 200. A cycle's one durable commit is its
   * largest cost, so larger claims carry more deliveries per commit. In DispatchBenchmark on
   * PostgreSQL 15 with 2 cores, 200 drained about 1.4 times faster than 50.
   */
  public static final int DEFAULT_BATCH_SIZE = 200;

  /** Default maximum number of deliveries in flight on one node. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 256;

  /** Default maximum number of deliveries in flight to one endpoint, across all nodes. */
  public static final int DEFAULT_MAX_IN_FLIGHT_PER_ENDPOINT = 16;

  /** Default time that finished messages and their attempts are kept: 30 days. */
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);

  /**
   * Default time after which an endpoint whose every attempt failed is disabled: 5 days. A success
   * restarts the clock.
   */
  public static final Duration DEFAULT_DISABLE_AFTER = Duration.ofDays(5);

  /** Time between two runs of the retention job on one node: 10 minutes. */
  public static final Duration PURGE_INTERVAL = Duration.ofMinutes(10);

  /** Messages deleted per retention transaction, so that no run locks the tables for long. */
  public static final int PURGE_BATCH_SIZE = 500;

  /** Default maximum serialized message size: 262144 bytes (256 KiB). */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024;

  /** Maximum wait between retries while the store is unreachable: 30 seconds. */
  public static final Duration MAX_OUTAGE_BACKOFF = Duration.ofSeconds(30);

  private final RetrySchedule retrySchedule;
  private final Duration requestTimeout;
  private final Duration lease;
  private final Duration pollInterval;
  private final int batchSize;
  private final int maxInFlight;
  private final int maxInFlightPerEndpoint;
  private final Duration retention;
  private final Duration disableAfter;
  private final List<String> allowedRanges;
  private final boolean httpsOnly;
  private final URI proxy;
  private final int maxMessageBytes;
  private final boolean allowPrivateAddresses;
  private final String nodeId;

  private DispatcherSettings(Builder builder, Duration lease, String nodeId) {
    this.retrySchedule = builder.retrySchedule;
    this.requestTimeout = builder.requestTimeout;
    this.lease = lease;
    this.pollInterval = builder.pollInterval;
    this.batchSize = builder.batchSize;
    this.maxInFlight = builder.maxInFlight;
    this.maxInFlightPerEndpoint = builder.maxInFlightPerEndpoint;
    this.retention = builder.retention;
    this.disableAfter = builder.disableAfter;
    this.allowedRanges = builder.allowedRanges;
    this.httpsOnly = builder.httpsOnly;
    this.proxy = builder.proxy;
    this.maxMessageBytes = builder.maxMessageBytes;
    this.allowPrivateAddresses = builder.allowPrivateAddresses;
    this.nodeId = nodeId;
  }

  static Builder builder() {
    return new Builder();
  }

  public RetrySchedule retrySchedule() {
    return retrySchedule;
  }

  public Duration requestTimeout() {
    return requestTimeout;
  }

  public Duration lease() {
    return lease;
  }

  public Duration pollInterval() {
    return pollInterval;
  }

  public int batchSize() {
    return batchSize;
  }

  public int maxInFlight() {
    return maxInFlight;
  }

  public int maxInFlightPerEndpoint() {
    return maxInFlightPerEndpoint;
  }

  public Duration retention() {
    return retention;
  }

  /**
   * Returns how long every attempt to an endpoint must have failed before it is disabled; {@link
   * Duration#ZERO} means endpoints are never disabled for failing.
   */
  public Duration disableAfter() {
    return disableAfter;
  }

  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  public boolean allowPrivateAddresses() {
    return allowPrivateAddresses;
  }

  /** Returns the CIDR ranges that endpoints may use although they are private; empty by default. */
  public List<String> allowedRanges() {
    return allowedRanges;
  }

  /** Returns whether endpoints must use https; {@code false} by default. */
  public boolean httpsOnly() {
    return httpsOnly;
  }

  /** Returns the HTTP CONNECT proxy that webhooks leave through, if one is set. */
  public Optional<URI> proxy() {
    return Optional.ofNullable(proxy);
  }

  public String nodeId() {
    return nodeId;
  }

  @Override
  public String toString() {
    return "retrySchedule="
        + retrySchedule
        + ", requestTimeout="
        + requestTimeout
        + ", lease="
        + lease
        + ", pollInterval="
        + pollInterval
        + ", batchSize="
        + batchSize
        + ", maxInFlight="
        + maxInFlight
        + ", maxInFlightPerEndpoint="
        + maxInFlightPerEndpoint
        + ", retention="
        + retention
        + ", disableAfter="
        + disableAfter
        + ", maxMessageBytes="
        + maxMessageBytes
        + ", allowedRanges="
        + allowedRanges
        + ", httpsOnly="
        + httpsOnly
        + ", proxy="
        + (proxy == null ? "none" : proxy.getScheme() + "://" + proxy.getHost() + ":" + proxy.getPort())
        + ", allowPrivateAddresses="
        + allowPrivateAddresses;
  }

  static final class Builder {
    private RetrySchedule retrySchedule = RetrySchedule.defaults();
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private Duration lease;
    private Duration pollInterval = DEFAULT_POLL_INTERVAL;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
    private int maxInFlightPerEndpoint = DEFAULT_MAX_IN_FLIGHT_PER_ENDPOINT;
    private Duration retention = DEFAULT_RETENTION;
    private Duration disableAfter = DEFAULT_DISABLE_AFTER;
    private List<String> allowedRanges = List.of();
    private boolean httpsOnly;
    private URI proxy;
    private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
    private boolean allowPrivateAddresses;
    private String nodeId;

    void retrySchedule(RetrySchedule retrySchedule) {
      this.retrySchedule = Objects.requireNonNull(retrySchedule, "retrySchedule");
    }

    void requestTimeout(Duration requestTimeout) {
      this.requestTimeout = positive("requestTimeout", requestTimeout);
    }

    void lease(Duration lease) {
      this.lease = positive("lease", lease);
    }

    void pollInterval(Duration pollInterval) {
      this.pollInterval = positive("pollInterval", pollInterval);
    }

    void batchSize(int batchSize) {
      this.batchSize = atLeastOne("batchSize", batchSize);
    }

    void maxInFlight(int maxInFlight) {
      this.maxInFlight = atLeastOne("maxInFlight", maxInFlight);
    }

    void maxInFlightPerEndpoint(int maxInFlightPerEndpoint) {
      this.maxInFlightPerEndpoint = atLeastOne("maxInFlightPerEndpoint", maxInFlightPerEndpoint);
    }

    void retention(Duration retention) {
      this.retention = positive("retention", retention);
    }

    void disableAfter(Duration disableAfter) {
      Objects.requireNonNull(disableAfter, "disableAfter");
      if (disableAfter.isNegative()) {
        throw new IllegalArgumentException(
            "disableAfter must not be negative, got " + disableAfter + "; use 0 to never disable");
      }
      this.disableAfter = disableAfter;
    }

    void maxMessageBytes(int maxMessageBytes) {
      this.maxMessageBytes = atLeastOne("maxMessageBytes", maxMessageBytes);
    }

    void allowedRanges(List<String> allowedRanges) {
      AddressFilter.denyPrivateExcept(allowedRanges);
      this.allowedRanges = List.copyOf(allowedRanges);
    }

    void httpsOnly(boolean httpsOnly) {
      this.httpsOnly = httpsOnly;
    }

    void proxy(URI proxy) {
      NettyTransport.builder().proxy(proxy);
      this.proxy = proxy;
    }

    void allowPrivateAddresses(boolean allowPrivateAddresses) {
      this.allowPrivateAddresses = allowPrivateAddresses;
    }

    void nodeId(String nodeId) {
      if (nodeId == null || nodeId.isBlank() || nodeId.length() > 128) {
        throw new IllegalArgumentException(
            "nodeId must be 1 to 128 characters and not blank, got '" + nodeId + "'");
      }
      this.nodeId = nodeId;
    }

    DispatcherSettings build() {
      Duration effectiveLease = lease;
      if (effectiveLease == null) {
        // An attempt may wait up to one request timeout for a pooled connection and then take one
        // more. The third leaves room to record the result before another node may claim it.
        Duration thrice = requestTimeout.multipliedBy(3);
        effectiveLease = thrice.compareTo(MIN_DEFAULT_LEASE) > 0 ? thrice : MIN_DEFAULT_LEASE;
      }
      if (effectiveLease.compareTo(requestTimeout) <= 0) {
        throw new IllegalStateException(
            "lease "
                + effectiveLease
                + " must be longer than requestTimeout "
                + requestTimeout
                + ", or another node could send the same delivery while this one still waits");
      }
      String effectiveNodeId = nodeId != null ? nodeId : WebhookDispatcher.defaultNodeId();
      return new DispatcherSettings(this, effectiveLease, effectiveNodeId);
    }

    private static Duration positive(String name, Duration value) {
      if (value == null || value.isZero() || value.isNegative()) {
        throw new IllegalArgumentException(name + " must be a positive duration, got " + value);
      }
      return value;
    }

    private static int atLeastOne(String name, int value) {
      if (value < 1) {
        throw new IllegalArgumentException(name + " must be at least 1, got " + value);
      }
      return value;
    }
  }
}
