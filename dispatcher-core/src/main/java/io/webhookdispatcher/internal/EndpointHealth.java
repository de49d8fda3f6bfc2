package io.webhookdispatcher.internal;

import java.time.Duration;

/**
 * The rules that disable an endpoint: a 410 Gone response, or failed attempts for {@link
 * #disableAfter()} without a success in between.
 *
 * @param enabled whether endpoints are disabled at all; off when a delivery service such as Svix
 *     keeps the endpoints, since it judges their health itself
 * @param disableAfter how long an endpoint must fail before it is disabled; zero for never
 */
public record EndpointHealth(boolean enabled, Duration disableAfter) {

  /** No endpoint is ever disabled. */
  public static final EndpointHealth OFF = new EndpointHealth(false, Duration.ZERO);

  /** Disables on 410 Gone, and after {@code disableAfter} of failures unless it is zero. */
  public EndpointHealth(Duration disableAfter) {
    this(true, disableAfter);
  }

  /** Returns whether long failure disables an endpoint. */
  public boolean disablesFailing() {
    return enabled && !disableAfter.isZero();
  }
}
