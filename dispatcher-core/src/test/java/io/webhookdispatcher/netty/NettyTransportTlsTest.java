package io.webhookdispatcher.netty;

import static io.webhookdispatcher.netty.TestHttpServer.response;
import static org.assertj.core.api.Assertions.assertThat;

import io.webhookdispatcher.spi.DeliveryOutcome;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NettyTransportTlsTest {

  private TestHttpServer server;
  private NettyTransport transport;

  @BeforeEach
  void startServer() throws Exception {
    server = TestHttpServer.startTls(TestCertificates.serverContext(), r -> response(200, "tls"));
  }

  @AfterEach
  void stop() {
    if (transport != null) {
      transport.close();
    }
    server.close();
  }

  @Test
  void trusted_certificate_for_localhost_succeeds() throws Exception {
    transport = builder().trustManagerFactory(TestCertificates.trustManagers()).build();

    DeliveryOutcome outcome = send("https://localhost:" + server.port() + "/hook");

    assertThat(outcome.error()).isNull();
    assertThat(outcome.statusCode()).isEqualTo(200);
    assertThat(new String(outcome.responseSnippet(), StandardCharsets.UTF_8)).isEqualTo("tls");
    assertThat(server.requests().get(0).headers().get("host"))
        .isEqualTo("localhost:" + server.port());
  }

  @Test
  void untrusted_certificate_fails_handshake() throws Exception {
    transport = builder().build();

    DeliveryOutcome outcome = send("https://localhost:" + server.port() + "/hook");

    assertThat(outcome.statusCode()).isZero();
    assertThat(outcome.error())
        .startsWith("TLS handshake with localhost:" + server.port() + " failed: ");
    assertThat(outcome.error())
        .contains("certificate chain does not lead to a trusted certificate authority");
    assertThat(outcome.error()).contains("certification path");
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void ip_host_fails_hostname_verification() throws Exception {
    transport = builder().trustManagerFactory(TestCertificates.trustManagers()).build();

    DeliveryOutcome outcome = send("https://127.0.0.1:" + server.port() + "/hook");

    assertThat(outcome.statusCode()).isZero();
    assertThat(outcome.error())
        .startsWith("TLS handshake with 127.0.0.1:" + server.port() + " failed: ");
    assertThat(outcome.error()).contains("127.0.0.1");
    assertThat(outcome.error()).containsIgnoringCase("subject alternative names");
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void plain_http_server_fails_handshake() throws Exception {
    TestHttpServer plain = TestHttpServer.start(r -> response(200, "plain"));
    transport = builder().build();

    DeliveryOutcome outcome;
    try (plain) {
      outcome = send("https://localhost:" + plain.port() + "/hook");
    }

    assertThat(outcome.statusCode()).isZero();
    assertThat(outcome.error())
        .isEqualTo(
            "TLS handshake with localhost:"
                + plain.port()
                + " failed: the server did not answer with TLS");
  }

  @Test
  void plaintext_banner_fails_handshake() throws Exception {
    byte[] banner = "HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    RawServer plain = RawServer.start(socket -> socket.getOutputStream().write(banner));
    transport = builder().build();

    DeliveryOutcome outcome;
    try (plain) {
      outcome = send("https://localhost:" + plain.port() + "/hook");
    }

    assertThat(outcome.error())
        .isEqualTo(
            "TLS handshake with localhost:"
                + plain.port()
                + " failed: the server did not answer with TLS");
  }

  private static NettyTransport.Builder builder() {
    return NettyTransport.builder()
        .allowPrivateAddresses(true)
        .eventLoopThreads(1)
        .requestTimeout(Duration.ofSeconds(3))
        .hostResolver(host -> new InetAddress[] {InetAddress.getLoopbackAddress()});
  }

  private DeliveryOutcome send(String url) throws Exception {
    return transport
        .send(NettyTransportTest.request(url, "{}".getBytes(StandardCharsets.UTF_8)))
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
  }
}
