package io.webhookdispatcher.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.pool.ChannelPoolHandler;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Builds the pipeline of each new connection in one pool, resets it on release, and tracks the
 * pool's open connections so that they can be closed when the pool is dropped.
 *
 * <p>With a proxy, each new connection goes to the proxy and opens a tunnel to the pool's host and
 * port with {@code CONNECT} before the pool hands it out; see {@link TunnelHandler}.
 */
final class HttpPoolHandler implements ChannelPoolHandler {

  /** The TLS handshake of an https connection, kept because a failed handshake closes it. */
  static final AttributeKey<Future<Channel>> TLS_HANDSHAKE =
      AttributeKey.valueOf(HttpPoolHandler.class, "tlsHandshake");

  /**
   * Time that the TLS handshake or the proxy's response to {@code CONNECT} may take beyond the
   * request timeout before it fails on its own.
   */
  private static final Duration HANDSHAKE_TIMEOUT_MARGIN = Duration.ofSeconds(1);

  private static final String TUNNEL = "tunnel";
  private static final String PROXY = "proxy";
  private static final String PROXY_RESPONSE = "proxy-response";
  private static final String TLS = "tls";
  private static final String HTTP = "http";

  private final Target.PoolKey key;
  private final NettyTransport.Proxy proxy;
  private final SslContext sslContext;
  private final Duration requestTimeout;
  private final Duration connectTimeout;
  private final Clock clock;
  private final Set<Channel> openChannels = ConcurrentHashMap.newKeySet();

  /** Creates the handler of the pool of {@code key}, connecting through {@code proxy} if set. */
  HttpPoolHandler(
      Target.PoolKey key,
      NettyTransport.Proxy proxy,
      SslContext sslContext,
      Duration requestTimeout,
      Duration connectTimeout,
      Clock clock) {
    this.key = key;
    this.proxy = proxy;
    this.sslContext = sslContext;
    this.requestTimeout = requestTimeout;
    this.connectTimeout = connectTimeout;
    this.clock = clock;
  }

  @Override
  public void channelCreated(Channel channel) {
    openChannels.add(channel);
    channel.closeFuture().addListener(closed -> openChannels.remove(channel));
    ChannelPipeline pipeline = channel.pipeline();
    pipeline.addLast(HTTP, new HttpClientCodec());
    long idleMillis = NettyTransport.POOLED_CONNECTION_IDLE_TIMEOUT.toMillis();
    pipeline.addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
    pipeline.addLast("response", new ResponseHandler(clock, connectTimeout));
    if (proxy != null) {
      // TLS is added once the tunnel is open, so that its handshake starts with the request timer.
      pipeline.addFirst(TUNNEL, new TunnelHandler());
    } else if (key.tls()) {
      addTls(channel);
    }
  }

  @Override
  public void channelAcquired(Channel channel) {}

  @Override
  public void channelReleased(Channel channel) {
    ResponseHandler handler = channel.pipeline().get(ResponseHandler.class);
    if (handler != null) {
      handler.detach();
    }
  }

  /**
   * Closes every open connection of the pool. It does not wait for them to close, and does not
   * block, unlike {@code FixedChannelPool.close()}.
   */
  void closeChannels() {
    for (Channel channel : openChannels) {
      channel.close();
    }
  }

  /** Adds the TLS handler in front of the HTTP codec and keeps its handshake future. */
  private void addTls(Channel channel) {
    SslHandler tls = newSslHandler(channel);
    channel.attr(TLS_HANDSHAKE).set(tls.handshakeFuture());
    channel.pipeline().addBefore(HTTP, TLS, tls);
  }

  /**
   * Creates the TLS handler: SNI with the URL host and hostname verification against it, which the
   * JDK performs when the endpoint identification algorithm is {@code HTTPS}.
   */
  private SslHandler newSslHandler(Channel channel) {
    SslHandler handler = sslContext.newHandler(channel.alloc(), key.host(), key.port());
    SSLEngine engine = handler.engine();
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    if (AddressFilter.parseLiteral(key.host()).isEmpty()) {
      String name =
          key.host().endsWith(".") ? key.host().substring(0, key.host().length() - 1) : key.host();
      try {
        parameters.setServerNames(List.of(new SNIHostName(name)));
      } catch (IllegalArgumentException e) {
        // Not a valid SNI name (for example with an underscore): connect without SNI, and let
        // hostname verification decide.
      }
    }
    engine.setSSLParameters(parameters);
    // The attempt's own timer starts at about the same moment and covers the handshake. This
    // later backstop lets that timer fire first, so the error names the step that timed out.
    handler.setHandshakeTimeoutMillis(requestTimeout.plus(HANDSHAKE_TIMEOUT_MARGIN).toMillis());
    return handler;
  }

  /**
   * Opens the tunnel of a new connection through the proxy. The bootstrap connects to the proxy's
   * resolved address, so this handler adds Netty's {@link HttpProxyHandler} for that address and
   * passes on the connect with the pool's host and port unresolved: the proxy handler connects to
   * the proxy and sends {@code CONNECT host:port} with the host name, which the proxy resolves.
   *
   * <p>The connect succeeds only once the proxy has responded with 200 and, for https, the TLS
   * handler is in place. So the pool hands out only open tunnels, a proxy that rejects the {@code
   * CONNECT} fails the attempt's wait for a connection, and the request timer starts after the
   * tunnel opens.
   */
  private final class TunnelHandler extends ChannelOutboundHandlerAdapter {

    @Override
    public void connect(
        ChannelHandlerContext ctx,
        SocketAddress proxyAddress,
        SocketAddress localAddress,
        ChannelPromise promise) {
      HttpProxyHandler proxyHandler = newProxyHandler(proxyAddress);
      ResponseRecorder responseRecorder = new ResponseRecorder();
      ChannelPipeline pipeline = ctx.pipeline();
      // Outbound events run from the tail to the head, so the proxy handler goes before this one.
      // It adds its own HTTP codec before itself; the recorder goes between the two.
      pipeline.addBefore(ctx.name(), PROXY, proxyHandler);
      pipeline.addBefore(PROXY, PROXY_RESPONSE, responseRecorder);

      ChannelPromise proxyConnected = ctx.newPromise();
      proxyConnected.addListener(
          connected -> {
            if (!connected.isSuccess()) {
              promise.tryFailure(connected.cause());
              return;
            }
            proxyHandler
                .connectFuture()
                .addListener(tunnel -> onTunnel(ctx, tunnel, responseRecorder, promise));
          });
      ctx.connect(key.unresolvedAddress(), localAddress, proxyConnected);
    }

    private HttpProxyHandler newProxyHandler(SocketAddress proxyAddress) {
      HttpProxyHandler handler =
          proxy.hasCredentials()
              ? new HttpProxyHandler(proxyAddress, proxy.username(), proxy.password())
              : new HttpProxyHandler(proxyAddress);
      // A backstop like the handshake timeout: the attempt's own timer started earlier and fires
      // first, and this one closes a connection whose attempt has already ended.
      handler.setConnectTimeoutMillis(requestTimeout.plus(HANDSHAKE_TIMEOUT_MARGIN).toMillis());
      return handler;
    }

    private void onTunnel(
        ChannelHandlerContext ctx,
        Future<?> tunnel,
        ResponseRecorder responseRecorder,
        ChannelPromise promise) {
      if (!tunnel.isSuccess()) {
        // The proxy handler closes the channel right after this, unless the proxy closed it first.
        boolean closedByProxy = !ctx.channel().isActive();
        promise.tryFailure(
            new TunnelException(
                responseRecorder.status(),
                responseRecorder.invalidResponse(),
                closedByProxy,
                tunnel.cause()));
        return;
      }
      ChannelPipeline pipeline = ctx.pipeline();
      remove(pipeline, responseRecorder);
      remove(pipeline, this);
      if (key.tls()) {
        addTls(ctx.channel());
      }
      promise.trySuccess();
    }

    private void remove(ChannelPipeline pipeline, ChannelHandler handler) {
      if (pipeline.context(handler) != null) {
        pipeline.remove(handler);
      }
    }
  }

  /**
   * Records the status of the proxy's response to {@code CONNECT}, which Netty's exception carries
   * only inside its message text, or why the response could not be parsed.
   */
  private static final class ResponseRecorder extends ChannelInboundHandlerAdapter {
    private HttpResponseStatus status;
    private Throwable invalidResponse;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      if (status == null && invalidResponse == null && message instanceof HttpResponse response) {
        if (response.decoderResult().isSuccess()) {
          status = response.status();
        } else {
          invalidResponse = response.decoderResult().cause();
        }
      }
      ctx.fireChannelRead(message);
    }

    HttpResponseStatus status() {
      return status;
    }

    Throwable invalidResponse() {
      return invalidResponse;
    }
  }

  /**
   * Fails the connect of a connection whose tunnel did not open, because the proxy responded to
   * {@code CONNECT} with a status other than 200 or with something that is not HTTP, closed the
   * connection, or did not respond in time. The cause is Netty's exception.
   */
  static final class TunnelException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient HttpResponseStatus status;
    private final Throwable invalidResponse;
    private final boolean closedByProxy;

    TunnelException(
        HttpResponseStatus status,
        Throwable invalidResponse,
        boolean closedByProxy,
        Throwable cause) {
      super("tunnel through the proxy failed", cause);
      this.status = status;
      this.invalidResponse = invalidResponse;
      this.closedByProxy = closedByProxy;
    }

    /** Returns the status of the proxy's response, or null when it sent no valid response. */
    HttpResponseStatus status() {
      return status;
    }

    /** Returns why the proxy's response could not be parsed, or null when it could. */
    Throwable invalidResponse() {
      return invalidResponse;
    }

    /** Returns whether the proxy closed the connection before the tunnel opened. */
    boolean closedByProxy() {
      return closedByProxy;
    }
  }
}
