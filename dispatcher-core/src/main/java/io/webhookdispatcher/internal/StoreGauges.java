package io.webhookdispatcher.internal;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.webhookdispatcher.spi.Backlog;
import io.webhookdispatcher.spi.EndpointStore;
import io.webhookdispatcher.spi.OutboxStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges read from the store: pending deliveries, the age of the oldest due delivery and disabled
 * endpoints. A scrape reads the store only when the last read is older than {@link
 * #REFRESH_INTERVAL}, so frequent scrapes cost the database two small queries every few seconds.
 * A gauge whose read fails reports NaN until a read succeeds.
 */
public final class StoreGauges {
  private static final Logger LOG = LoggerFactory.getLogger(StoreGauges.class);

  /** Minimum time between two reads of the store: 5 seconds. */
  public static final Duration REFRESH_INTERVAL = Duration.ofSeconds(5);

  private final OutboxStore outbox;
  private final EndpointStore endpoints;
  private final Clock clock;
  private long readAt;
  private boolean read;
  private double pending = Double.NaN;
  private double oldestDueAgeSeconds = Double.NaN;
  private double disabledEndpoints = Double.NaN;

  private StoreGauges(OutboxStore outbox, EndpointStore endpoints, Clock clock) {
    this.outbox = outbox;
    this.endpoints = endpoints;
    this.clock = clock;
  }

  /**
   * Registers the gauges. They hold the returned object strongly, because Micrometer gauges hold
   * their object weakly by default and would report NaN once it is collected.
   */
  public static StoreGauges register(
      MeterRegistry registry, OutboxStore outbox, EndpointStore endpoints, Clock clock) {
    StoreGauges gauges = new StoreGauges(outbox, endpoints, clock);
    Gauge.builder("webhooks.deliveries.pending", gauges, StoreGauges::pending)
        .description("Deliveries waiting for an attempt, due or not, on every node")
        .strongReference(true)
        .register(registry);
    Gauge.builder("webhooks.deliveries.oldest_due.age", gauges, StoreGauges::oldestDueAgeSeconds)
        .description("Time since the oldest pending delivery became due; 0 when none is due")
        .baseUnit("seconds")
        .strongReference(true)
        .register(registry);
    Gauge.builder("webhooks.endpoints.disabled", gauges, StoreGauges::disabledEndpoints)
        .description("Endpoints that are disabled and not deleted")
        .strongReference(true)
        .register(registry);
    return gauges;
  }

  synchronized double pending() {
    refreshIfStale();
    return pending;
  }

  synchronized double oldestDueAgeSeconds() {
    refreshIfStale();
    return oldestDueAgeSeconds;
  }

  synchronized double disabledEndpoints() {
    refreshIfStale();
    return disabledEndpoints;
  }

  private void refreshIfStale() {
    long now = System.nanoTime();
    if (read && now - readAt < REFRESH_INTERVAL.toNanos()) {
      return;
    }
    read = true;
    readAt = now;
    try {
      Backlog backlog = outbox.backlog();
      pending = backlog.pending();
      oldestDueAgeSeconds = backlog.oldestDue().map(this::secondsSince).orElse(0.0);
    } catch (RuntimeException e) {
      pending = Double.NaN;
      oldestDueAgeSeconds = Double.NaN;
      LOG.debug("Delivery backlog could not be read for the gauges", e);
    }
    try {
      disabledEndpoints = endpoints.countDisabled();
    } catch (RuntimeException e) {
      disabledEndpoints = Double.NaN;
      LOG.debug("Disabled endpoints could not be counted for the gauges", e);
    }
  }

  /** Returns the seconds from a due time to now, or 0 for a due time still ahead. */
  private double secondsSince(Instant dueAt) {
    Duration age = Duration.between(dueAt, clock.instant());
    return age.isNegative() ? 0.0 : age.toNanos() / 1e9;
  }
}
