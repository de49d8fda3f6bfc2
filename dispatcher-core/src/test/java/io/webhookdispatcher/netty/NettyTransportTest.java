package io.webhookdispatcher.netty;

import static io.webhookdispatcher.netty.TestHttpServer.response;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.webhookdispatcher.Attempt;
import io.webhookdispatcher.spi.DeliveryOutcome;
import io.webhookdispatcher.spi.DeliveryRequest;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NettyTransportTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeResources() throws Exception {
    for (AutoCloseable resource : resources) {
      resource.close();
    }
  }

  @Test
  void post_arrives_with_body_and_headers() throws Exception {
    TestHttpServer server = track(TestHttpServer.start(request -> response(200, "ok")));
    NettyTransport transport = track(loopbackTransport(Duration.ofSeconds(2)));
    byte[] body = new byte[1000];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) i;
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("webhook-id", "msg_1");
    headers.put("webhook-timestamp", "1700000000");
    headers.put("webhook-signature", "v1,c2lnbmF0dXJl");
    headers.put("svix-id", "msg_1");
    String url = "http://127.0.0.1:" + server.port() + "/hooks/in?tenant=7";

    DeliveryOutcome outcome = sendAndWait(transport, request(url, body, headers));

    TestHttpServer.RecordedRequest received = server.requests().get(0);
    assertThat(outcome.statusCode()).isEqualTo(200);
    assertThat(outcome.error()).isNull();
    assertThat(new String(outcome.responseSnippet(), StandardCharsets.UTF_8)).isEqualTo("ok");
    assertThat(received.method()).isEqualTo("POST");
    assertThat(received.uri()).isEqualTo("/hooks/in?tenant=7");
    assertThat(received.body()).isEqualTo(body);
    assertThat(received.headers().get("host")).isEqualTo("127.0.0.1:" + server.port());
    assertThat(received.headers().get("content-type")).isEqualTo("application/json");
    assertThat(received.headers().get("content-length")).isEqualTo("1000");
    assertThat(received.headers().get("user-agent")).isEqualTo(NettyTransport.DEFAULT_USER_AGENT);
    for (Map.Entry<String, String> header : headers.entrySet()) {
      assertThat(received.headers().get(header.getKey())).isEqualTo(header.getValue());
    }
  }

  @Test
  void empty_path_is_sent_as_slash() throws Exception {
    TestHttpServer server = track(TestHttpServer.start(request -> response(204, "")));
    NettyTransport transport = track(loopbackTransport(Duration.ofSeconds(2)));

    DeliveryOutcome outcome =
        sendAndWait(transport, request("http://127.0.0.1:" + server.port(), new byte[0]));

    assertThat(outcome.statusCode()).isEqualTo(204);
    assertThat(server.requests().get(0).uri()).isEqualTo("/");
  }

  @Test
  void server_error_is_response_outcome() throws Exception {
    TestHttpServer server = track(TestHttpServer.start(request -> response(500, "broken")));
    NettyTransport transport = track(loopbackTransport(Duration.ofSeconds(2)));

    DeliveryOutcome outcome = sendAndWait(transport, request(urlOf(server), jsonBody()));

    assertThat(outcome.statusCode()).isEqualTo(500);
    assertThat(outcome.error()).isNull();
    assertThat(new String(outcome.responseSnippet(), StandardCharsets.UTF_8)).isEqualTo("broken");
  }

  @Test
  void redirect_is_returned_not_followed() throws Exception {
    TestHttpServer server =
        track(TestHttpServer.start(request -> response(302, "", "location", "/elsewhere")));
    NettyTransport transport = track(loopbackTransport(Duration.ofSeconds(2)));

    DeliveryOutcome outcome = sendAndWait(transport, request(urlOf(server), jsonBody()));

    assertThat(outcome.statusCode()).isEqualTo(302);
    assertThat(outcome.successful()).isFalse();
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void retry_after_seconds_become_delay() throws Exception {
    TestHttpServer server =
        track(TestHttpServer.start(request -> response(503, "busy", "retry-after", "7")));
    NettyTransport transport = track(loopbackTransport(Duration.ofSeconds(2)));

    DeliveryOutcome outcome = sendAndWait(transport, request(urlOf(server), jsonBody()));

    assertThat(outcome.statusCode()).isEqualTo(503);
    assertThat(outcome.retryAfter()).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void large_body_keeps_first_4096_bytes() throws Exception {
    byte[] responseBody = new byte[10_000];
    for (int i = 0; i < responseBody.length; i++) {
      responseBody[i] = (byte) ('a' + i % 26);
    }
    TestHttpServer server = track(TestHttpServer.start(request -> response(200, responseBody)));
    NettyTransport transport = track(loopbackTransport(Duration.ofSeconds(2)));

    DeliveryOutcome outcome = sendAndWait(transport, request(urlOf(server), jsonBody()));

    assertThat(outcome.statusCode()).isEqualTo(200);
    assertThat(outcome.responseSnippet())
        .isEqualTo(Arrays.copyOf(responseBody, Attempt.MAX_RESPONSE_BYTES));
  }

  @Test
  void endless_body_completes_and_closes() throws Exception {
    AtomicBoolean streamStopped = new AtomicBoolean();
    RawServer server =
        track(
            RawServer.start(
                socket -> {
                  RawServer.readRequest(socket);
                  streamEndlessChunkedBody(socket, streamStopped);
                }));
    NettyTransport transport = track(loopbackTransport(Duration.ofSeconds(10)));
    long start = System.nanoTime();

    DeliveryOutcome outcome = sendAndWait(transport, request(urlOf(server), jsonBody()));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(outcome.statusCode()).isEqualTo(200);
    assertThat(outcome.responseSnippet()).hasSize(Attempt.MAX_RESPONSE_BYTES);
    await().atMost(WAIT).untilTrue(streamStopped);
  }

  @Test
  void silent_server_times_out() throws Exception {
    RawServer server =
        track(
            RawServer.start(
                socket -> {
                  RawServer.readRequest(socket);
                  RawServer.awaitClientClose(socket);
                }));
    NettyTransport transport = track(loopbackTransport(Duration.ofMillis(500)));

    DeliveryOutcome outcome = sendAndWait(transport, request(urlOf(server), jsonBody()));

    assertThat(outcome.statusCode()).isZero();
    assertThat(outcome.error()).contains("timed out after 500ms");
    assertThat(outcome.error()).contains("waiting for the response");
    assertThat(outcome.duration()).isBetween(Duration.ofMillis(450), Duration.ofSeconds(2));
  }

  @Test
  void dripping_server_is_capped_by_timeout() throws Exception {
    byte[] answer =
        "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII);
    RawServer server =
        track(
            RawServer.start(
                socket -> {
                  RawServer.readRequest(socket);
                  OutputStream out = socket.getOutputStream();
                  for (byte b : answer) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(100);
                  }
                }));
    NettyTransport transport = track(loopbackTransport(Duration.ofMillis(500)));

    DeliveryOutcome outcome = sendAndWait(transport, request(urlOf(server), jsonBody()));

    assertThat(outcome.statusCode()).isZero();
    assertThat(outcome.error()).contains("timed out after 500ms");
    assertThat(outcome.duration()).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void closed_port_fails_with_connection_refused() throws Exception {
    int port = RawServer.closedPort();
    NettyTransport transport = track(loopbackTransport(Duration.ofSeconds(2)));

    DeliveryOutcome outcome =
        sendAndWait(transport, request("http://127.0.0.1:" + port + "/", jsonBody()));

    assertThat(outcome.statusCode()).isZero();
    assertThat(outcome.error()).isEqualTo("connection refused by 127.0.0.1:" + port);
  }

  @Test
  void reset_after_request_fails() throws Exception {
    RawServer server =
        track(
            RawServer.start(
                socket -> {
                  RawServer.readRequest(socket);
                  socket.setSoLinger(true, 0);
                  socket.close();
                }));
    NettyTransport transport = track(loopbackTransport(Duration.ofSeconds(2)));

    DeliveryOutcome outcome = sendAndWait(transport, request(urlOf(server), jsonBody()));

    assertThat(outcome.statusCode()).isZero();
    assertThat(outcome.error())
        .isEqualTo("connection to 127.0.0.1:" + server.port() + " reset by peer");
  }

  @Test
  void close_without_response_fails() throws Exception {
    RawServer server = track(RawServer.start(RawServer::readRequest));
    NettyTransport transport = track(loopbackTransport(Duration.ofSeconds(2)));

    DeliveryOutcome outcome = sendAndWait(transport, request(urlOf(server), jsonBody()));

    assertThat(outcome.statusCode()).isZero();
    assertThat(outcome.error())
        .isEqualTo("connection closed by 127.0.0.1:" + server.port() + " before a response");
  }

  @Test
  void unanswered_connect_times_out() throws Exception {
    try (ServerSocket fullBacklog = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      List<Socket> queued = fillBacklog(fullBacklog.getLocalPort());
      NettyTransport transport =
          track(
              NettyTransport.builder()
                  .allowPrivateAddresses(true)
                  .eventLoopThreads(1)
                  .connectTimeout(Duration.ofMillis(300))
                  .requestTimeout(Duration.ofSeconds(3))
                  .build());
      String url = "http://127.0.0.1:" + fullBacklog.getLocalPort() + "/hook";

      DeliveryOutcome outcome = sendAndWait(transport, request(url, jsonBody()));

      for (Socket socket : queued) {
        socket.close();
      }
      assertThat(outcome.error())
          .isEqualTo("connect timed out after 300ms to 127.0.0.1:" + fullBacklog.getLocalPort());
      assertThat(outcome.duration()).isLessThan(Duration.ofSeconds(2));
    }
  }

  @Test
  void truncated_body_fails() throws Exception {
    byte[] answer =
        "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nabc".getBytes(StandardCharsets.US_ASCII);
    RawServer server =
        track(
            RawServer.start(
                socket -> {
                  RawServer.readRequest(socket);
                  socket.getOutputStream().write(answer);
                }));
    NettyTransport transport = track(loopbackTransport(Duration.ofSeconds(2)));

    DeliveryOutcome outcome = sendAndWait(transport, request(urlOf(server), jsonBody()));

    assertThat(outcome.statusCode()).isZero();
    assertThat(outcome.error())
        .isEqualTo(
            "connection closed by 127.0.0.1:" + server.port() + " in the body of a 200 response");
  }

  @Test
  void informational_response_is_skipped() throws Exception {
    byte[] answer =
        ("HTTP/1.1 100 Continue\r\n\r\n" + "HTTP/1.1 201 Created\r\ncontent-length: 4\r\n\r\ndone")
            .getBytes(StandardCharsets.US_ASCII);
    RawServer server =
        track(
            RawServer.start(
                socket -> {
                  RawServer.readRequest(socket);
                  socket.getOutputStream().write(answer);
                  RawServer.awaitClientClose(socket);
                }));
    NettyTransport transport = track(loopbackTransport(Duration.ofSeconds(2)));

    DeliveryOutcome outcome = sendAndWait(transport, request(urlOf(server), jsonBody()));

    assertThat(outcome.statusCode()).isEqualTo(201);
    assertThat(new String(outcome.responseSnippet(), StandardCharsets.US_ASCII)).isEqualTo("done");
  }

  @Test
  void connection_limit_queues_concurrent_requests() throws Exception {
    TestHttpServer server = track(TestHttpServer.start(request -> response(200, "ok")));
    NettyTransport transport =
        track(
            NettyTransport.builder()
                .allowPrivateAddresses(true)
                .eventLoopThreads(1)
                .maxConnectionsPerHost(1)
                .build());
    List<CompletableFuture<DeliveryOutcome>> pending = new ArrayList<>();

    for (int i = 0; i < 5; i++) {
      pending.add(transport.send(request(urlOf(server), jsonBody())).toCompletableFuture());
    }

    for (CompletableFuture<DeliveryOutcome> outcome : pending) {
      assertThat(outcome.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    assertThat(server.acceptedConnections()).isEqualTo(1);
  }

  @Test
  void wait_for_pooled_connection_is_not_request_time() throws Exception {
    TestHttpServer server =
        track(
            TestHttpServer.start(
                request -> {
                  // A receiver that takes 300 ms to process each request.
                  LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
                  return response(200, "ok");
                }));
    NettyTransport transport =
        track(
            NettyTransport.builder()
                .allowPrivateAddresses(true)
                .eventLoopThreads(1)
                .maxConnectionsPerHost(1)
                .requestTimeout(Duration.ofMillis(500))
                .build());
    List<CompletableFuture<DeliveryOutcome>> pending = new ArrayList<>();

    // The second request waits 300 ms for the connection, then takes 300 ms: 600 ms in all, more
    // than the timeout, but within it once sent.
    for (int i = 0; i < 2; i++) {
      pending.add(transport.send(request(urlOf(server), jsonBody())).toCompletableFuture());
    }

    for (CompletableFuture<DeliveryOutcome> outcome : pending) {
      assertThat(outcome.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void sequential_requests_share_one_connection() throws Exception {
    TestHttpServer server = track(TestHttpServer.start(request -> response(200, "ok")));
    NettyTransport transport = track(loopbackTransport(Duration.ofSeconds(2)));

    DeliveryOutcome first = sendAndWait(transport, request(urlOf(server), jsonBody()));
    DeliveryOutcome second = sendAndWait(transport, request(urlOf(server), jsonBody()));

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(server.requests()).hasSize(2);
    assertThat(server.acceptedConnections()).isEqualTo(1);
  }

  @Test
  void connection_close_response_is_not_reused() throws Exception {
    TestHttpServer server =
        track(TestHttpServer.start(request -> response(200, "ok", "connection", "close")));
    NettyTransport transport = track(loopbackTransport(Duration.ofSeconds(2)));

    sendAndWait(transport, request(urlOf(server), jsonBody()));
    DeliveryOutcome second = sendAndWait(transport, request(urlOf(server), jsonBody()));

    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(server.acceptedConnections()).isEqualTo(2);
  }

  @Test
  void default_transport_rejects_loopback_literal() throws Exception {
    RawServer server = track(RawServer.start(RawServer::readRequest));
    NettyTransport transport = track(NettyTransport.builder().eventLoopThreads(1).build());

    DeliveryOutcome outcome = sendAndWait(transport, request(urlOf(server), jsonBody()));

    assertThat(outcome.statusCode()).isZero();
    assertThat(outcome.error())
        .isEqualTo(
            "host 127.0.0.1 is a loopback address (127.0.0.0/8); add its range to"
                + " allowedRanges or set allowPrivateAddresses(true) to deliver to it");
    assertThat(server.acceptedConnections()).isZero();
  }

  @Test
  void default_transport_rejects_localhost_name() throws Exception {
    RawServer server = track(RawServer.start(RawServer::readRequest));
    NettyTransport transport = track(NettyTransport.builder().eventLoopThreads(1).build());

    DeliveryOutcome outcome =
        sendAndWait(transport, request("http://localhost:" + server.port() + "/", jsonBody()));

    assertThat(outcome.statusCode()).isZero();
    assertThat(outcome.error()).startsWith("host localhost resolves to ");
    assertThat(outcome.error()).contains("a loopback address");
    assertThat(server.acceptedConnections()).isZero();
  }

  @Test
  void stalled_lookup_is_capped_by_timeout() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    NettyTransport transport =
        track(
            NettyTransport.builder()
                .eventLoopThreads(1)
                .requestTimeout(Duration.ofMillis(500))
                .allowPrivateAddresses(true)
                .hostResolver(
                    host -> {
                      try {
                        release.await(10, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return new InetAddress[] {address("127.0.0.1")};
                    })
                .build());

    try {
      DeliveryOutcome outcome =
          sendAndWait(transport, request("http://slow-dns.test/hook", jsonBody()));

      assertThat(outcome.error())
          .isEqualTo(
              "request timed out after 500ms while waiting for a connection to slow-dns.test:80");
      assertThat(outcome.duration()).isLessThan(Duration.ofMillis(1500));
    } finally {
      release.countDown();
    }
  }

  @Test
  void resolved_private_address_is_rejected() throws Exception {
    List<String> lookedUp = new CopyOnWriteArrayList<>();
    NettyTransport transport =
        track(
            NettyTransport.builder()
                .eventLoopThreads(1)
                .connectTimeout(Duration.ofSeconds(10))
                .hostResolver(
                    host -> {
                      lookedUp.add(host);
                      return new InetAddress[] {address("10.0.0.1")};
                    })
                .build());

    DeliveryOutcome outcome =
        sendAndWait(transport, request("http://internal.test/hook", jsonBody()));

    assertThat(lookedUp).containsExactly("internal.test");
    assertThat(outcome.error())
        .isEqualTo(
            "host internal.test resolves to 10.0.0.1, a private address (10.0.0.0/8);"
                + " add its range to allowedRanges or set allowPrivateAddresses(true) to deliver"
                + " to it");
    assertThat(outcome.duration()).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void allowed_range_reaches_loopback_receiver() throws Exception {
    TestHttpServer server = track(TestHttpServer.start(request -> response(200, "ok")));
    NettyTransport transport =
        track(
            NettyTransport.builder()
                .eventLoopThreads(1)
                .allowedRanges(List.of("127.0.0.0/8"))
                .hostResolver(host -> new InetAddress[] {address("127.0.0.1")})
                .build());

    DeliveryOutcome byLiteral = sendAndWait(transport, request(urlOf(server), jsonBody()));
    DeliveryOutcome byName =
        sendAndWait(
            transport, request("http://receiver.test:" + server.port() + "/hook", jsonBody()));

    assertThat(byLiteral.statusCode()).isEqualTo(200);
    assertThat(byName.statusCode()).isEqualTo(200);
    assertThat(server.requests()).hasSize(2);
  }

  @Test
  void allowed_range_keeps_other_loopback_rejected() throws Exception {
    RawServer server = track(RawServer.start(RawServer::readRequest));
    NettyTransport transport =
        track(
            NettyTransport.builder()
                .eventLoopThreads(1)
                .allowedRanges(List.of("127.0.0.2/32"))
                .build());

    DeliveryOutcome outcome = sendAndWait(transport, request(urlOf(server), jsonBody()));

    assertThat(outcome.error()).startsWith("host 127.0.0.1 is a loopback address (127.0.0.0/8)");
    assertThat(server.acceptedConnections()).isZero();
  }

  @Test
  void loopback_in_other_form_is_rejected() throws Exception {
    RawServer server = track(RawServer.start(RawServer::readRequest));
    List<String> lookedUp = new CopyOnWriteArrayList<>();
    NettyTransport transport =
        track(
            NettyTransport.builder()
                .eventLoopThreads(1)
                .hostResolver(
                    host -> {
                      lookedUp.add(host);
                      return new InetAddress[] {address("8.8.8.8")};
                    })
                .build());

    DeliveryOutcome outcome =
        sendAndWait(transport, request("http://2130706433:" + server.port() + "/hook", jsonBody()));

    assertThat(outcome.error())
        .startsWith("host 2130706433 (read as 127.0.0.1) is a loopback address (127.0.0.0/8)");
    assertThat(lookedUp).isEmpty();
    assertThat(server.acceptedConnections()).isZero();
  }

  @Test
  void unknown_host_fails_with_dns_error() throws Exception {
    NettyTransport transport =
        track(
            NettyTransport.builder()
                .eventLoopThreads(1)
                .hostResolver(host -> new InetAddress[0])
                .build());

    DeliveryOutcome outcome =
        sendAndWait(transport, request("https://nowhere.test/hook", jsonBody()));

    assertThat(outcome.error()).isEqualTo("DNS lookup of nowhere.test returned no address");
  }

  @Test
  void header_with_newline_fails_without_sending() throws Exception {
    TestHttpServer server = track(TestHttpServer.start(request -> response(200, "ok")));
    NettyTransport transport = track(loopbackTransport(Duration.ofSeconds(2)));
    Map<String, String> headers = Map.of("x-injected", "a\r\nx-evil: 1");

    DeliveryOutcome outcome = sendAndWait(transport, request(urlOf(server), jsonBody(), headers));

    assertThat(outcome.error()).contains("request header x-injected");
    assertThat(outcome.error()).doesNotContain("evil");
    assertThat(server.acceptedConnections()).isZero();
  }

  @Test
  void unsupported_scheme_fails() throws Exception {
    NettyTransport transport = track(loopbackTransport(Duration.ofSeconds(2)));

    DeliveryOutcome outcome = sendAndWait(transport, request("ftp://127.0.0.1/file", jsonBody()));

    assertThat(outcome.error()).contains("scheme 'ftp' is not supported");
  }

  @Test
  void null_request_returns_failure() throws Exception {
    NettyTransport transport = track(loopbackTransport(Duration.ofSeconds(2)));

    DeliveryOutcome outcome =
        transport.send(null).toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

    assertThat(outcome.error()).isEqualTo("invalid request: request is null");
  }

  @Test
  void send_after_close_returns_failure() throws Exception {
    NettyTransport transport = loopbackTransport(Duration.ofSeconds(2));
    transport.close();

    DeliveryOutcome outcome = sendAndWait(transport, request("http://127.0.0.1:9/", jsonBody()));

    assertThat(outcome.statusCode()).isZero();
    assertThat(outcome.error()).isEqualTo("transport is closed; no request was sent");
  }

  @Test
  void close_fails_attempts_in_flight() throws Exception {
    RawServer server =
        track(
            RawServer.start(
                socket -> {
                  RawServer.readRequest(socket);
                  RawServer.awaitClientClose(socket);
                }));
    NettyTransport transport = loopbackTransport(Duration.ofSeconds(10));
    CompletionStage<DeliveryOutcome> pending = transport.send(request(urlOf(server), jsonBody()));
    await().atMost(WAIT).until(() -> server.acceptedConnections() == 1);

    transport.close();

    DeliveryOutcome outcome = pending.toCompletableFuture().get(1, TimeUnit.SECONDS);
    assertThat(outcome.error()).isEqualTo("transport closed before the attempt ended");
  }

  @Test
  void close_closes_pooled_connections() throws Exception {
    AtomicBoolean clientClosed = new AtomicBoolean();
    byte[] answer =
        "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    RawServer server =
        track(
            RawServer.start(
                socket -> {
                  RawServer.readRequest(socket);
                  socket.getOutputStream().write(answer);
                  RawServer.awaitClientClose(socket);
                  clientClosed.set(true);
                }));
    NettyTransport transport = loopbackTransport(Duration.ofSeconds(2));
    sendAndWait(transport, request(urlOf(server), jsonBody()));

    transport.close();

    await().atMost(WAIT).untilTrue(clientClosed);
  }

  /** Opens connections until the server's accept queue is full and new connects hang. */
  private static List<Socket> fillBacklog(int port) throws Exception {
    List<Socket> queued = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Socket socket = new Socket();
      try {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        queued.add(socket);
      } catch (SocketTimeoutException e) {
        socket.close();
        return queued;
      }
    }
    throw new IllegalStateException("accept queue of port " + port + " never filled up");
  }

  private static void streamEndlessChunkedBody(Socket socket, AtomicBoolean stopped)
      throws Exception {
    OutputStream out = socket.getOutputStream();
    byte[] chunk = new byte[8192];
    Arrays.fill(chunk, (byte) 'x');
    byte[] chunkHeader = "2000\r\n".getBytes(StandardCharsets.US_ASCII);
    byte[] crlf = "\r\n".getBytes(StandardCharsets.US_ASCII);
    try {
      out.write(
          "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      while (true) {
        out.write(chunkHeader);
        out.write(chunk);
        out.write(crlf);
      }
    } finally {
      stopped.set(true);
    }
  }

  private static NettyTransport loopbackTransport(Duration requestTimeout) {
    return NettyTransport.builder()
        .allowPrivateAddresses(true)
        .eventLoopThreads(1)
        .requestTimeout(requestTimeout)
        .build();
  }

  private static DeliveryOutcome sendAndWait(NettyTransport transport, DeliveryRequest request)
      throws Exception {
    return transport
        .send(request)
        .toCompletableFuture()
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  static DeliveryRequest request(String url, byte[] body) {
    return request(url, body, Map.of("webhook-id", "msg_test"));
  }

  static DeliveryRequest request(String url, byte[] body, Map<String, String> headers) {
    return new DeliveryRequest(
        1L, UUID.randomUUID(), UUID.randomUUID(), URI.create(url), "test.event", 1, headers, body);
  }

  private static byte[] jsonBody() {
    return "{\"type\":\"test.event\"}".getBytes(StandardCharsets.UTF_8);
  }

  private static String urlOf(TestHttpServer server) {
    return "http://127.0.0.1:" + server.port() + "/hook";
  }

  private static String urlOf(RawServer server) {
    return "http://127.0.0.1:" + server.port() + "/hook";
  }

  private static InetAddress address(String literal) {
    return AddressFilter.parseLiteral(literal).orElseThrow();
  }

  private <T extends AutoCloseable> T track(T resource) {
    resources.add(0, resource);
    return resource;
  }
}
