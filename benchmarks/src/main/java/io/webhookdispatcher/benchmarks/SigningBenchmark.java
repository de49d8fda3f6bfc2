package io.webhookdispatcher.benchmarks;

import io.webhookdispatcher.WebhookSecret;
import io.webhookdispatcher.WebhookSigner;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Signing of a 1 KiB message: the dispatcher's signer reused, as the delivery loop uses it (one
 * signer per endpoint secret), and made from the secret for each signature, against a bare {@link
 * Mac} over the same bytes with its key already set, which is the limit.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SigningBenchmark {
  private static final int BODY_BYTES = 1024;

  private String secret;
  private String messageId;
  private long timestamp;
  private byte[] body;
  private WebhookSigner signer;
  private Mac mac;
  private byte[] signedContent;

  @Setup
  public void setUp() throws GeneralSecurityException {
    secret = WebhookSecret.generate();
    messageId = UUID.randomUUID().toString();
    timestamp = 1_764_806_400L;
    body = new byte[BODY_BYTES];
    Arrays.fill(body, (byte) 'x');
    signer = WebhookSigner.forSecret(secret);
    mac = Mac.getInstance("HmacSHA256");
    byte[] key = Base64.getDecoder().decode(secret.substring(WebhookSecret.PREFIX.length()));
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    byte[] prefix = (messageId + "." + timestamp + ".").getBytes(StandardCharsets.US_ASCII);
    signedContent = new byte[prefix.length + body.length];
    System.arraycopy(prefix, 0, signedContent, 0, prefix.length);
    System.arraycopy(body, 0, signedContent, prefix.length, body.length);
  }

  /** Signs with a signer made from the endpoint's secret for each signature. */
  @Benchmark
  public String signerPerDelivery() {
    return WebhookSigner.forSecret(secret).sign(messageId, timestamp, body);
  }

  /** Signs as the delivery loop does, with the endpoint's signer reused. */
  @Benchmark
  public String signerReused() {
    return signer.sign(messageId, timestamp, body);
  }

  /** Computes the bare HMAC-SHA256 of the signed content, key already set: the limit. */
  @Benchmark
  public byte[] bareMac() {
    return mac.doFinal(signedContent);
  }
}
