package io.webhookdispatcher.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.webhookdispatcher.WebhookException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The Netty HTTP/1.1 server of the API: one acceptor thread, the default number of I/O threads and
 * a pool of {@link #HANDLER_THREADS} threads for the handlers, which block on the database and so
 * must not run on an I/O thread.
 */
final class HttpApiServer implements AutoCloseable {
  /** Threads that run request handlers: 16. */
  static final int HANDLER_THREADS = 16;

  /**
   * Requests that may wait for a handler thread: 1024. A request beyond that gets a 503, so an
   * overload shows at once instead of as growing latency.
   */
  static final int MAX_WAITING_REQUESTS = 1024;

  /** Time after which a connection with no traffic either way is closed: 60 seconds. */
  static final Duration IDLE_CONNECTION_TIMEOUT = Duration.ofSeconds(60);

  /** Maximum time that shutdown waits for running handlers, then for each thread group: 5 s. */
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

  private final EventLoopGroup acceptorGroup;
  private final EventLoopGroup ioGroup;
  private final ExecutorService handlerExecutor;
  private final Channel serverChannel;
  private final ChannelGroup connections;

  private HttpApiServer(
      EventLoopGroup acceptorGroup,
      EventLoopGroup ioGroup,
      ExecutorService handlerExecutor,
      Channel serverChannel,
      ChannelGroup connections) {
    this.acceptorGroup = acceptorGroup;
    this.ioGroup = ioGroup;
    this.handlerExecutor = handlerExecutor;
    this.serverChannel = serverChannel;
    this.connections = connections;
  }

  /**
   * Binds the server and returns once it accepts connections.
   *
   * @param maxRequestBytes the largest request body that is read; a larger one gets a 413
   * @throws WebhookException when the address cannot be bound, for example a port in use
   */
  static HttpApiServer start(
      String host, int port, Router router, ResponseJson responses, int maxRequestBytes) {
    EventLoopGroup acceptorGroup =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("webhook-http-acceptor"), NioIoHandler.newFactory());
    EventLoopGroup ioGroup =
        new MultiThreadIoEventLoopGroup(
            0, new DefaultThreadFactory("webhook-http-io"), NioIoHandler.newFactory());
    ExecutorService handlerExecutor =
        new ThreadPoolExecutor(
            HANDLER_THREADS,
            HANDLER_THREADS,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(MAX_WAITING_REQUESTS),
            new DefaultThreadFactory("webhook-http-handler"));
    ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    ApiHandler api = new ApiHandler(router, responses);
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(acceptorGroup, ioGroup)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    connections.add(channel);
                    ChannelPipeline pipeline = channel.pipeline();
                    pipeline.addLast(
                        new IdleStateHandler(
                            0, 0, IDLE_CONNECTION_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
                    pipeline.addLast(new HttpServerCodec());
                    pipeline.addLast(new HttpServerKeepAliveHandler());
                    pipeline.addLast(new RequestBodyAggregator(maxRequestBytes, responses));
                    pipeline.addLast(new ApiChannelHandler(api, handlerExecutor));
                  }
                });

    ChannelFuture bound = bootstrap.bind(new InetSocketAddress(host, port)).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      shutDown(handlerExecutor, ioGroup, acceptorGroup);
      throw new WebhookException(
          "Binding the HTTP API to "
              + host
              + ":"
              + port
              + " failed: "
              + bound.cause()
              + "; check webhooks.http.host and choose a free webhooks.http.port",
          bound.cause());
    }
    return new HttpApiServer(acceptorGroup, ioGroup, handlerExecutor, bound.channel(), connections);
  }

  /** Returns the bound port, which differs from the configured one when that was 0. */
  int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /**
   * Stops accepting, closes every connection, waits for running handlers and stops the threads. A
   * request that was still running loses its response, but the database work it did stays.
   */
  @Override
  public void close() {
    serverChannel.close().awaitUninterruptibly();
    connections.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT.toMillis());
    shutDown(handlerExecutor, ioGroup, acceptorGroup);
  }

  /**
   * Stops the handler threads first, so that no handler hands a response to an I/O thread that is
   * already gone.
   */
  private static void shutDown(
      ExecutorService handlerExecutor, EventLoopGroup ioGroup, EventLoopGroup acceptorGroup) {
    handlerExecutor.shutdown();
    try {
      handlerExecutor.awaitTermination(SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (EventLoopGroup group : new EventLoopGroup[] {ioGroup, acceptorGroup}) {
      group
          .shutdownGracefully(0, SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .awaitUninterruptibly(SHUTDOWN_TIMEOUT.toMillis());
    }
  }
}
