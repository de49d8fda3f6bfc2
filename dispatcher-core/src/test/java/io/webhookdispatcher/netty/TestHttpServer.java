package io.webhookdispatcher.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** An HTTP/1.1 server on 127.0.0.1 that records requests and counts accepted connections. */
final class TestHttpServer implements AutoCloseable {

  /** One request as the server received it. */
  record RecordedRequest(String method, String uri, HttpHeaders headers, byte[] body) {}

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger acceptedConnections = new AtomicInteger();
  private final Function<RecordedRequest, FullHttpResponse> responder;
  private final SslContext sslContext;
  private final Channel serverChannel;

  private TestHttpServer(
      SslContext sslContext, Function<RecordedRequest, FullHttpResponse> responder) {
    this.sslContext = sslContext;
    this.responder = responder;
    this.serverChannel =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    initConnection(channel);
                  }
                })
            .bind("127.0.0.1", 0)
            .syncUninterruptibly()
            .channel();
  }

  /** Starts a plain HTTP server that responds to every request with {@code responder}. */
  static TestHttpServer start(Function<RecordedRequest, FullHttpResponse> responder) {
    return new TestHttpServer(null, responder);
  }

  /** Starts an HTTPS server with the given server-side TLS context. */
  static TestHttpServer startTls(
      SslContext sslContext, Function<RecordedRequest, FullHttpResponse> responder) {
    return new TestHttpServer(sslContext, responder);
  }

  /** Creates a response with a body and header name/value pairs. */
  static FullHttpResponse response(int status, byte[] body, String... headerPairs) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
    for (int i = 0; i + 1 < headerPairs.length; i += 2) {
      response.headers().set(headerPairs[i], headerPairs[i + 1]);
    }
    return response;
  }

  static FullHttpResponse response(int status, String body, String... headerPairs) {
    return response(status, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), headerPairs);
  }

  int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  List<RecordedRequest> requests() {
    return requests;
  }

  int acceptedConnections() {
    return acceptedConnections.get();
  }

  @Override
  public void close() {
    serverChannel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private void initConnection(SocketChannel channel) {
    acceptedConnections.incrementAndGet();
    if (sslContext != null) {
      channel.pipeline().addLast(sslContext.newHandler(channel.alloc()));
    }
    channel
        .pipeline()
        .addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Responder());
  }

  private final class Responder extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      RecordedRequest recorded =
          new RecordedRequest(
              request.method().name(),
              request.uri(),
              request.headers().copy(),
              ByteBufUtil.getBytes(request.content()));
      requests.add(recorded);
      FullHttpResponse response = responder.apply(recorded);
      HttpUtil.setContentLength(response, response.content().readableBytes());
      ctx.writeAndFlush(response);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
