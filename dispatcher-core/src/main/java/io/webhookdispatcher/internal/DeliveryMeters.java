package io.webhookdispatcher.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.webhookdispatcher.spi.DeliveryOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/** Micrometer meters of the delivery engine, all named {@code webhooks.*}. */
final class DeliveryMeters {
  private final MeterRegistry registry;
  private final Timer attemptDuration;
  private final Timer deliveryLatency;
  private final ConcurrentMap<String, Counter> attempts = new ConcurrentHashMap<>();

  DeliveryMeters(MeterRegistry registry, Supplier<Number> inFlight) {
    this.registry = registry;
    this.attemptDuration =
        Timer.builder("webhooks.attempt.duration")
            .description("Time from the start of an attempt to its outcome")
            .register(registry);
    this.deliveryLatency =
        Timer.builder("webhooks.delivery.latency")
            .description("Time from the publish of a message to its delivery to an endpoint")
            .register(registry);
    // A gauge references its object weakly by default, and nothing else keeps this supplier, so
    // the gauge would report NaN after a garbage collection.
    Gauge.builder("webhooks.deliveries.in_flight", inFlight, supplier -> supplier.get().doubleValue())
        .strongReference(true)
        .register(registry);
  }

  /**
   * Records the time from publish to delivery. The publish time comes from the store's clock, so a
   * dispatcher clock behind it would give a negative time, which counts as zero.
   */
  void recordDelivered(Instant publishedAt, Instant deliveredAt) {
    if (publishedAt == null) {
      return;
    }
    Duration latency = Duration.between(publishedAt, deliveredAt);
    deliveryLatency.record(latency.isNegative() ? Duration.ZERO : latency);
  }

  void recordAttempt(DeliveryOutcome outcome) {
    attemptDuration.record(outcome.duration());
    String result = outcome.successful() ? "success" : "failure";
    String statusClass = outcome.statusCode() == 0 ? "none" : (outcome.statusCode() / 100) + "xx";
    attempts
        .computeIfAbsent(
            result + statusClass,
            key ->
                Counter.builder("webhooks.attempts")
                    .description("Delivery attempts by outcome and HTTP status class")
                    .tag("outcome", result)
                    .tag("status_class", statusClass)
                    .register(registry))
        .increment();
  }
}
