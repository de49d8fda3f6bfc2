package io.webhookdispatcher.netty;

import static io.webhookdispatcher.netty.TestHttpServer.response;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.webhookdispatcher.netty.TestConnectProxy.ConnectRequest;
import io.webhookdispatcher.spi.DeliveryOutcome;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

/**
 * Attempts through an HTTP proxy that opens tunnels with {@code CONNECT}. Every transport here has
 * a host resolver that records its calls and fails, so a test can prove that the transport left the
 * endpoint's host name to the proxy.
 */
class NettyTransportProxyTest {

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration WAIT = Duration.ofSeconds(5);

  /** A password that no log line or error may contain. */
  private static final String PLANTED_PASSWORD = "planted-proxy-secret-7f3a";

  private final List<String> lookedUpHosts = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
  private Level previousRootLevel;

  @AfterEach
  void closeResources() throws Exception {
    for (AutoCloseable resource : resources) {
      resource.close();
    }
  }

  @Test
  void http_endpoint_reached_through_tunnel() throws Exception {
    TestHttpServer server = track(TestHttpServer.start(request -> response(200, "plain")));
    TestConnectProxy proxy = track(TestConnectProxy.tunnelling());
    NettyTransport transport = track(builder(proxy.uri()).build());

    DeliveryOutcome outcome = send(transport, "http://localhost:" + server.port() + "/hook?a=1");

    assertThat(outcome.error()).isNull();
    assertThat(outcome.statusCode()).isEqualTo(200);
    assertThat(text(outcome.responseSnippet())).isEqualTo("plain");
    assertThat(proxy.requests())
        .extracting(ConnectRequest::requestLine)
        .containsExactly("CONNECT localhost:" + server.port() + " HTTP/1.1");
    assertThat(server.requests()).hasSize(1);
    assertThat(server.requests().get(0).uri()).isEqualTo("/hook?a=1");
    assertThat(server.requests().get(0).headers().get("host"))
        .isEqualTo("localhost:" + server.port());
    assertThat(lookedUpHosts).isEmpty();
  }

  @Test
  void https_endpoint_reached_through_tunnel() throws Exception {
    TestHttpServer server =
        track(TestHttpServer.startTls(TestCertificates.serverContext(), r -> response(200, "tls")));
    TestConnectProxy proxy = track(TestConnectProxy.tunnelling());
    NettyTransport transport =
        track(builder(proxy.uri()).trustManagerFactory(TestCertificates.trustManagers()).build());

    DeliveryOutcome outcome = send(transport, "https://localhost:" + server.port() + "/hook");

    assertThat(outcome.error()).isNull();
    assertThat(outcome.statusCode()).isEqualTo(200);
    assertThat(text(outcome.responseSnippet())).isEqualTo("tls");
    assertThat(proxy.requests())
        .extracting(ConnectRequest::requestLine)
        .containsExactly("CONNECT localhost:" + server.port() + " HTTP/1.1");
    assertThat(proxy.requests().get(0).proxyAuthorization()).isNull();
    assertThat(server.requests().get(0).headers().get("host"))
        .isEqualTo("localhost:" + server.port());
    assertThat(lookedUpHosts).isEmpty();
  }

  @Test
  void https_certificate_checked_against_endpoint_host() throws Exception {
    TestHttpServer server =
        track(
            TestHttpServer.startTls(
                TestCertificates.serverContext(TestCertificates.TEST_CA_OTHER_HOST),
                r -> response(200, "tls")));
    TestConnectProxy proxy = track(TestConnectProxy.tunnelling());
    NettyTransport transport =
        track(
            builder(proxy.uri())
                .trustManagerFactory(TestCertificates.trustManagers(TestCertificates.TEST_CA))
                .build());

    DeliveryOutcome outcome = send(transport, "https://localhost:" + server.port() + "/hook");

    assertThat(outcome.statusCode()).isZero();
    assertThat(outcome.error())
        .startsWith(
            "TLS handshake with localhost:"
                + server.port()
                + " failed: the server's certificate is not valid for localhost");
    assertThat(proxy.requests()).hasSize(1);
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void tunnel_reused_for_next_attempt() throws Exception {
    TestHttpServer server =
        track(TestHttpServer.startTls(TestCertificates.serverContext(), r -> response(200, "tls")));
    TestConnectProxy proxy = track(TestConnectProxy.tunnelling());
    NettyTransport transport =
        track(builder(proxy.uri()).trustManagerFactory(TestCertificates.trustManagers()).build());
    String url = "https://localhost:" + server.port() + "/hook";

    DeliveryOutcome first = send(transport, url);
    DeliveryOutcome second = send(transport, url);

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(proxy.acceptedConnections()).isEqualTo(1);
    assertThat(server.acceptedConnections()).isEqualTo(1);
    assertThat(transport.poolCount()).isEqualTo(1);
  }

  @Test
  void basic_credentials_sent_to_proxy() throws Exception {
    TestHttpServer server = track(TestHttpServer.start(request -> response(200, "ok")));
    TestConnectProxy proxy = track(TestConnectProxy.tunnelling());
    String proxyUri = "http://hook%20sender:p%40ss:word@127.0.0.1:" + proxy.port();
    NettyTransport transport = track(builder(proxyUri).build());

    DeliveryOutcome outcome = send(transport, "http://localhost:" + server.port() + "/hook");

    String expected =
        Base64.getEncoder()
            .encodeToString("hook sender:p@ss:word".getBytes(StandardCharsets.UTF_8));
    assertThat(outcome.statusCode()).isEqualTo(200);
    assertThat(proxy.requests().get(0).proxyAuthorization()).isEqualTo("Basic " + expected);
  }

  @Test
  void forbidden_connect_fails_attempt() throws Exception {
    TestHttpServer server = track(TestHttpServer.start(request -> response(200, "ok")));
    TestConnectProxy proxy = track(TestConnectProxy.rejecting(403, "Forbidden"));
    NettyTransport transport = track(builder(proxy.uri()).build());

    DeliveryOutcome outcome = send(transport, "https://localhost:" + server.port() + "/hook");

    assertThat(outcome.statusCode()).isZero();
    assertThat(outcome.error())
        .isEqualTo(
            "proxy 127.0.0.1:"
                + proxy.port()
                + " rejected CONNECT localhost:"
                + server.port()
                + " with status 403 Forbidden");
    assertThat(server.acceptedConnections()).isZero();
  }

  @Test
  void proxy_authentication_required_without_credentials() throws Exception {
    TestConnectProxy proxy =
        track(TestConnectProxy.rejecting(407, "Proxy Authentication Required"));
    NettyTransport transport = track(builder(proxy.uri()).build());

    DeliveryOutcome outcome = send(transport, "https://receiver.test/hook");

    assertThat(outcome.error())
        .isEqualTo(
            "proxy 127.0.0.1:"
                + proxy.port()
                + " rejected CONNECT receiver.test:443 with status 407 Proxy Authentication"
                + " Required; the proxy requires authentication, so add user:password@ to the"
                + " proxy URI");
  }

  @Test
  void proxy_authentication_rejected_keeps_password_secret() throws Exception {
    TestConnectProxy proxy =
        track(TestConnectProxy.rejecting(407, "Proxy Authentication Required"));
    String proxyUri = "http://sender:" + PLANTED_PASSWORD + "@127.0.0.1:" + proxy.port();
    ListAppender<ILoggingEvent> logs = captureLogs();
    DeliveryOutcome outcome;
    try {
      NettyTransport transport = builder(proxyUri).build();
      try (transport) {
        outcome = send(transport, "https://receiver.test/hook");
      }
    } finally {
      stopCapture(logs);
    }

    assertThat(outcome.error())
        .isEqualTo(
            "proxy 127.0.0.1:"
                + proxy.port()
                + " rejected CONNECT receiver.test:443 with status 407 Proxy Authentication"
                + " Required; check the user name and password in the proxy URI");
    assertThat(proxy.requests().get(0).proxyAuthorization()).startsWith("Basic ");
    assertThat(logs.list).isNotEmpty();
    for (ILoggingEvent event : logs.list) {
      assertThat(event.getFormattedMessage()).doesNotContain(PLANTED_PASSWORD);
    }
  }

  @Test
  void startup_log_masks_proxy_password() throws Exception {
    String proxyUri = "http://sender:" + PLANTED_PASSWORD + "@proxy.test:3128";
    ListAppender<ILoggingEvent> logs = captureLogs();
    try {
      builder(proxyUri).build().close();
    } finally {
      stopCapture(logs);
    }

    String started =
        logs.list.stream()
            .map(ILoggingEvent::getFormattedMessage)
            .filter(message -> message.startsWith("Netty transport started"))
            .findFirst()
            .orElseThrow();
    assertThat(started).contains("proxy=http://sender:****@proxy.test:3128");
    assertThat(started).doesNotContain(PLANTED_PASSWORD);
  }

  @Test
  void bad_gateway_names_endpoint_host() throws Exception {
    TestConnectProxy proxy = track(TestConnectProxy.tunnelling());
    NettyTransport transport = track(builder(proxy.uri()).build());

    DeliveryOutcome outcome = send(transport, "https://only-the-proxy-resolves.test/hook");

    assertThat(outcome.error())
        .isEqualTo(
            "proxy 127.0.0.1:"
                + proxy.port()
                + " rejected CONNECT only-the-proxy-resolves.test:443 with status 502 Bad"
                + " Gateway");
    assertThat(proxy.requests())
        .extracting(ConnectRequest::requestLine)
        .containsExactly("CONNECT only-the-proxy-resolves.test:443 HTTP/1.1");
    assertThat(lookedUpHosts).isEmpty();
  }

  @Test
  void silent_proxy_times_out_within_request_timeout() throws Exception {
    TestConnectProxy proxy = track(TestConnectProxy.silent());
    Duration requestTimeout = Duration.ofSeconds(1);
    NettyTransport transport = track(builder(proxy.uri()).requestTimeout(requestTimeout).build());

    DeliveryOutcome outcome = send(transport, "https://localhost:8443/hook");

    assertThat(outcome.error())
        .isEqualTo(
            "request timed out after 1s while waiting for a connection to localhost:8443"
                + " through proxy 127.0.0.1:"
                + proxy.port());
    assertThat(outcome.duration()).isGreaterThanOrEqualTo(requestTimeout);
    assertThat(outcome.duration()).isLessThan(requestTimeout.plusMillis(500));
    assertThat(proxy.requests())
        .extracting(ConnectRequest::requestLine)
        .containsExactly("CONNECT localhost:8443 HTTP/1.1");
  }

  @Test
  void proxy_closing_connection_fails_attempt() throws Exception {
    RawServer proxy = track(RawServer.start(RawServer::readRequest));
    NettyTransport transport = track(builder("http://127.0.0.1:" + proxy.port()).build());

    DeliveryOutcome outcome = send(transport, "https://localhost:8443/hook");

    assertThat(outcome.error())
        .isEqualTo(
            "proxy 127.0.0.1:"
                + proxy.port()
                + " closed the connection before responding to CONNECT localhost:8443");
  }

  @Test
  void invalid_proxy_response_fails_attempt() throws Exception {
    byte[] invalid = "HTTP/1.1 abc Bad\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    RawServer proxy =
        track(
            RawServer.start(
                socket -> {
                  RawServer.readRequest(socket);
                  socket.getOutputStream().write(invalid);
                  RawServer.awaitClientClose(socket);
                }));
    NettyTransport transport = track(builder("http://127.0.0.1:" + proxy.port()).build());

    DeliveryOutcome outcome = send(transport, "https://localhost:8443/hook");

    assertThat(outcome.error())
        .startsWith(
            "proxy 127.0.0.1:"
                + proxy.port()
                + " sent an invalid response to CONNECT localhost:8443: ");
  }

  @Test
  void proxy_down_gives_connection_refused() throws Exception {
    int closedPort = RawServer.closedPort();
    NettyTransport transport = track(builder("http://127.0.0.1:" + closedPort).build());

    DeliveryOutcome outcome = send(transport, "https://localhost:8443/hook");

    assertThat(outcome.statusCode()).isZero();
    assertThat(outcome.error()).isEqualTo("connection refused by proxy 127.0.0.1:" + closedPort);
  }

  @Test
  void proxy_host_resolved_but_not_filtered() throws Exception {
    TestHttpServer server = track(TestHttpServer.start(request -> response(200, "ok")));
    TestConnectProxy proxy = track(TestConnectProxy.tunnelling());
    List<String> resolved = new CopyOnWriteArrayList<>();
    NettyTransport transport =
        track(
            NettyTransport.builder()
                .eventLoopThreads(1)
                .requestTimeout(REQUEST_TIMEOUT)
                .proxy(URI.create("http://proxy.test:" + proxy.port()))
                .hostResolver(
                    host -> {
                      resolved.add(host);
                      return new InetAddress[] {loopback()};
                    })
                .build());

    DeliveryOutcome outcome = send(transport, "http://localhost:" + server.port() + "/hook");

    assertThat(outcome.statusCode()).isEqualTo(200);
    assertThat(resolved).containsExactly("proxy.test");
  }

  @Test
  void unknown_proxy_host_names_proxy() throws Exception {
    NettyTransport transport =
        track(
            NettyTransport.builder()
                .eventLoopThreads(1)
                .requestTimeout(REQUEST_TIMEOUT)
                .proxy(URI.create("http://proxy.test:3128"))
                .hostResolver(host -> new InetAddress[0])
                .build());

    DeliveryOutcome outcome = send(transport, "https://receiver.test/hook");

    assertThat(outcome.error())
        .isEqualTo(
            "host name of proxy proxy.test:3128 could not be resolved: DNS lookup of proxy.test"
                + " returned no address");
  }

  @ParameterizedTest(name = "{0} is rejected before the proxy")
  @CsvSource({
    "http://10.0.0.1/x, host 10.0.0.1 is a private address (10.0.0.0/8)",
    "https://127.0.0.1:8443/x, host 127.0.0.1 is a loopback address (127.0.0.0/8)",
    "http://169.254.169.254/latest, host 169.254.169.254 is a link-local address (169.254.0.0/16)",
    "http://2130706433/x, host 2130706433 (read as 127.0.0.1) is a loopback address (127.0.0.0/8)",
    "http://0192.168.0.1/x, host 0192.168.0.1 (read as 192.168.0.1) is a private address",
    "http://[::1]/x, host 0:0:0:0:0:0:0:1 is a loopback address (::1/128)",
    "http://[::ffff:10.0.0.1]/x, host 10.0.0.1 is a private address (10.0.0.0/8)",
  })
  void rejected_literal_never_reaches_proxy(String url, String reason) throws Exception {
    TestConnectProxy proxy = track(TestConnectProxy.tunnelling());
    NettyTransport transport = track(builder(proxy.uri()).build());

    DeliveryOutcome outcome = send(transport, url);

    assertThat(outcome.statusCode()).isZero();
    assertThat(outcome.error()).startsWith(reason);
    assertThat(outcome.error())
        .endsWith(
            "; add its range to allowedRanges or set allowPrivateAddresses(true) to deliver to"
                + " it");
    assertThat(proxy.acceptedConnections()).isZero();
    assertThat(lookedUpHosts).isEmpty();
  }

  @Test
  void allowed_literal_sent_through_proxy() throws Exception {
    TestHttpServer server = track(TestHttpServer.start(request -> response(200, "ok")));
    TestConnectProxy proxy = track(TestConnectProxy.tunnelling());
    NettyTransport transport =
        track(builder(proxy.uri()).allowedRanges(List.of("127.0.0.0/8")).build());

    DeliveryOutcome outcome = send(transport, "http://127.0.0.1:" + server.port() + "/hook");

    assertThat(outcome.statusCode()).isEqualTo(200);
    assertThat(proxy.requests())
        .extracting(ConnectRequest::requestLine)
        .containsExactly("CONNECT 127.0.0.1:" + server.port() + " HTTP/1.1");
  }

  @Test
  void https_only_rejects_http_without_connecting() throws Exception {
    TestHttpServer server = track(TestHttpServer.start(request -> response(200, "ok")));
    NettyTransport transport =
        track(
            NettyTransport.builder()
                .eventLoopThreads(1)
                .allowPrivateAddresses(true)
                .httpsOnly(true)
                .build());

    DeliveryOutcome outcome = send(transport, "http://127.0.0.1:" + server.port() + "/hook");

    assertThat(outcome.statusCode()).isZero();
    assertThat(outcome.error())
        .isEqualTo(
            "request not sent: the URL scheme is http, but this transport sends over https only"
                + " (httpsOnly is set); use an https URL");
    assertThat(outcome.duration()).isLessThan(Duration.ofMillis(500));
    assertThat(server.acceptedConnections()).isZero();
    assertThat(transport.poolCount()).isZero();
  }

  @Test
  void https_only_rejects_http_before_proxy() throws Exception {
    TestConnectProxy proxy = track(TestConnectProxy.tunnelling());
    NettyTransport transport = track(builder(proxy.uri()).httpsOnly(true).build());

    DeliveryOutcome outcome = send(transport, "http://receiver.test/hook");

    assertThat(outcome.error()).contains("this transport sends over https only");
    assertThat(proxy.acceptedConnections()).isZero();
  }

  @Test
  void https_only_sends_https() throws Exception {
    TestHttpServer server =
        track(TestHttpServer.startTls(TestCertificates.serverContext(), r -> response(200, "tls")));
    NettyTransport transport =
        track(
            NettyTransport.builder()
                .eventLoopThreads(1)
                .allowPrivateAddresses(true)
                .httpsOnly(true)
                .trustManagerFactory(TestCertificates.trustManagers())
                .hostResolver(host -> new InetAddress[] {loopback()})
                .build());

    DeliveryOutcome outcome = send(transport, "https://localhost:" + server.port() + "/hook");

    assertThat(outcome.statusCode()).isEqualTo(200);
  }

  @Test
  void close_fails_attempt_waiting_for_tunnel() throws Exception {
    TestConnectProxy proxy = track(TestConnectProxy.silent());
    NettyTransport transport = builder(proxy.uri()).build();
    CompletionStage<DeliveryOutcome> pending =
        transport.send(NettyTransportTest.request("https://localhost:8443/hook", body()));
    await().atMost(WAIT).until(() -> proxy.requests().size() == 1);

    transport.close();

    DeliveryOutcome outcome = pending.toCompletableFuture().get(1, TimeUnit.SECONDS);
    assertThat(outcome.error()).isEqualTo("transport closed before the attempt ended");
  }

  /**
   * Returns a builder for a transport through {@code proxyUri} whose host resolver records and
   * rejects every call.
   */
  private NettyTransport.Builder builder(String proxyUri) {
    return NettyTransport.builder()
        .eventLoopThreads(1)
        .requestTimeout(REQUEST_TIMEOUT)
        .proxy(URI.create(proxyUri))
        .hostResolver(
            host -> {
              lookedUpHosts.add(host);
              throw new IllegalStateException("the transport resolved " + host + " itself");
            });
  }

  private static DeliveryOutcome send(NettyTransport transport, String url) throws Exception {
    return transport
        .send(NettyTransportTest.request(url, body()))
        .toCompletableFuture()
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static byte[] body() {
    return "{\"type\":\"test.event\"}".getBytes(StandardCharsets.UTF_8);
  }

  private static InetAddress loopback() {
    return AddressFilter.parseLiteral("127.0.0.1").orElseThrow();
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /**
   * Records every event of every logger, with the root logger at TRACE, until {@link
   * #stopCapture}.
   */
  private ListAppender<ILoggingEvent> captureLogs() {
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    previousRootLevel = root.getLevel();
    root.setLevel(Level.TRACE);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    root.addAppender(appender);
    return appender;
  }

  private void stopCapture(ListAppender<ILoggingEvent> appender) {
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    root.detachAppender(appender);
    appender.stop();
    root.setLevel(previousRootLevel);
  }

  private <T extends AutoCloseable> T track(T resource) {
    resources.add(0, resource);
    return resource;
  }
}
