package io.webhookdispatcher.netty;

import static io.webhookdispatcher.netty.TestHttpServer.response;
import static org.assertj.core.api.Assertions.assertThat;

import io.webhookdispatcher.spi.DeliveryOutcome;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Certificate checks against servers whose certificates a test certificate authority issued. The
 * transport trusts only that authority, and resolves every host name to the loopback address.
 */
class NettyTransportCertificateTest {

  private TestHttpServer server;
  private NettyTransport transport;

  @AfterEach
  void stop() {
    if (transport != null) {
      transport.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void certificate_from_trusted_ca_succeeds() throws Exception {
    start(TestCertificates.TEST_CA_LOCALHOST);

    DeliveryOutcome outcome = send("https://localhost:" + server.port() + "/hook");

    assertThat(outcome.error()).isNull();
    assertThat(outcome.statusCode()).isEqualTo(200);
    assertThat(new String(outcome.responseSnippet(), StandardCharsets.UTF_8)).isEqualTo("tls");
  }

  @Test
  void certificate_for_other_host_fails() throws Exception {
    start(TestCertificates.TEST_CA_OTHER_HOST);

    DeliveryOutcome outcome = send("https://localhost:" + server.port() + "/hook");

    assertThat(outcome.statusCode()).isZero();
    assertThat(outcome.error())
        .isEqualTo(
            "TLS handshake with localhost:"
                + server.port()
                + " failed: the server's certificate is not valid for localhost"
                + " (No subject alternative DNS name matching localhost found.)");
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void expired_certificate_fails() throws Exception {
    start(TestCertificates.TEST_CA_EXPIRED);

    DeliveryOutcome outcome = send("https://localhost:" + server.port() + "/hook");

    assertThat(outcome.statusCode()).isZero();
    assertThat(outcome.error())
        .startsWith(
            "TLS handshake with localhost:"
                + server.port()
                + " failed: a certificate in the server's chain has expired (NotAfter: ");
    assertThat(outcome.error()).contains("2020)");
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void certificate_from_unknown_ca_fails() throws Exception {
    start(TestCertificates.UNKNOWN_CA_LOCALHOST);

    DeliveryOutcome outcome = send("https://localhost:" + server.port() + "/hook");

    assertThat(outcome.statusCode()).isZero();
    assertThat(outcome.error())
        .isEqualTo(
            "TLS handshake with localhost:"
                + server.port()
                + " failed: the server's certificate chain does not lead to a trusted certificate"
                + " authority (unable to find valid certification path to requested target)");
    assertThat(server.requests()).isEmpty();
  }

  private void start(String serverKeyStore) throws Exception {
    server =
        TestHttpServer.startTls(
            TestCertificates.serverContext(serverKeyStore), request -> response(200, "tls"));
    transport =
        NettyTransport.builder()
            .allowPrivateAddresses(true)
            .eventLoopThreads(1)
            .requestTimeout(Duration.ofSeconds(3))
            .trustManagerFactory(TestCertificates.trustManagers(TestCertificates.TEST_CA))
            .hostResolver(host -> new InetAddress[] {InetAddress.getLoopbackAddress()})
            .build();
  }

  private DeliveryOutcome send(String url) throws Exception {
    return transport
        .send(NettyTransportTest.request(url, "{}".getBytes(StandardCharsets.UTF_8)))
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
  }
}
