package io.webhookdispatcher.internal;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;

/**
 * The rate limit of one endpoint on this node: at most {@code rateLimit} sends start per second.
 * A delivery that finds no permit goes back to the outbox, due again after {@link #WAIT}.
 */
final class EndpointPace {

  /** How long a held-back delivery waits before it is due again. */
  static final Duration WAIT = Duration.ofMillis(200);

  private final int rateLimit;
  private final RateLimiter limiter;

  EndpointPace(int rateLimit) {
    this.rateLimit = rateLimit;
    this.limiter =
        RateLimiter.of(
            "endpoint",
            RateLimiterConfig.custom()
                .limitForPeriod(rateLimit)
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ZERO)
                .build());
  }

  int rateLimit() {
    return rateLimit;
  }

  /** Takes a permit without waiting; false when this second's permits are used up. */
  boolean tryAcquire() {
    return limiter.acquirePermission();
  }
}
