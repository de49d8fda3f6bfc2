package io.webhookdispatcher.benchmarks;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A webhook receiver on 127.0.0.1 that responds 200 to every request at once, on Netty with
 * keep-alive. It counts requests and hands each request's {@code webhook-id} to a listener.
 */
final class NettyReceiver implements AutoCloseable {
  /** Sees each request as it arrives, on a Netty thread; it must return quickly. */
  interface RequestListener {
    void received(String webhookId, long receivedNanos);
  }

  private static final int MAX_BODY_BYTES = 1024 * 1024;

  private final EventLoopGroup group;
  private final Channel channel;
  private final LongAdder requests = new LongAdder();
  private volatile RequestListener listener = (webhookId, receivedNanos) -> {};

  private NettyReceiver(int threads) throws InterruptedException {
    group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    channel =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    channel
                        .pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(MAX_BODY_BYTES))
                        .addLast(new Handler());
                  }
                })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .sync()
            .channel();
  }

  /** Starts a receiver on an ephemeral port of 127.0.0.1 with {@code threads} event loops. */
  static NettyReceiver start(int threads) throws InterruptedException {
    return new NettyReceiver(threads);
  }

  /** Returns the URL of a path on this receiver. */
  String url(String path) {
    return "http://127.0.0.1:" + ((InetSocketAddress) channel.localAddress()).getPort() + path;
  }

  /** Returns the number of requests responded to so far, duplicates included. */
  long requests() {
    return requests.sum();
  }

  /** Forgets the count, before the next run. */
  void reset() {
    requests.reset();
  }

  void listener(RequestListener listener) {
    this.listener = listener;
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext context, FullHttpRequest request) {
      listener.received(request.headers().get("webhook-id"), System.nanoTime());
      requests.increment();
      FullHttpResponse response =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      HttpUtil.setKeepAlive(response, keepAlive);
      if (keepAlive) {
        context.writeAndFlush(response, context.voidPromise());
      } else {
        context.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
      context.close();
    }
  }
}
