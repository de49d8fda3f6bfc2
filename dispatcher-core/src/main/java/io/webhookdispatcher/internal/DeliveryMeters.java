package io.webhookdispatcher.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.webhookdispatcher.spi.DeliveryOutcome;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/** Micrometer meters of the delivery engine, all named {@code webhooks.*}. */
final class DeliveryMeters {
  private final MeterRegistry registry;
  private final Timer attemptDuration;
  private final ConcurrentMap<String, Counter> attempts = new ConcurrentHashMap<>();

  DeliveryMeters(MeterRegistry registry, Supplier<Number> inFlight) {
    this.registry = registry;
    this.attemptDuration =
        Timer.builder("webhooks.attempt.duration")
            .description("Time from the start of an attempt to its outcome")
            .register(registry);
    registry.gauge("webhooks.deliveries.in_flight", inFlight, supplier -> supplier.get().doubleValue());
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
