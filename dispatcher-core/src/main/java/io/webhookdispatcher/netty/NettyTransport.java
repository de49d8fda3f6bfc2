package io.webhookdispatcher.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.webhookdispatcher.spi.DeliveryOutcome;
import io.webhookdispatcher.spi.DeliveryRequest;
import io.webhookdispatcher.spi.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends webhook attempts as HTTP/1.1 {@code POST} requests with Netty, over pooled keep-alive
 * connections.
 *
 * <p>Each attempt is bounded by two timers of {@link Builder#requestTimeout} each: one for name
 * resolution, connecting (through a proxy, up to its response to {@code CONNECT}) and any wait for
 * a free pooled connection, and, once a connection is ready, one for the TLS handshake, writing the
 * request and reading the response, which closes the connection when it fires. So an attempt ends
 * within about twice the request timeout, and time spent waiting for the pool never cuts short the
 * time that the receiver gets. Host names are resolved off the event loop, every resolved address
 * is checked with {@link AddressFilter#denyPrivate()} (except the {@link Builder#allowedRanges})
 * unless {@link Builder#allowPrivateAddresses} is set, and the connection goes to the checked
 * address. DNS answers are reused for {@link #DNS_CACHE_TTL}. Redirects are not followed: a 3xx
 * status is returned as a response like any other.
 *
 * <p>With a {@link Builder#proxy}, every connection goes to the proxy and opens a tunnel with
 * {@code CONNECT host:port}. The proxy resolves the endpoint's host name, so only IP literal hosts
 * are checked with the address filter. See {@link Builder#proxy}.
 *
 * <p>Connections are pooled per scheme, host and port. A pool that no attempt used for {@link
 * #IDLE_POOL_TIMEOUT} is closed and dropped, so a large and changing set of endpoint hosts does not
 * grow memory without bound.
 *
 * <p>{@link #send} never throws and its stage never completes exceptionally. The stage completes on
 * a Netty event loop thread, so callers must not block in stages chained to it without an executor
 * of their own.
 */
public final class NettyTransport implements Transport {

  /** Default total time of one attempt: 15 seconds. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(15);

  /** Default time allowed to open a TCP connection: 10 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** Default maximum number of open connections to one scheme, host and port: 32. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_HOST = 32;

  /**
   * Time after which an unused pooled connection is closed: 50 seconds. This is below the 60-second
   * default idle timeout of load balancers such as AWS Elastic Load Balancing. The client then
   * usually closes an idle connection first, so a request is rarely written to a connection that
   * the server is closing.
   */
  public static final Duration POOLED_CONNECTION_IDLE_TIMEOUT = Duration.ofSeconds(50);

  /**
   * Maximum number of response body bytes read before the connection is closed: 64 KiB. The first
   * {@link io.webhookdispatcher.Attempt#MAX_RESPONSE_BYTES} bytes are kept and the rest are
   * discarded. A connection is reused only when its whole body fits within this limit.
   */
  public static final int MAX_DRAINED_BODY_BYTES = 64 * 1024;

  /**
   * Time after which the connection pool of a scheme, host and port that no attempt used is closed
   * and dropped: 5 minutes. Pools are checked once a minute, so a pool may stay up to a minute
   * longer.
   */
  public static final Duration IDLE_POOL_TIMEOUT = Duration.ofMinutes(5);

  /**
   * Time for which the answer of a DNS lookup is reused before the host is looked up again: 30
   * seconds, whatever the TTL of the DNS records. Every address of a reused answer is checked
   * again.
   */
  public static final Duration DNS_CACHE_TTL = Duration.ofSeconds(30);

  /**
   * Maximum number of host names whose DNS answer is cached: 10,000. The least recently used name
   * is dropped first.
   */
  public static final int DNS_CACHE_MAX_HOSTS = 10_000;

  /** Maximum timeout accepted by the builder: 24 hours. */
  public static final Duration MAX_TIMEOUT = Duration.ofHours(24);

  /** Version in the default {@code User-Agent}: the version of the dispatcher-core build. */
  public static final String VERSION = implementationVersion();

  /**
   * Default {@code User-Agent} header: {@code webhook-dispatcher/} followed by {@link #VERSION}.
   */
  public static final String DEFAULT_USER_AGENT = "webhook-dispatcher/" + VERSION;

  private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);
  private static final String FALLBACK_VERSION = "0.1.0";
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);
  /** Threads that resolve host names; many, because a stranger's DNS may stall a lookup. */
  private static final int LOOKUP_THREADS = 16;

  /** Lookups that may wait for a thread; past it a lookup fails at once. */
  private static final int MAX_QUEUED_LOOKUPS = 10_000;
  private static final Duration IDLE_POOL_CHECK_INTERVAL = Duration.ofMinutes(1);
  private static final Set<String> FRAMING_HEADERS =
      Set.of("host", "content-length", "transfer-encoding", "connection");
  private static final String HTTPS_ONLY_ERROR =
      "request not sent: the URL scheme is http, but this transport sends over https only"
          + " (httpsOnly is set); use an https URL";

  private final Duration requestTimeout;
  private final Duration connectTimeout;
  private final int maxConnectionsPerHost;
  private final String userAgent;
  private final Proxy proxy;
  private final boolean httpsOnly;
  private final AddressFilter addressFilter;
  private final Clock clock = Clock.systemUTC();
  private final LongSupplier nanoTicker;
  private final Duration idlePoolTimeout;
  private final EventLoopGroup group;
  private final ThreadPoolExecutor lookupExecutor;
  private final FilteringResolverGroup resolverGroup;
  private final SslContext sslContext;
  private final Bootstrap bootstrap;
  private final ScheduledFuture<?> idlePoolCheck;
  private final ConcurrentMap<Target.PoolKey, PoolEntry> pools = new ConcurrentHashMap<>();
  private final Set<Exchange> inFlight = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  private NettyTransport(Builder builder) {
    this.requestTimeout = builder.requestTimeout;
    this.connectTimeout = min(builder.connectTimeout, builder.requestTimeout);
    this.maxConnectionsPerHost = builder.maxConnectionsPerHost;
    this.userAgent = builder.userAgent;
    this.nanoTicker = builder.nanoTicker;
    this.idlePoolTimeout = builder.idlePoolTimeout;
    this.proxy = builder.proxy;
    this.httpsOnly = builder.httpsOnly;
    this.sslContext = buildSslContext(builder.trustManagerFactory);

    this.lookupExecutor =
        new ThreadPoolExecutor(
            LOOKUP_THREADS,
            LOOKUP_THREADS,
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(MAX_QUEUED_LOOKUPS),
            new DefaultThreadFactory("webhook-dns", true));
    lookupExecutor.allowCoreThreadTimeOut(true);
    this.addressFilter = AddressFilter.of(builder.allowPrivateAddresses, builder.allowedRanges);
    // With a proxy, the transport resolves only the proxy's host name. The operator chose that
    // address, so it is not filtered.
    AddressFilter resolvedAddressFilter = proxy == null ? addressFilter : AddressFilter.allowAll();
    this.resolverGroup =
        new FilteringResolverGroup(
            builder.hostResolver,
            resolvedAddressFilter,
            lookupExecutor,
            nanoTicker,
            DNS_CACHE_TTL,
            DNS_CACHE_MAX_HOSTS);

    this.group =
        new MultiThreadIoEventLoopGroup(
            builder.eventLoopThreads,
            new DefaultThreadFactory("webhook-http", true),
            NioIoHandler.newFactory());
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .resolver(resolverGroup)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true);
    long checkNanos = Math.min(IDLE_POOL_CHECK_INTERVAL.toNanos(), idlePoolTimeout.toNanos());
    this.idlePoolCheck =
        group
            .next()
            .scheduleWithFixedDelay(
                this::closeIdlePoolsSafely, checkNanos, checkNanos, TimeUnit.NANOSECONDS);

    LOG.info(
        "Netty transport started: requestTimeout={}, connectTimeout={}, maxConnectionsPerHost={},"
            + " allowPrivateAddresses={}, allowedRanges={}, proxy={}, httpsOnly={},"
            + " eventLoopThreads={}, trustStore={}, userAgent={}",
        requestTimeout,
        connectTimeout,
        maxConnectionsPerHost,
        builder.allowPrivateAddresses,
        builder.allowedRanges,
        proxy == null ? "none" : proxy,
        httpsOnly,
        builder.eventLoopThreads == 0 ? "Netty default" : builder.eventLoopThreads,
        builder.trustManagerFactory == null ? "JVM default" : "custom",
        userAgent);
  }

  /** Returns a builder with every option at its default. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts one attempt. The stage completes with a response outcome for any HTTP status, and with a
   * failure outcome for everything else: an invalid URL or header, an http URL when the transport
   * sends over https only, a rejected address, a DNS, connect, proxy, TLS or I/O error, a timeout,
   * or a closed transport.
   */
  @Override
  public CompletionStage<DeliveryOutcome> send(DeliveryRequest request) {
    long startNanos = System.nanoTime();
    try {
      return sendOrFail(request, startNanos);
    } catch (RuntimeException e) {
      // A safety net for the contract of Transport: send never throws.
      return failed("request could not be started: " + e, startNanos);
    }
  }

  private CompletionStage<DeliveryOutcome> sendOrFail(DeliveryRequest request, long startNanos) {
    if (closed.get()) {
      return failed("transport is closed; no request was sent", startNanos);
    }
    if (request == null) {
      return failed("invalid request: request is null", startNanos);
    }
    Target target;
    try {
      target = Target.of(request.url());
      validateHeaders(request.headers());
    } catch (IllegalArgumentException e) {
      return failed(e.getMessage(), startNanos);
    }
    if (httpsOnly && !target.tls()) {
      return failed(HTTPS_ONLY_ERROR, startNanos);
    }
    if (proxy != null) {
      Optional<String> rejection = literalHostRejection(target.host());
      if (rejection.isPresent()) {
        return failed(rejection.get(), startNanos);
      }
    }
    LOG.debug(
        "Sending attempt {} of message {} to endpoint {}",
        request.attempt(),
        request.messageId(),
        request.endpointId());
    String proxyAuthority = proxy == null ? null : proxy.authority();
    Exchange exchange = new Exchange(request, target, requestTimeout, proxyAuthority);
    start(exchange);
    return exchange.result();
  }

  private void start(Exchange exchange) {
    inFlight.add(exchange);
    exchange.result().whenComplete((outcome, error) -> inFlight.remove(exchange));
    if (closed.get()) {
      // close() may have run after the check in send() and missed this attempt.
      exchange.abort("transport is closed; no request was sent");
      return;
    }
    try {
      PoolEntry entry = usePool(exchange.target().poolKey());
      exchange.result().whenComplete((outcome, error) -> entry.release(nanoTicker.getAsLong()));
      FixedChannelPool pool = entry.pool();
      // Resolving and connecting count against a timer of their own, so that a host whose DNS or
      // TCP never answers cannot hold an attempt longer than the request timeout before sending.
      exchange.deadline(
          group.next().schedule(exchange::timeOut, requestTimeout.toNanos(), TimeUnit.NANOSECONDS));
      pool.acquire().addListener(acquired -> onAcquired(exchange, pool, acquired));
    } catch (RuntimeException e) {
      // Rejected tasks once the event loops are shutting down end up here.
      exchange.abort(Failures.describe(e, exchange.target(), connectTimeout));
    }
  }

  private void onAcquired(Exchange exchange, FixedChannelPool pool, Future<?> acquired) {
    if (!acquired.isSuccess()) {
      exchange.fail(Failures.describe(acquired.cause(), exchange.target(), connectTimeout, proxy));
      return;
    }
    Channel channel = (Channel) acquired.getNow();
    // The request timeout starts once a connection is ready, so that time spent waiting for a
    // free pooled connection (bounded by the pool's acquire timeout, which equals the request
    // timeout) does not eat into the time the receiver gets. Otherwise a request sent late would
    // be recorded as timed out after the receiver had accepted it, and be sent again.
    try {
      exchange.deadline(
          channel
              .eventLoop()
              .schedule(exchange::timeOut, requestTimeout.toNanos(), TimeUnit.NANOSECONDS));
    } catch (RuntimeException e) {
      pool.release(channel);
      exchange.abort(Failures.describe(e, exchange.target(), connectTimeout));
      return;
    }
    if (!exchange.attach(channel, pool)) {
      // The attempt timed out or the transport closed while connecting: keep the connection.
      pool.release(channel);
      return;
    }
    try {
      channel.eventLoop().execute(() -> begin(exchange, channel));
    } catch (RuntimeException e) {
      exchange.abort(Failures.describe(e, exchange.target(), connectTimeout));
    }
  }

  /** Waits for the TLS handshake on a new connection, then writes the request. */
  private void begin(Exchange exchange, Channel channel) {
    Future<Channel> handshake = channel.attr(HttpPoolHandler.TLS_HANDSHAKE).get();
    if (handshake == null || handshake.isSuccess()) {
      beginRequest(exchange, channel);
      return;
    }
    // A failed handshake closes the channel, so its cause is taken from the handshake future.
    exchange.phase(Exchange.Phase.TLS_HANDSHAKE);
    handshake.addListener(
        done -> {
          if (done.isSuccess()) {
            beginRequest(exchange, channel);
          } else {
            exchange.fail(Failures.describe(done.cause(), exchange.target(), connectTimeout));
          }
        });
  }

  private void beginRequest(Exchange exchange, Channel channel) {
    ResponseHandler handler = channel.pipeline().get(ResponseHandler.class);
    if (handler == null || !channel.isActive()) {
      // The pipeline is torn down once a channel closes.
      exchange.fail(
          "connection to " + exchange.target().authority() + " closed before the request was sent");
      return;
    }
    handler.begin(exchange);
    write(exchange, channel, handler);
  }

  private void write(Exchange exchange, Channel channel, ResponseHandler handler) {
    if (exchange.isEnded()) {
      return;
    }
    FullHttpRequest httpRequest;
    try {
      httpRequest = newHttpRequest(exchange);
    } catch (RuntimeException e) {
      exchange.fail("invalid request to " + exchange.target().authority() + ": " + e.getMessage());
      return;
    }
    exchange.phase(Exchange.Phase.AWAITING_RESPONSE);
    channel
        .writeAndFlush(httpRequest)
        .addListener(
            written -> {
              if (written.isSuccess()) {
                handler.requestWritten();
              } else {
                exchange.fail(
                    Failures.describe(written.cause(), exchange.target(), connectTimeout));
              }
            });
  }

  /** Creates the request, wrapping the body bytes without a copy. */
  private FullHttpRequest newHttpRequest(Exchange exchange) {
    DeliveryRequest request = exchange.request();
    Target target = exchange.target();
    byte[] body = request.body() == null ? new byte[0] : request.body();
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set(HttpHeaderNames.HOST, target.hostHeader());
    headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    headers.set(HttpHeaderNames.USER_AGENT, userAgent);
    if (request.headers() != null) {
      for (Map.Entry<String, String> header : request.headers().entrySet()) {
        if (!FRAMING_HEADERS.contains(header.getKey().toLowerCase(Locale.ROOT))) {
          headers.set(header.getKey(), header.getValue());
        }
      }
    }
    headers.set(HttpHeaderNames.CONTENT_LENGTH, body.length);
    // The buffer is created last, so that nothing is left to release if a header is invalid.
    ByteBuf content = body.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
    return new DefaultFullHttpRequest(
        HttpVersion.HTTP_1_1,
        HttpMethod.POST,
        target.pathAndQuery(),
        content,
        headers,
        EmptyHttpHeaders.INSTANCE);
  }

  /** Returns the pool entry of {@code key}, counting one more attempt that uses it. */
  private PoolEntry usePool(Target.PoolKey key) {
    while (true) {
      PoolEntry entry = pools.computeIfAbsent(key, this::newPool);
      if (entry.tryUse(nanoTicker.getAsLong())) {
        return entry;
      }
      // closeIdlePools retired this entry after the lookup, so drop it here too and create another.
      pools.remove(key, entry);
    }
  }

  private PoolEntry newPool(Target.PoolKey key) {
    // With a proxy, the bootstrap resolves and connects to the proxy, and the pool handler opens
    // the tunnel to the pool's host and port.
    Bootstrap poolBootstrap =
        bootstrap
            .clone()
            .remoteAddress(proxy == null ? key.unresolvedAddress() : proxy.unresolvedAddress());
    HttpPoolHandler handler =
        new HttpPoolHandler(key, proxy, sslContext, requestTimeout, connectTimeout, clock);
    FixedChannelPool pool =
        new FixedChannelPool(
            poolBootstrap,
            handler,
            ChannelHealthChecker.ACTIVE,
            FixedChannelPool.AcquireTimeoutAction.FAIL,
            requestTimeout.toMillis(),
            maxConnectionsPerHost,
            Integer.MAX_VALUE,
            true,
            true);
    return new PoolEntry(pool, handler, nanoTicker.getAsLong());
  }

  /**
   * Closes and drops every pool that no attempt used for the idle pool timeout and that has no
   * connection checked out. A later attempt to the same host creates a new pool.
   */
  void closeIdlePools() {
    long now = nanoTicker.getAsLong();
    for (Map.Entry<Target.PoolKey, PoolEntry> mapping : pools.entrySet()) {
      PoolEntry entry = mapping.getValue();
      if (!closed.get() && entry.tryRetire(now, idlePoolTimeout)) {
        pools.remove(mapping.getKey(), entry);
        entry.handler().closeChannels();
        LOG.debug("Closed the idle connection pool of {}", mapping.getKey());
      }
    }
  }

  /** Runs {@link #closeIdlePools} for the scheduler, which would stop at the first exception. */
  private void closeIdlePoolsSafely() {
    try {
      closeIdlePools();
    } catch (RuntimeException e) {
      LOG.warn("Closing idle connection pools failed; the next check retries", e);
    }
  }

  /** Returns the number of connection pools, one per scheme, host and port in use. */
  int poolCount() {
    return pools.size();
  }

  /**
   * Closes every connection and stops the transport's threads, waiting at most about three seconds.
   * Attempts still running complete at once with a failure outcome, and later calls to {@link
   * #send} return one without sending anything.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (Exchange exchange : inFlight) {
      exchange.abort("transport closed before the attempt ended");
    }
    // The pools are not closed one by one: FixedChannelPool.closeAsync() closes idle channels on
    // Netty's shared GlobalEventExecutor thread and blocks it for good when the event loop of a
    // channel terminates first. Shutting down the event loop group closes every channel instead.
    idlePoolCheck.cancel(false);
    pools.clear();
    Future<?> shutdown =
        group.shutdownGracefully(0, CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    lookupExecutor.shutdownNow();
    resolverGroup.close();
    if (!isEventLoopThread()) {
      shutdown.awaitUninterruptibly(CLOSE_TIMEOUT.toMillis() + 1000);
    }
    LOG.info("Netty transport closed");
  }

  @Override
  public String toString() {
    return "NettyTransport[requestTimeout="
        + requestTimeout
        + ", connectTimeout="
        + connectTimeout
        + ", maxConnectionsPerHost="
        + maxConnectionsPerHost
        + "]";
  }

  private boolean isEventLoopThread() {
    for (EventExecutor executor : group) {
      if (executor.inEventLoop()) {
        return true;
      }
    }
    return false;
  }

  private static CompletionStage<DeliveryOutcome> failed(String error, long startNanos) {
    Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
    return CompletableFuture.completedFuture(DeliveryOutcome.failure(error, elapsed));
  }

  /**
   * Returns why the address filter rejects {@code host} when it is an IP literal, in any reading
   * that common parsers give it, or empty when it is allowed or a name. With a proxy, this is the
   * only check before the proxy connects: the proxy reads the literal and resolves names itself.
   */
  private Optional<String> literalHostRejection(String host) {
    List<InetAddress> readings =
        host.indexOf(':') >= 0
            ? AddressFilter.parseLiteral(host).map(List::of).orElse(List.of())
            : AddressFilter.ipv4Readings(host);
    for (InetAddress address : readings) {
      Optional<String> reason = addressFilter.rejectionReason(address);
      if (reason.isPresent()) {
        String ip = address.getHostAddress();
        boolean readAsWritten = host.indexOf(':') >= 0 || AddressFilter.isDottedDecimal(host);
        String subject = readAsWritten ? "host " + ip : "host " + host + " (read as " + ip + ")";
        return Optional.of(
            subject
                + " is "
                + reason.get()
                + "; add its range to allowedRanges or set allowPrivateAddresses(true) to deliver"
                + " to it");
      }
    }
    return Optional.empty();
  }

  /**
   * Rejects header names that are not HTTP tokens and values with control characters, which could
   * split the request. The message names the header but never its value, which may be a signature.
   */
  private static void validateHeaders(Map<String, String> headers) {
    if (headers == null) {
      return;
    }
    for (Map.Entry<String, String> header : headers.entrySet()) {
      String name = header.getKey();
      if (name == null || name.isEmpty() || !name.chars().allMatch(NettyTransport::isTokenChar)) {
        throw new IllegalArgumentException(
            "invalid request header name '"
                + printable(name)
                + "': a header name must be an HTTP token of letters, digits and !#$%&'*+-.^_`|~");
      }
      String value = header.getValue();
      if (value == null || !value.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c != 0x7f))) {
        throw new IllegalArgumentException(
            "invalid value of request header "
                + name
                + ": it is missing or has a control character");
      }
    }
  }

  private static boolean isTokenChar(int c) {
    return c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
  }

  private static String printable(String name) {
    if (name == null) {
      return "null";
    }
    StringBuilder escaped = new StringBuilder();
    name.chars()
        .limit(80)
        .forEach(
            c -> escaped.append(c < 0x20 || c >= 0x7f ? String.format("\\u%04x", c) : (char) c));
    return escaped.toString();
  }

  private static SslContext buildSslContext(TrustManagerFactory trustManagerFactory) {
    try {
      return SslContextBuilder.forClient()
          .sslProvider(SslProvider.JDK)
          .trustManager(trustManagerFactory)
          .endpointIdentificationAlgorithm("HTTPS")
          .build();
    } catch (SSLException | RuntimeException e) {
      throw new IllegalArgumentException(
          "trustManagerFactory could not be used to build a TLS client context: "
              + e.getMessage()
              + "; pass a TrustManagerFactory initialised with a KeyStore",
          e);
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Reads the version that the build writes into {@code dispatcher-version.properties}. */
  private static String implementationVersion() {
    Properties properties = new Properties();
    try (InputStream in =
        NettyTransport.class.getResourceAsStream("/io/webhookdispatcher/dispatcher-version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      return FALLBACK_VERSION;
    }
    String version = properties.getProperty("version", "");
    return version.isBlank() || version.startsWith("${") ? FALLBACK_VERSION : version;
  }

  /**
   * A connection pool with the number of attempts using it and the time it was last used. Once
   * retired by {@link #tryRetire}, an entry accepts no more attempts and is dropped from the map.
   */
  private static final class PoolEntry {
    private static final int RETIRED = -1;

    private final FixedChannelPool pool;
    private final HttpPoolHandler handler;
    private final AtomicInteger users = new AtomicInteger();
    private volatile long lastUsedNanos;

    PoolEntry(FixedChannelPool pool, HttpPoolHandler handler, long nowNanos) {
      this.pool = pool;
      this.handler = handler;
      this.lastUsedNanos = nowNanos;
    }

    FixedChannelPool pool() {
      return pool;
    }

    HttpPoolHandler handler() {
      return handler;
    }

    /** Counts one more attempt, unless the entry is retired. */
    boolean tryUse(long nowNanos) {
      lastUsedNanos = nowNanos;
      while (true) {
        int current = users.get();
        if (current == RETIRED) {
          return false;
        }
        if (users.compareAndSet(current, current + 1)) {
          return true;
        }
      }
    }

    /** Counts one attempt less, once it has ended. */
    void release(long nowNanos) {
      lastUsedNanos = nowNanos;
      users.decrementAndGet();
    }

    /**
     * Retires the entry when no attempt used it for {@code idleTimeout} and none of its connections
     * is checked out. Returns whether it did.
     */
    boolean tryRetire(long nowNanos, Duration idleTimeout) {
      return nowNanos - lastUsedNanos >= idleTimeout.toNanos()
          && pool.acquiredChannelCount() == 0
          && users.compareAndSet(0, RETIRED);
    }
  }

  /**
   * An HTTP proxy, parsed from the URI given to {@link Builder#proxy}. Its {@link #toString()}
   * masks the password.
   *
   * @param host the host name or IP literal, without IPv6 brackets
   * @param port the port
   * @param username the user name for Basic proxy authentication, or null without authentication
   * @param password the password for Basic proxy authentication, or null without authentication
   */
  record Proxy(String host, int port, String username, String password) {

    private static final String MASK = "****";

    /**
     * Parses an {@code http://[user:password@]host:port} URI.
     *
     * @throws IllegalArgumentException when {@code uri} is not such a URI; the message names it
     *     with the password masked
     */
    static Proxy parse(URI uri) {
      if (uri == null) {
        throw new IllegalArgumentException(
            "proxy must not be null; omit the call to connect to endpoints directly");
      }
      String problem = problem(uri);
      if (problem != null) {
        throw new IllegalArgumentException(
            "proxy '"
                + masked(uri)
                + "' is invalid: "
                + problem
                + "; write it as http://host:port or http://user:password@host:port");
      }
      String host = uri.getHost();
      if (host.startsWith("[")) {
        host = host.substring(1, host.length() - 1);
      }
      String userInfo = uri.getRawUserInfo();
      if (userInfo == null) {
        return new Proxy(host, uri.getPort(), null, null);
      }
      // Split before decoding, so that an encoded colon (%3A) stays in the password.
      int colon = userInfo.indexOf(':');
      return new Proxy(
          host,
          uri.getPort(),
          percentDecode(userInfo.substring(0, colon)),
          percentDecode(userInfo.substring(colon + 1)));
    }

    /** Returns what makes {@code uri} unusable as a proxy, or null when it is usable. */
    private static String problem(URI uri) {
      String scheme = uri.getScheme();
      if (scheme == null || !scheme.equalsIgnoreCase("http")) {
        return "the scheme must be http, because the transport supports only HTTP proxies that"
            + " accept CONNECT";
      }
      if (uri.isOpaque() || uri.getHost() == null) {
        return "it has no host, or the host is malformed";
      }
      if (uri.getPort() == -1) {
        return "it has no port";
      }
      if (uri.getPort() < 1 || uri.getPort() > 65535) {
        return "its port " + uri.getPort() + " is not from 1 to 65535";
      }

      String path = uri.getRawPath();
      if (path != null && !path.isEmpty() && !path.equals("/")) {
        return "it has a path";
      }
      if (uri.getRawQuery() != null) {
        return "it has a query";
      }
      if (uri.getRawFragment() != null) {
        return "it has a fragment";
      }
      return userInfoProblem(uri.getRawUserInfo());
    }

    /** Returns what makes the raw user-info unusable for Basic authentication, or null. */
    private static String userInfoProblem(String userInfo) {
      if (userInfo == null) {
        return null;
      }
      int colon = userInfo.indexOf(':');
      if (colon < 0) {
        return "its user-info has no password";
      }
      if (colon == 0) {
        return "its user name is empty";
      }
      if (percentDecode(userInfo.substring(0, colon)).indexOf(':') >= 0) {
        return "its user name contains a colon, which Basic authentication does not allow";
      }
      return null;
    }

    /** Decodes a percent-encoded URI component as UTF-8, keeping {@code +} as it is. */
    private static String percentDecode(String raw) {
      // URLDecoder decodes form data, where + means a space, so a literal + is escaped first.
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /**
     * Returns {@code uri} as text with everything after the first colon of its user-info
     * replaced by {@link #MASK}. An opaque URI that contains {@code @} is masked whole.
     */
    static String masked(URI uri) {
      String text = uri.toString();
      String authority = uri.getRawAuthority();
      if (authority == null) {
        return uri.isOpaque() && text.indexOf('@') >= 0 ? uri.getScheme() + ":" + MASK : text;
      }
      int at = authority.lastIndexOf('@');
      if (at < 0) {
        return text;
      }
      // The user name is kept only when a raw colon separates it from the password. Otherwise the
      // whole user-info is masked, because an encoded colon may hide the password inside it.
      int colon = authority.indexOf(':');
      StringBuilder masked = new StringBuilder();
      if (uri.getScheme() != null) {
        masked.append(uri.getScheme()).append(':');
      }
      masked.append("//");
      if (colon >= 0 && colon < at) {
        masked.append(authority, 0, colon + 1);
      }
      masked.append(MASK);
      masked.append(authority, at, authority.length());
      masked.append(uri.getRawPath() == null ? "" : uri.getRawPath());
      if (uri.getRawQuery() != null) {
        masked.append('?').append(uri.getRawQuery());
      }
      if (uri.getRawFragment() != null) {
        masked.append('#').append(uri.getRawFragment());
      }
      return masked.toString();
    }

    boolean hasCredentials() {
      return username != null;
    }

    /** Returns {@code host:port}, with brackets around an IPv6 literal. */
    String authority() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** Returns the proxy's address, which the transport's resolver resolves for each connection. */
    InetSocketAddress unresolvedAddress() {
      return InetSocketAddress.createUnresolved(host, port);
    }

    /** Returns the proxy as a URI with the password masked. */
    @Override
    public String toString() {
      return "http://" + (username == null ? "" : username + ":" + MASK + "@") + authority();
    }
  }

  /**
   * Collects the options of a {@link NettyTransport}. Each setter rejects an invalid value at once
   * with an {@link IllegalArgumentException} that names the option and the value.
   */
  public static final class Builder {
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private int maxConnectionsPerHost = DEFAULT_MAX_CONNECTIONS_PER_HOST;
    private boolean allowPrivateAddresses;
    private List<String> allowedRanges = List.of();
    private String userAgent = DEFAULT_USER_AGENT;
    private TrustManagerFactory trustManagerFactory;
    private int eventLoopThreads;
    private Function<String, InetAddress[]> hostResolver = FilteringResolverGroup::systemLookup;
    private LongSupplier nanoTicker = System::nanoTime;
    private Duration idlePoolTimeout = IDLE_POOL_TIMEOUT;
    private Proxy proxy;
    private boolean httpsOnly;

    private Builder() {}

    /**
     * Sets the time that resolving and connecting may take (with a {@link #proxy}, up to the
     * proxy's response to {@code CONNECT}), and then the time that the TLS handshake, writing the
     * request and reading the response may take. When either passes, the attempt fails with
     * "request timed out". Default: {@link #DEFAULT_REQUEST_TIMEOUT} (15 s); from 1 ms to {@link
     * #MAX_TIMEOUT}.
     */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = checkTimeout("requestTimeout", requestTimeout);
      return this;
    }

    /**
     * Sets the time allowed to open the TCP connection. It is capped at the request timeout.
     * Default: {@link #DEFAULT_CONNECT_TIMEOUT} (10 s); from 1 ms to {@link #MAX_TIMEOUT}.
     */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = checkTimeout("connectTimeout", connectTimeout);
      return this;
    }

    /**
     * Sets the maximum number of open connections to one scheme, host and port. Further attempts to
     * that host wait for a free connection within their request timeout. Default: {@link
     * #DEFAULT_MAX_CONNECTIONS_PER_HOST} (32); at least 1.
     */
    public Builder maxConnectionsPerHost(int maxConnectionsPerHost) {
      if (maxConnectionsPerHost < 1) {
        throw new IllegalArgumentException(
            "maxConnectionsPerHost must be at least 1, but was " + maxConnectionsPerHost);
      }
      this.maxConnectionsPerHost = maxConnectionsPerHost;
      return this;
    }

    /**
     * Sets whether attempts may go to loopback, private, link-local and other addresses that are
     * not globally reachable (see {@link AddressFilter}). Default: {@code false}. Enable it only
     * for tests or when every endpoint is trusted. To allow chosen networks only, use {@link
     * #allowedRanges}.
     */
    public Builder allowPrivateAddresses(boolean allowPrivateAddresses) {
      this.allowPrivateAddresses = allowPrivateAddresses;
      return this;
    }

    /**
     * Sets the ranges of private addresses that attempts may go to although {@link
     * #allowPrivateAddresses} is off, in CIDR notation, for example {@code 10.20.0.0/16} for an
     * internal receiver. They apply to IP literals in URLs and to every resolved address, as
     * described at {@link AddressFilter#denyPrivateExcept}. Default: none.
     *
     * @throws IllegalArgumentException when the list is null or an entry is not a valid CIDR range;
     *     the message names the entry
     */
    public Builder allowedRanges(List<String> allowedRanges) {
      AddressFilter.denyPrivateExcept(allowedRanges);
      this.allowedRanges = List.copyOf(allowedRanges);
      return this;
    }

    /**
     * Sets the {@code User-Agent} header, which must not be blank or contain control characters.
     * Default: {@link #DEFAULT_USER_AGENT}.
     */
    public Builder userAgent(String userAgent) {
      if (userAgent == null
          || userAgent.isBlank()
          || userAgent.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw new IllegalArgumentException(
            "userAgent must be non-blank text without control characters, but was "
                + (userAgent == null ? "null" : "'" + printable(userAgent) + "'"));
      }
      this.userAgent = userAgent;
      return this;
    }

    /**
     * Sets the trust managers that verify server certificates, for example one initialised with a
     * private CA or, in tests, a self-signed certificate. Default: the JVM's trust store. Hostname
     * verification stays on either way.
     */
    public Builder trustManagerFactory(TrustManagerFactory trustManagerFactory) {
      if (trustManagerFactory == null) {
        throw new IllegalArgumentException(
            "trustManagerFactory must not be null; omit the call to use the JVM's trust store");
      }
      this.trustManagerFactory = trustManagerFactory;
      return this;
    }

    /**
     * Sets the number of event loop threads, which do all network I/O. Default: 0, which means
     * Netty's default of twice the number of available processors. Sending webhooks needs little
     * CPU per request, so small machines should set 1 or 2.
     */
    public Builder eventLoopThreads(int eventLoopThreads) {
      if (eventLoopThreads < 0) {
        throw new IllegalArgumentException(
            "eventLoopThreads must be 0 (Netty default) or more, but was " + eventLoopThreads);
      }
      this.eventLoopThreads = eventLoopThreads;
      return this;
    }

    /**
     * Sets the function that resolves a host name to its addresses, for tests and custom DNS. It
     * runs on a small dedicated thread pool, never on an event loop, and may throw an unchecked
     * exception or return an empty array when the name is unknown. IP literals, in any form that
     * {@link AddressFilter#parseLiteral} accepts, never reach it. Its answers are cached for {@link
     * #DNS_CACHE_TTL} and checked with the {@link AddressFilter} like those of the default. With
     * a {@link #proxy}, it resolves only the proxy's host name, and its addresses are not filtered.
     * Default: {@link InetAddress#getAllByName}.
     */
    public Builder hostResolver(Function<String, InetAddress[]> hostResolver) {
      if (hostResolver == null) {
        throw new IllegalArgumentException(
            "hostResolver must not be null; omit the call to use the JVM's resolver");
      }
      this.hostResolver = hostResolver;
      return this;
    }

    /**
     * Sets an HTTP proxy that every connection goes through, as {@code http://host:port}, or as
     * {@code http://user:password@host:port} for Basic proxy authentication with a percent-encoded
     * user name and password. Each new connection goes to the proxy and sends {@code CONNECT
     * host:port} with the endpoint's host name, so the proxy resolves it and the transport does
     * not. TLS for https endpoints runs inside the tunnel, with SNI and certificate checks against
     * the endpoint's host. The request timeout covers resolving the proxy's name, connecting to
     * it and its response to {@code CONNECT}. Pools stay per endpoint scheme, host and port.
     *
     * <p>Endpoint hosts that are IP literals are still checked with the {@link AddressFilter}
     * before anything is sent. The addresses that the proxy resolves host names to are not, so
     * the proxy must apply its own rules to them. The proxy's own address is not checked. Default:
     * none; connections go straight to the endpoint.
     *
     * @throws IllegalArgumentException when the URI is null, its scheme is not http, it has no
     *     host or port, it has a path other than {@code /}, a query or a fragment, or its user-info
     *     is not {@code user:password}. The message names the URI with the password masked.
     */
    public Builder proxy(URI proxy) {
      this.proxy = Proxy.parse(proxy);
      return this;
    }

    /**
     * Sets whether attempts may use https URLs only. When set, an attempt to an http URL fails at
     * once, without a connection, with an error saying that the transport sends over https only.
     * Default: {@code false}.
     */
    public Builder httpsOnly(boolean httpsOnly) {
      this.httpsOnly = httpsOnly;
      return this;
    }

    /**
     * Sets the source of {@link System#nanoTime()} readings used to time idle pools and cached DNS
     * answers, so that tests can move time forward.
     */
    Builder nanoTicker(LongSupplier nanoTicker) {
      this.nanoTicker = Objects.requireNonNull(nanoTicker, "nanoTicker");
      return this;
    }

    /**
     * Sets the time after which an unused pool is dropped, for tests. Default: {@link
     * #IDLE_POOL_TIMEOUT}. Pools are checked at this interval when it is under a minute.
     */
    Builder idlePoolTimeout(Duration idlePoolTimeout) {
      this.idlePoolTimeout = checkTimeout("idlePoolTimeout", idlePoolTimeout);
      return this;
    }

    /**
     * Creates the transport and its thread pools. The connect timeout is capped at the request
     * timeout.
     *
     * @throws IllegalArgumentException when the trust manager factory cannot build a TLS context
     */
    public NettyTransport build() {
      return new NettyTransport(this);
    }

    private static Duration checkTimeout(String option, Duration value) {
      if (value == null
          || value.compareTo(Duration.ofMillis(1)) < 0
          || value.compareTo(MAX_TIMEOUT) > 0) {
        throw new IllegalArgumentException(
            option + " must be between 1ms and " + MAX_TIMEOUT + ", but was " + value);
      }
      return value;
    }
  }
}
