package io.webhookdispatcher.netty;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.InputStream;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The test key stores in {@code src/test/resources/netty}, all with password {@code changeit}. The
 * README there lists how each was made. {@code localhost.p12} is a self-signed certificate with the
 * subject alternative name {@code DNS:localhost} only. {@code test-ca.p12} contains only the
 * certificate of a test certificate authority, and the other stores contain a server key with a
 * certificate chain issued by that authority or by an unknown one.
 */
final class TestCertificates {

  /** Self-signed certificate for {@code localhost}. */
  static final String SELF_SIGNED_LOCALHOST = "localhost.p12";

  /** Trust store that contains only the test certificate authority. */
  static final String TEST_CA = "test-ca.p12";

  /** Certificate for {@code localhost}, issued by the test certificate authority. */
  static final String TEST_CA_LOCALHOST = "test-ca-localhost.p12";

  /** Certificate for {@code other.test} only, issued by the test certificate authority. */
  static final String TEST_CA_OTHER_HOST = "test-ca-other-host.p12";

  /** Certificate for {@code localhost} that expired on 2 January 2020, issued by the test CA. */
  static final String TEST_CA_EXPIRED = "test-ca-expired.p12";

  /** Certificate for {@code localhost}, issued by a certificate authority that nothing trusts. */
  static final String UNKNOWN_CA_LOCALHOST = "unknown-ca-localhost.p12";

  private static final char[] PASSWORD = "changeit".toCharArray();

  private TestCertificates() {}

  static KeyStore keyStore(String name) throws Exception {
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = TestCertificates.class.getResourceAsStream("/netty/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("test key store /netty/" + name + " not found");
      }
      keyStore.load(in, PASSWORD);
    }
    return keyStore;
  }

  /** Returns trust managers that trust the self-signed test certificate and nothing else. */
  static TrustManagerFactory trustManagers() throws Exception {
    return trustManagers(SELF_SIGNED_LOCALHOST);
  }

  /** Returns trust managers that trust the certificates in the named store and nothing else. */
  static TrustManagerFactory trustManagers(String name) throws Exception {
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(keyStore(name));
    return factory;
  }

  /** Returns a server TLS context that presents the self-signed test certificate. */
  static SslContext serverContext() throws Exception {
    return serverContext(SELF_SIGNED_LOCALHOST);
  }

  /** Returns a server TLS context that presents the key and certificate chain of the store. */
  static SslContext serverContext(String name) throws Exception {
    KeyManagerFactory keyManagers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keyStore(name), PASSWORD);
    return SslContextBuilder.forServer(keyManagers).sslProvider(SslProvider.JDK).build();
  }
}
