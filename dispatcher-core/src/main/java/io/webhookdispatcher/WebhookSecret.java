package io.webhookdispatcher;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Generation and decoding of endpoint signing secrets in the Svix and Standard Webhooks form:
 * {@code whsec_} followed by the base64 of the HMAC key.
 */
public final class WebhookSecret {
  /** Prefix of every secret that the dispatcher generates. */
  public static final String PREFIX = "whsec_";

  /** Length of a generated HMAC key, in bytes. */
  public static final int GENERATED_KEY_BYTES = 24;

  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookSecret() {}

  /** Generates a new secret from {@link #GENERATED_KEY_BYTES} bytes of {@link SecureRandom}. */
  public static String generate() {
    byte[] key = new byte[GENERATED_KEY_BYTES];
    RANDOM.nextBytes(key);
    return PREFIX + Base64.getEncoder().encodeToString(key);
  }

  /**
   * Decodes a secret into its HMAC key. The {@code whsec_} prefix is optional, as in the official
   * verification libraries.
   *
   * @throws IllegalArgumentException if the rest is not valid base64 or is empty; the message never
   *     contains the secret
   */
  public static byte[] decode(String secret) {
    String encoded = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
    byte[] key;
    try {
      key = Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Signing secret is not valid base64 after 'whsec_'");
    }
    if (key.length == 0) {
      throw new IllegalArgumentException("Signing secret is empty");
    }
    return key;
  }
}
