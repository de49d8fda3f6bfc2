package io.webhookdispatcher.internal;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/** Generates time-ordered UUIDs (version 7), which keep index inserts local. */
public final class Uuids {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Uuids() {}

  /** Returns a version 7 UUID: 48 bits of unix milliseconds from {@code clock}, then randomness. */
  public static UUID timeOrdered(Clock clock) {
    long millis = clock.millis();
    long randomA = RANDOM.nextLong();
    long randomB = RANDOM.nextLong();
    long most = (millis << 16) | 0x7000L | (randomA & 0x0FFFL);
    long least = (randomB & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(most, least);
  }
}
