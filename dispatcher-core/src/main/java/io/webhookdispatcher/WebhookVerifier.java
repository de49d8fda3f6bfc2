package io.webhookdispatcher;

import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Verifies webhook requests on the receiving side, for receivers written in Java.
 *
 * <p>It reads {@code webhook-id}, {@code webhook-timestamp} and {@code webhook-signature}, or
 * their {@code svix-} twins, accepts a request when any one of the space-separated {@code v1}
 * signatures matches, ignores signatures of other versions, compares in constant time and allows
 * {@link #DEFAULT_TOLERANCE} of clock difference either way. Pass the raw body bytes exactly as
 * received: a body parsed and serialized again no longer matches.
 */
public final class WebhookVerifier {
  /** Clock difference allowed between sender and receiver, either way: 5 minutes. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

  private final WebhookSigner signer;
  private final Clock clock;
  private final Duration tolerance;

  private WebhookVerifier(WebhookSigner signer, Clock clock, Duration tolerance) {
    this.signer = signer;
    this.clock = clock;
    this.tolerance = tolerance;
  }

  /** Creates a verifier for a secret, with or without its {@code whsec_} prefix. */
  public static WebhookVerifier forSecret(String secret) {
    return new WebhookVerifier(WebhookSigner.forSecret(secret), Clock.systemUTC(), DEFAULT_TOLERANCE);
  }

  /** Returns a copy that reads the current time from {@code clock}. */
  public WebhookVerifier withClock(Clock clock) {
    return new WebhookVerifier(signer, Objects.requireNonNull(clock, "clock"), tolerance);
  }

  /** Returns a copy that allows {@code tolerance} of clock difference either way. */
  public WebhookVerifier withTolerance(Duration tolerance) {
    if (tolerance.isNegative()) {
      throw new IllegalArgumentException("tolerance must not be negative, got " + tolerance);
    }
    return new WebhookVerifier(signer, clock, tolerance);
  }

  /**
   * Verifies a request from its headers and raw body. Header names are matched ignoring case.
   *
   * @throws WebhookVerificationException with the {@link WebhookVerificationException.Reason}
   */
  public void verify(Map<String, String> headers, byte[] body) {
    Map<String, String> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((name, value) -> byName.put(name.toLowerCase(Locale.ROOT), value));
    verify(
        header(byName, "id"), header(byName, "timestamp"), header(byName, "signature"), body);
  }

  /**
   * Verifies a request from the three header values and the raw body.
   *
   * @throws WebhookVerificationException with the {@link WebhookVerificationException.Reason}
   */
  public void verify(String id, String timestamp, String signatureHeader, byte[] body) {
    if (id == null || id.isEmpty()) {
      throw new WebhookVerificationException(
          WebhookVerificationException.Reason.MISSING_HEADER, "webhook-id header is missing");
    }
    if (timestamp == null || timestamp.isEmpty()) {
      throw new WebhookVerificationException(
          WebhookVerificationException.Reason.MISSING_HEADER, "webhook-timestamp header is missing");
    }
    if (signatureHeader == null || signatureHeader.isEmpty()) {
      throw new WebhookVerificationException(
          WebhookVerificationException.Reason.MISSING_HEADER, "webhook-signature header is missing");
    }
    long seconds = checkTimestamp(timestamp);
    byte[] expected = signer.hmac(id, seconds, body);
    for (String candidate : signatureHeader.trim().split(" +")) {
      if (matches(candidate, expected)) {
        return;
      }
    }
    throw new WebhookVerificationException(
        WebhookVerificationException.Reason.NO_MATCHING_SIGNATURE,
        "No v1 signature in webhook-signature matches the body, id and timestamp");
  }

  private long checkTimestamp(String timestamp) {
    long seconds;
    try {
      seconds = Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      throw new WebhookVerificationException(
          WebhookVerificationException.Reason.INVALID_TIMESTAMP,
          "webhook-timestamp '" + Texts.abbreviate(timestamp) + "' is not unix seconds");
    }
    long now = clock.instant().getEpochSecond();
    if (seconds < now - tolerance.toSeconds()) {
      throw new WebhookVerificationException(
          WebhookVerificationException.Reason.TIMESTAMP_TOO_OLD,
          "webhook-timestamp " + seconds + " is more than " + tolerance + " before now (" + now + ")");
    }
    if (seconds > now + tolerance.toSeconds()) {
      throw new WebhookVerificationException(
          WebhookVerificationException.Reason.TIMESTAMP_TOO_NEW,
          "webhook-timestamp " + seconds + " is more than " + tolerance + " after now (" + now + ")");
    }
    return seconds;
  }

  private static boolean matches(String candidate, byte[] expected) {
    int comma = candidate.indexOf(',');
    if (comma < 0 || !candidate.substring(0, comma).equals("v1")) {
      return false;
    }
    byte[] actual;
    try {
      actual = Base64.getDecoder().decode(candidate.substring(comma + 1));
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(actual, expected);
  }

  private static String header(Map<String, String> headers, String suffix) {
    String standard = headers.get("webhook-" + suffix);
    return standard != null ? standard : headers.get("svix-" + suffix);
  }
}
