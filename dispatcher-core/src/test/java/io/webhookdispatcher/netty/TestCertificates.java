package io.webhookdispatcher.netty;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.InputStream;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The self-signed test certificate in {@code netty/localhost.p12}: subject alternative name {@code
 * DNS:localhost} only, password {@code changeit}.
 */
final class TestCertificates {
  private static final char[] PASSWORD = "changeit".toCharArray();

  private TestCertificates() {}

  static KeyStore keyStore() throws Exception {
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = TestCertificates.class.getResourceAsStream("/netty/localhost.p12")) {
      keyStore.load(in, PASSWORD);
    }
    return keyStore;
  }

  /** Returns trust managers that trust the test certificate and nothing else. */
  static TrustManagerFactory trustManagers() throws Exception {
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(keyStore());
    return factory;
  }

  /** Returns a server TLS context that presents the test certificate. */
  static SslContext serverContext() throws Exception {
    KeyManagerFactory keyManagers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keyStore(), PASSWORD);
    return SslContextBuilder.forServer(keyManagers).sslProvider(SslProvider.JDK).build();
  }
}
