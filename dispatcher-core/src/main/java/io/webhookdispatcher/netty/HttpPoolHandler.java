package io.webhookdispatcher.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.pool.ChannelPoolHandler;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
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
 */
final class HttpPoolHandler implements ChannelPoolHandler {

  /** The TLS handshake of an https connection, kept because a failed handshake closes it. */
  static final AttributeKey<Future<Channel>> TLS_HANDSHAKE =
      AttributeKey.valueOf(HttpPoolHandler.class, "tlsHandshake");

  /** Time that the TLS handshake may take beyond the request timeout before it fails on its own. */
  private static final Duration HANDSHAKE_TIMEOUT_MARGIN = Duration.ofSeconds(1);

  private final Target.PoolKey key;
  private final SslContext sslContext;
  private final Duration requestTimeout;
  private final Duration connectTimeout;
  private final Clock clock;
  private final Set<Channel> openChannels = ConcurrentHashMap.newKeySet();

  HttpPoolHandler(
      Target.PoolKey key,
      SslContext sslContext,
      Duration requestTimeout,
      Duration connectTimeout,
      Clock clock) {
    this.key = key;
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
    if (key.tls()) {
      SslHandler tls = newSslHandler(channel);
      channel.attr(TLS_HANDSHAKE).set(tls.handshakeFuture());
      pipeline.addLast("tls", tls);
    }
    pipeline.addLast("http", new HttpClientCodec());
    long idleMillis = NettyTransport.POOLED_CONNECTION_IDLE_TIMEOUT.toMillis();
    pipeline.addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
    pipeline.addLast("response", new ResponseHandler(clock, connectTimeout));
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
}
