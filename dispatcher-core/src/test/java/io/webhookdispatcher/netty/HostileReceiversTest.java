package io.webhookdispatcher.netty;

import static io.webhookdispatcher.netty.TestHttpServer.response;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.webhookdispatcher.Attempt;
import io.webhookdispatcher.netty.HostileServer.Behaviour;
import io.webhookdispatcher.spi.DeliveryOutcome;
import io.webhookdispatcher.spi.DeliveryRequest;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Receivers that misbehave on purpose. Each test sends to one of them and to a well-behaved
 * receiver through one transport with a single event loop thread. Every attempt must end within
 * the request timeout, counted from the call to {@code send} and not only between bytes, with an
 * error or status that names what happened, and must not delay the well-behaved receiver.
 */
class HostileReceiversTest {

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);

  /** Time allowed past the request timeout for the timer to fire and the outcome to complete. */
  private static final Duration TIMER_SLACK = Duration.ofMillis(500);

  /** Maximum time that a request to the well-behaved receiver may take. */
  private static final Duration QUICK = Duration.ofMillis(300);

  private static final Duration WAIT = Duration.ofSeconds(5);

  /**
   * Bytes that socket buffers may hold on one loopback connection beyond what the transport reads:
   * the server's small send buffer and the client's receive buffer, which starts at 128 KiB on
   * Linux ({@code net.ipv4.tcp_rmem}) and may grow. About 230 KiB in all were sent per connection
   * on a Linux test machine. 4 MiB leaves room for other kernels and still proves that the
   * transport stopped reading long before the 1 GiB body ended.
   */
  private static final long SOCKET_BUFFER_ALLOWANCE = 4L << 20;

  private HostileServer hostile;
  private TestHttpServer wellBehaved;
  private NettyTransport transport;

  @BeforeEach
  void start() {
    hostile = HostileServer.start();
    wellBehaved = TestHttpServer.start(request -> response(200, "ok"));
    transport = transport(REQUEST_TIMEOUT);
  }

  @AfterEach
  void stop() {
    transport.close();
    wellBehaved.close();
    hostile.close();
  }

  @Test
  void never_answering_receiver_times_out() throws Exception {
    CompletableFuture<Timed> pending = sendTimed(hostile.url(Behaviour.NEVER_ANSWER));
    await().atMost(WAIT).until(() -> hostile.requests(Behaviour.NEVER_ANSWER) == 1);

    assertWellBehavedServedWhile(pending);

    Timed result = pending.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(result.outcome().statusCode()).isZero();
    assertThat(result.outcome().error())
        .isEqualTo(
            "request timed out after 1s waiting for the response from " + hostile.authority());
    assertCappedByRequestTimeout(result);
    await().atMost(WAIT).until(() -> hostile.openConnections() == 0);
  }

  @Test
  void non_reading_receiver_times_out_sending() throws Exception {
    try (HostileServer neverReading = HostileServer.start(Behaviour.NEVER_READ)) {
      // Larger than the socket buffers of both ends can hold (about 4 MiB on Linux by default), so
      // the write never completes.
      byte[] body = new byte[16 << 20];
      CompletableFuture<Timed> pending =
          sendTimed(NettyTransportTest.request(neverReading.url(Behaviour.NEVER_READ), body));
      await().atMost(WAIT).until(() -> neverReading.openConnections() == 1);

      assertWellBehavedServedWhile(pending);

      Timed result = pending.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(result.outcome().statusCode()).isZero();
      assertThat(result.outcome().error())
          .isEqualTo(
              "request timed out after 1s sending the request to " + neverReading.authority());
      assertCappedByRequestTimeout(result);
      neverReading.startReading();
      await().atMost(WAIT).until(() -> neverReading.openConnections() == 0);
    }
  }

  @Test
  void stalled_tls_handshake_times_out() throws Exception {
    try (HostileServer neverReading = HostileServer.start(Behaviour.NEVER_READ)) {
      String url = "https://" + neverReading.authority() + "/hook";
      CompletableFuture<Timed> pending = sendTimed(url);
      await().atMost(WAIT).until(() -> neverReading.openConnections() == 1);

      assertWellBehavedServedWhile(pending);

      Timed result = pending.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(result.outcome().statusCode()).isZero();
      assertThat(result.outcome().error())
          .isEqualTo(
              "request timed out after 1s during the TLS handshake with "
                  + neverReading.authority());
      assertCappedByRequestTimeout(result);
      neverReading.startReading();
      await().atMost(WAIT).until(() -> neverReading.openConnections() == 0);
    }
  }

  @Test
  void dripped_head_hits_total_timeout() throws Exception {
    CompletableFuture<Timed> pending = sendTimed(hostile.url(Behaviour.DRIP_HEAD));
    await().atMost(WAIT).until(() -> hostile.requests(Behaviour.DRIP_HEAD) == 1);

    assertWellBehavedServedWhile(pending);

    Timed result = pending.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(result.outcome().statusCode()).isZero();
    assertThat(result.outcome().error())
        .isEqualTo(
            "request timed out after 1s waiting for the response from " + hostile.authority());
    assertCappedByRequestTimeout(result);
    // A byte arrived every 200 ms, so a timer that counted only idle time would never have fired.
    assertThat(hostile.bytesSent()).isGreaterThanOrEqualTo(4);
    await().atMost(WAIT).until(() -> hostile.openConnections() == 0);
  }

  @Test
  void dripped_body_hits_total_timeout() throws Exception {
    CompletableFuture<Timed> pending = sendTimed(hostile.url(Behaviour.DRIP_BODY));
    await().atMost(WAIT).until(() -> hostile.requests(Behaviour.DRIP_BODY) == 1);

    assertWellBehavedServedWhile(pending);

    Timed result = pending.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(result.outcome().statusCode()).isZero();
    assertThat(result.outcome().error())
        .isEqualTo(
            "request timed out after 1s reading the body of a 200 response from "
                + hostile.authority());
    assertCappedByRequestTimeout(result);
    await().atMost(WAIT).until(() -> hostile.openConnections() == 0);
  }

  @Test
  void endless_interim_responses_are_rejected() throws Exception {
    CompletableFuture<Timed> pending = sendTimed(hostile.url(Behaviour.ENDLESS_INTERIM_RESPONSES));
    CompletableFuture<Timed> good = sendTimed(urlOf(wellBehaved));

    Timed result = pending.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(result.outcome().statusCode()).isZero();
    assertThat(result.outcome().error())
        .isEqualTo(
            "invalid HTTP response from "
                + hostile.authority()
                + ": more than 100 informational (1xx) responses before the final response");
    assertThat(result.elapsed()).isLessThan(REQUEST_TIMEOUT);
    assertQuickSuccess(good);
    await().atMost(WAIT).until(() -> hostile.openConnections() == 0);
  }

  @Test
  void interim_responses_within_limit_are_skipped() throws Exception {
    String interim = "HTTP/1.1 102 Processing\r\n\r\n";
    byte[] answer =
        (interim.repeat(ResponseHandler.MAX_INFORMATIONAL_RESPONSES)
                + "HTTP/1.1 201 Created\r\ncontent-length: 4\r\n\r\ndone")
            .getBytes(StandardCharsets.US_ASCII);
    try (RawServer server =
        RawServer.start(
            socket -> {
              RawServer.readRequest(socket);
              socket.getOutputStream().write(answer);
              RawServer.awaitClientClose(socket);
            })) {

      Timed result =
          sendTimed("http://127.0.0.1:" + server.port() + "/hook")
              .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

      assertThat(result.outcome().error()).isNull();
      assertThat(result.outcome().statusCode()).isEqualTo(201);
    }
  }

  @Test
  void endless_header_block_is_rejected() throws Exception {
    CompletableFuture<Timed> pending = sendTimed(hostile.url(Behaviour.ENDLESS_HEADERS));
    CompletableFuture<Timed> good = sendTimed(urlOf(wellBehaved));

    Timed result = pending.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(result.outcome().statusCode()).isZero();
    assertThat(result.outcome().error())
        .isEqualTo(
            "invalid HTTP response from "
                + hostile.authority()
                + ": HTTP header is larger than 8192 bytes.");
    assertThat(result.elapsed()).isLessThan(REQUEST_TIMEOUT);
    assertQuickSuccess(good);
    await().atMost(WAIT).until(() -> hostile.openConnections() == 0);
  }

  @Test
  void endless_chunked_body_cut_at_limit() throws Exception {
    assertBodyCutAtDrainLimit(Behaviour.ENDLESS_CHUNKED_BODY);
  }

  @Test
  void huge_declared_body_cut_at_limit() throws Exception {
    assertBodyCutAtDrainLimit(Behaviour.HUGE_DECLARED_BODY);
  }

  @ParameterizedTest
  @EnumSource(
      value = Behaviour.class,
      names = {"ENDLESS_CHUNKED_BODY", "HUGE_DECLARED_BODY"})
  void concurrent_oversized_bodies_keep_heap_bounded(Behaviour behaviour) throws Exception {
    transport.close();
    transport = transport(Duration.ofSeconds(10));
    sendTimed(hostile.url(behaviour)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    await().atMost(WAIT).until(() -> hostile.openConnections() == 0);
    long sentBefore = hostile.bytesSent();
    long heapBefore = usedHeapAfterGc();

    List<CompletableFuture<Timed>> pending = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      pending.add(sendTimed(hostile.url(behaviour)));
    }
    List<DeliveryOutcome> outcomes = new ArrayList<>();
    for (CompletableFuture<Timed> attempt : pending) {
      outcomes.add(attempt.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).outcome());
    }
    await().atMost(WAIT).until(() -> hostile.openConnections() == 0);
    long heapGrowth = usedHeapAfterGc() - heapBefore;
    long sent = hostile.bytesSent() - sentBefore;

    for (DeliveryOutcome outcome : outcomes) {
      assertThat(outcome.statusCode()).isEqualTo(200);
      assertThat(outcome.responseSnippet()).hasSize(Attempt.MAX_RESPONSE_BYTES);
    }
    assertThat(sent).isGreaterThan(20L * NettyTransport.MAX_DRAINED_BODY_BYTES);
    // The outcomes, still referenced here, keep 20 snippets of 4 KiB each.
    assertThat(heapGrowth).isLessThan(sent / 4);
    assertThat(heapGrowth).isLessThan(2L << 20);
    assertThat(hostile.maxBytesSentOnOneConnection())
        .isLessThan(NettyTransport.MAX_DRAINED_BODY_BYTES + SOCKET_BUFFER_ALLOWANCE);
  }

  @Test
  void reset_after_request_fails_with_reset() throws Exception {
    CompletableFuture<Timed> pending = sendTimed(hostile.url(Behaviour.RESET_AFTER_REQUEST));
    CompletableFuture<Timed> good = sendTimed(urlOf(wellBehaved));

    Timed result = pending.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(result.outcome().statusCode()).isZero();
    assertThat(result.outcome().error())
        .isEqualTo("connection to " + hostile.authority() + " reset by peer");
    assertThat(result.elapsed()).isLessThan(REQUEST_TIMEOUT);
    assertQuickSuccess(good);
  }

  @Test
  void closed_kept_alive_connection_fails_once() throws Exception {
    String url = hostile.url(Behaviour.CLOSE_KEPT_ALIVE);
    DeliveryOutcome first = sendTimed(url).get(WAIT.toMillis(), TimeUnit.MILLISECONDS).outcome();

    CompletableFuture<Timed> pending = sendTimed(url);
    CompletableFuture<Timed> good = sendTimed(urlOf(wellBehaved));
    Timed second = pending.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    DeliveryOutcome third = sendTimed(url).get(WAIT.toMillis(), TimeUnit.MILLISECONDS).outcome();

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(second.outcome().statusCode()).isZero();
    assertThat(second.outcome().error())
        .isEqualTo("connection closed by " + hostile.authority() + " before a response");
    assertThat(second.elapsed()).isLessThan(REQUEST_TIMEOUT);
    assertThat(third.statusCode()).isEqualTo(200);
    assertThat(hostile.acceptedConnections()).isEqualTo(2);
    assertQuickSuccess(good);
  }

  @Test
  void redirect_to_internal_port_not_followed() throws Exception {
    try (TestHttpServer internal = TestHttpServer.start(request -> response(200, "internal"))) {
      String location = "http://127.0.0.1:" + internal.port() + "/";
      CompletableFuture<Timed> pending = sendTimed(hostile.redirectUrl(location));
      CompletableFuture<Timed> good = sendTimed(urlOf(wellBehaved));

      Timed result = pending.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(result.outcome().statusCode()).isEqualTo(302);
      assertThat(result.outcome().error()).isNull();
      assertThat(result.outcome().successful()).isFalse();
      assertThat(result.elapsed()).isLessThan(REQUEST_TIMEOUT);
      assertThat(hostile.requests(Behaviour.REDIRECT)).isEqualTo(1);
      assertThat(internal.acceptedConnections()).isZero();
      assertQuickSuccess(good);
    }
  }

  @Test
  void redirect_to_metadata_address_not_followed() throws Exception {
    // The transport has no code that reads Location, so no traffic leaves loopback here.
    CompletableFuture<Timed> pending =
        sendTimed(hostile.redirectUrl("http://169.254.169.254/latest/meta-data/"));
    CompletableFuture<Timed> good = sendTimed(urlOf(wellBehaved));

    Timed result = pending.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(result.outcome().statusCode()).isEqualTo(302);
    assertThat(result.outcome().error()).isNull();
    assertThat(result.outcome().successful()).isFalse();
    assertThat(result.elapsed()).isLessThan(REQUEST_TIMEOUT);
    assertThat(hostile.requests(Behaviour.REDIRECT)).isEqualTo(1);
    assertQuickSuccess(good);
  }

  @Test
  void silent_receivers_do_not_delay_others() throws Exception {
    List<CompletableFuture<Timed>> pending = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      pending.add(sendTimed(hostile.url(Behaviour.NEVER_ANSWER)));
    }
    await().atMost(WAIT).until(() -> hostile.requests(Behaviour.NEVER_ANSWER) == 20);

    for (CompletableFuture<Timed> attempt : pending) {
      assertWellBehavedServedWhile(attempt);
    }

    for (CompletableFuture<Timed> attempt : pending) {
      Timed result = attempt.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(result.outcome().error()).startsWith("request timed out after 1s");
      assertCappedByRequestTimeout(result);
    }
    await().atMost(WAIT).until(() -> hostile.openConnections() == 0);
  }

  /** One outcome and the time from the call to {@code send} until its stage completed. */
  private record Timed(DeliveryOutcome outcome, Duration elapsed) {}

  private void assertBodyCutAtDrainLimit(Behaviour behaviour) throws Exception {
    CompletableFuture<Timed> pending = sendTimed(hostile.url(behaviour));
    CompletableFuture<Timed> good = sendTimed(urlOf(wellBehaved));

    Timed result = pending.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    byte[] expectedSnippet = new byte[Attempt.MAX_RESPONSE_BYTES];
    Arrays.fill(expectedSnippet, HostileServer.BODY_BYTE);
    assertThat(result.outcome().statusCode()).isEqualTo(200);
    assertThat(result.outcome().error()).isNull();
    assertThat(result.outcome().responseSnippet()).isEqualTo(expectedSnippet);
    assertThat(result.elapsed()).isLessThan(REQUEST_TIMEOUT);
    assertQuickSuccess(good);
    await().atMost(WAIT).until(() -> hostile.openConnections() == 0);
    assertThat(hostile.bytesSent()).isGreaterThan(NettyTransport.MAX_DRAINED_BODY_BYTES);
    assertThat(hostile.bytesSent())
        .isLessThan(NettyTransport.MAX_DRAINED_BODY_BYTES + SOCKET_BUFFER_ALLOWANCE);
  }

  /**
   * Sends three requests in a row to the well-behaved receiver, each of which must succeed
   * quickly, while {@code hostileAttempt} is still running.
   */
  private void assertWellBehavedServedWhile(CompletableFuture<Timed> hostileAttempt)
      throws Exception {
    for (int i = 0; i < 3; i++) {
      assertQuickSuccess(sendTimed(urlOf(wellBehaved)));
    }
    assertThat(hostileAttempt).isNotDone();
  }

  private static void assertQuickSuccess(CompletableFuture<Timed> attempt) throws Exception {
    Timed result = attempt.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(result.outcome().statusCode()).isEqualTo(200);
    assertThat(result.elapsed()).isLessThan(QUICK);
  }

  private static void assertCappedByRequestTimeout(Timed result) {
    assertThat(result.elapsed()).isGreaterThanOrEqualTo(REQUEST_TIMEOUT);
    assertThat(result.elapsed()).isLessThan(REQUEST_TIMEOUT.plus(TIMER_SLACK));
    assertThat(result.outcome().duration()).isLessThanOrEqualTo(result.elapsed());
  }

  private CompletableFuture<Timed> sendTimed(String url) {
    return sendTimed(NettyTransportTest.request(url, "{}".getBytes(StandardCharsets.UTF_8)));
  }

  private CompletableFuture<Timed> sendTimed(DeliveryRequest request) {
    long start = System.nanoTime();
    return transport
        .send(request)
        .toCompletableFuture()
        .thenApply(outcome -> new Timed(outcome, Duration.ofNanos(System.nanoTime() - start)));
  }

  private static NettyTransport transport(Duration requestTimeout) {
    return NettyTransport.builder()
        .allowPrivateAddresses(true)
        .eventLoopThreads(1)
        .requestTimeout(requestTimeout)
        .build();
  }

  private static String urlOf(TestHttpServer server) {
    return "http://127.0.0.1:" + server.port() + "/hook";
  }

  /** Returns the heap in use after a full collection, when only reachable objects remain. */
  private static long usedHeapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    memory.gc();
    memory.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }
}
