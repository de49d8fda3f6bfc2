package io.webhookdispatcher.netty;

import static io.webhookdispatcher.netty.TestHttpServer.response;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.webhookdispatcher.spi.DeliveryOutcome;
import io.webhookdispatcher.spi.DeliveryRequest;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Dropping idle connection pools and reusing DNS answers, with time moved by a test ticker. */
class NettyTransportPoolsTest {

  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final byte[] BODY = "{}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] OK_RESPONSE =
      "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeResources() throws Exception {
    for (AutoCloseable resource : resources) {
      resource.close();
    }
  }

  @Test
  void idle_pool_dropped_and_closed() throws Exception {
    AtomicBoolean clientClosed = new AtomicBoolean();
    RawServer server =
        track(
            RawServer.start(
                socket -> {
                  RawServer.readRequest(socket);
                  socket.getOutputStream().write(OK_RESPONSE);
                  RawServer.awaitClientClose(socket);
                  clientClosed.set(true);
                }));
    NettyTransport transport = track(tickedTransport());
    sendAndWait(transport, urlOf(server.port()));
    now.addAndGet(NettyTransport.IDLE_POOL_TIMEOUT.toNanos());

    transport.closeIdlePools();

    assertThat(transport.poolCount()).isZero();
    await().atMost(WAIT).untilTrue(clientClosed);
  }

  @Test
  void pool_used_within_timeout_is_kept() throws Exception {
    TestHttpServer server = track(TestHttpServer.start(request -> response(200, "ok")));
    NettyTransport transport = track(tickedTransport());
    sendAndWait(transport, urlOf(server.port()));
    now.addAndGet(NettyTransport.IDLE_POOL_TIMEOUT.toNanos() - 1);

    transport.closeIdlePools();
    DeliveryOutcome second = sendAndWait(transport, urlOf(server.port()));

    assertThat(transport.poolCount()).isEqualTo(1);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(server.acceptedConnections()).isEqualTo(1);
  }

  @Test
  void pool_with_attempt_in_flight_is_kept() throws Exception {
    CountDownLatch requestRead = new CountDownLatch(1);
    CountDownLatch answer = new CountDownLatch(1);
    RawServer server =
        track(
            RawServer.start(
                socket -> {
                  RawServer.readRequest(socket);
                  requestRead.countDown();
                  answer.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                  socket.getOutputStream().write(OK_RESPONSE);
                  RawServer.awaitClientClose(socket);
                }));
    NettyTransport transport = track(tickedTransport());
    CompletionStage<DeliveryOutcome> pending =
        transport.send(NettyTransportTest.request(urlOf(server.port()), BODY));
    assertThat(requestRead.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    now.addAndGet(NettyTransport.IDLE_POOL_TIMEOUT.toNanos() * 2);

    transport.closeIdlePools();
    answer.countDown();
    DeliveryOutcome outcome =
        pending.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

    assertThat(outcome.statusCode()).isEqualTo(200);
    assertThat(transport.poolCount()).isEqualTo(1);
  }

  @Test
  void dropped_pool_is_recreated_on_next_attempt() throws Exception {
    TestHttpServer server = track(TestHttpServer.start(request -> response(200, "ok")));
    NettyTransport transport = track(tickedTransport());
    sendAndWait(transport, urlOf(server.port()));
    now.addAndGet(NettyTransport.IDLE_POOL_TIMEOUT.toNanos());
    transport.closeIdlePools();

    DeliveryOutcome outcome = sendAndWait(transport, urlOf(server.port()));

    assertThat(outcome.statusCode()).isEqualTo(200);
    assertThat(transport.poolCount()).isEqualTo(1);
    assertThat(server.acceptedConnections()).isEqualTo(2);
  }

  @Test
  void only_idle_pools_are_dropped() throws Exception {
    TestHttpServer first = track(TestHttpServer.start(request -> response(200, "ok")));
    TestHttpServer second = track(TestHttpServer.start(request -> response(200, "ok")));
    NettyTransport transport = track(tickedTransport());
    sendAndWait(transport, urlOf(first.port()));
    now.addAndGet(NettyTransport.IDLE_POOL_TIMEOUT.toNanos() / 2);
    sendAndWait(transport, urlOf(second.port()));
    now.addAndGet(NettyTransport.IDLE_POOL_TIMEOUT.toNanos() / 2);

    transport.closeIdlePools();

    assertThat(transport.poolCount()).isEqualTo(1);
  }

  @Test
  void idle_pools_are_dropped_on_schedule() throws Exception {
    TestHttpServer server = track(TestHttpServer.start(request -> response(200, "ok")));
    NettyTransport transport =
        track(
            NettyTransport.builder()
                .allowPrivateAddresses(true)
                .eventLoopThreads(1)
                .idlePoolTimeout(Duration.ofMillis(200))
                .build());

    sendAndWait(transport, urlOf(server.port()));

    await().atMost(WAIT).until(() -> transport.poolCount() == 0);
  }

  @Test
  void busy_host_is_resolved_once_per_ttl() throws Exception {
    TestHttpServer server =
        track(TestHttpServer.start(request -> response(200, "ok", "connection", "close")));
    List<String> lookedUp = new CopyOnWriteArrayList<>();
    NettyTransport transport =
        track(
            NettyTransport.builder()
                .allowPrivateAddresses(true)
                .eventLoopThreads(1)
                .nanoTicker(now::get)
                .hostResolver(
                    host -> {
                      lookedUp.add(host);
                      return new InetAddress[] {InetAddress.getLoopbackAddress()};
                    })
                .build());
    String url = "http://receiver.test:" + server.port() + "/hook";

    for (int i = 0; i < 3; i++) {
      assertThat(sendAndWait(transport, url).statusCode()).isEqualTo(200);
    }
    now.addAndGet(NettyTransport.DNS_CACHE_TTL.toNanos());
    assertThat(sendAndWait(transport, url).statusCode()).isEqualTo(200);

    assertThat(server.acceptedConnections()).isEqualTo(4);
    assertThat(lookedUp).containsExactly("receiver.test", "receiver.test");
  }

  private NettyTransport tickedTransport() {
    return NettyTransport.builder()
        .allowPrivateAddresses(true)
        .eventLoopThreads(1)
        .requestTimeout(Duration.ofSeconds(3))
        .nanoTicker(now::get)
        .build();
  }

  private static String urlOf(int port) {
    return "http://127.0.0.1:" + port + "/hook";
  }

  private static DeliveryOutcome sendAndWait(NettyTransport transport, String url)
      throws Exception {
    DeliveryRequest request = NettyTransportTest.request(url, BODY);
    return transport
        .send(request)
        .toCompletableFuture()
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private <T extends AutoCloseable> T track(T resource) {
    resources.add(0, resource);
    return resource;
  }
}
