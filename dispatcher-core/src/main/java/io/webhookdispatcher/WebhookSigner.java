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

  private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(WebhookSigner::newMac);

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
    Mac mac = MACS.get();
    try {
      mac.init(key);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 rejected the key", e);
    }
    mac.update(messageId.getBytes(StandardCharsets.UTF_8));
    mac.update(DOT);
    mac.update(Long.toString(timestampSeconds).getBytes(StandardCharsets.US_ASCII));
    mac.update(DOT);
    mac.update(body);
    return mac.doFinal();
  }

  private static Mac newMac() {
    try {
      return Mac.getInstance(ALGORITHM);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("This JVM has no HmacSHA256, which every Java SE JVM must have", e);
    }
  }
}
