package io.webhookdispatcher;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook requests with the Standard Webhooks and Svix scheme: {@code v1,} followed by the
 * base64 of HMAC-SHA256 over {@code id + "." + timestamp + "." + body}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class WebhookSigner {
  private static final String ALGORITHM = "HmacSHA256";
  private static final byte[] DOT = {'.'};

  private static final ThreadLocal<KeyedMac> MACS =
      ThreadLocal.withInitial(() -> new KeyedMac(newMac()));

  private final SecretKeySpec key;

  private WebhookSigner(byte[] key) {
    this.key = new SecretKeySpec(key, ALGORITHM);
  }

  /** Creates a signer for a secret, with or without its {@code whsec_} prefix. */
  public static WebhookSigner forSecret(String secret) {
    return new WebhookSigner(WebhookSecret.decode(secret));
  }

  /** Returns the signature header value, such as {@code v1,g0hM9SsE+OTPJTGt/...=}. */
  public String sign(String messageId, long timestampSeconds, byte[] body) {
    return "v1," + Base64.getEncoder().encodeToString(hmac(messageId, timestampSeconds, body));
  }

  byte[] hmac(String messageId, long timestampSeconds, byte[] body) {
    Mac mac = MACS.get().initializedWith(key);
    try {
      mac.update(messageId.getBytes(StandardCharsets.UTF_8));
      mac.update(DOT);
      mac.update(Long.toString(timestampSeconds).getBytes(StandardCharsets.US_ASCII));
      mac.update(DOT);
      mac.update(body);
      return mac.doFinal();
    } catch (RuntimeException e) {
      // A failed update leaves input in the Mac; the next signature with this key must not see it.
      mac.reset();
      throw e;
    }
  }

  /**
   * A thread's {@link Mac} and the key it was last initialized with. {@link Mac#doFinal()} resets a
   * Mac to its state right after {@code init}, so signing with the same key again skips the init,
   * which hashes the key's two pads.
   */
  private static final class KeyedMac {
    private final Mac mac;
    private SecretKeySpec key;

    KeyedMac(Mac mac) {
      this.mac = mac;
    }

    Mac initializedWith(SecretKeySpec requested) {
      if (key != requested) {
        try {
          mac.init(requested);
        } catch (GeneralSecurityException e) {
          key = null;
          throw new IllegalStateException("HmacSHA256 rejected the key", e);
        }
        key = requested;
      }
      return mac;
    }
  }

  private static Mac newMac() {
    try {
      return Mac.getInstance(ALGORITHM);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("This JVM has no HmacSHA256, which every Java SE JVM must have", e);
    }
  }
}
