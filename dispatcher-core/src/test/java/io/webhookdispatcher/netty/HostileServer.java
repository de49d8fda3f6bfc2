package io.webhookdispatcher.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP server on 127.0.0.1 that misbehaves on purpose, to show that no receiver can hold the
 * transport's threads or fill its heap.
 *
 * <p>The request path selects a {@link Behaviour}, as in {@link #url(Behaviour)}. A server started
 * with {@link #start(Behaviour)} plays one behaviour on every connection instead, which {@link
 * Behaviour#NEVER_READ} needs because it never reads a path. Responses are written as raw bytes,
 * so that any framing can be sent, and the server counts the bytes that reached its sockets.
 */
final class HostileServer implements AutoCloseable {

  /** Interval between two bytes of a dripped response. */
  static final Duration DRIP_INTERVAL = Duration.ofMillis(200);

  /** Content-Length of {@link Behaviour#HUGE_DECLARED_BODY}: 1 GiB. */
  static final long HUGE_BODY_BYTES = 1L << 30;

  /** Content-Length of {@link Behaviour#DRIP_BODY}, which takes 20 s to drip. */
  static final int DRIPPED_BODY_BYTES = 100;

  /** Byte that every streamed body consists of. */
  static final byte BODY_BYTE = 'x';

  private static final int CHUNK_BYTES = 8192;

  /** Send buffer of each connection, kept small so that bytes sent are close to bytes read. */
  private static final int SEND_BUFFER_BYTES = 16 * 1024;

  /** What the server does with a request, or with a whole connection. */
  enum Behaviour {
    /** Accepts the connection, then never reads from it nor writes to it. */
    NEVER_READ("never-read"),
    /** Reads the request, then never responds. */
    NEVER_ANSWER("never-answer"),
    /** Sends the status line and headers of a 200 response one byte every 200 ms. */
    DRIP_HEAD("drip-head"),
    /** Sends a 200 head at once, then its 100-byte body one byte every 200 ms. */
    DRIP_BODY("drip-body"),
    /** Sends a 200 response with a chunked body that never ends. */
    ENDLESS_CHUNKED_BODY("endless-chunked-body"),
    /** Sends a 200 response that declares a 1 GiB body, and streams it. */
    HUGE_DECLARED_BODY("huge-declared-body"),
    /** Sends {@code 100 Continue} interim responses without end and never a final one. */
    ENDLESS_INTERIM_RESPONSES("endless-interim-responses"),
    /** Sends a status line followed by header lines that never end. */
    ENDLESS_HEADERS("endless-headers"),
    /** Reads the request, then resets the connection (SO_LINGER 0). */
    RESET_AFTER_REQUEST("reset-after-request"),
    /**
     * Responds to the first request on a connection with a keep-alive 200, then closes the
     * connection as soon as the head of the next request on it arrives.
     */
    CLOSE_KEPT_ALIVE("close-kept-alive"),
    /** Responds 302 Found with the {@code location} query parameter as its Location header. */
    REDIRECT("redirect");

    private final String path;

    Behaviour(String path) {
      this.path = "/" + path;
    }

    static Behaviour ofPath(String path) {
      return Arrays.stream(values()).filter(b -> b.path.equals(path)).findFirst().orElse(null);
    }
  }

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Behaviour everyConnection;
  private final Channel serverChannel;
  private final AtomicInteger acceptedConnections = new AtomicInteger();
  private final AtomicInteger openConnections = new AtomicInteger();
  private final AtomicLong bytesSent = new AtomicLong();
  private final AtomicLong maxBytesSentOnOneConnection = new AtomicLong();
  private final Map<Behaviour, AtomicInteger> requests = new ConcurrentHashMap<>();
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  private HostileServer(Behaviour everyConnection) {
    this.everyConnection = everyConnection;
    this.serverChannel =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.SO_SNDBUF, SEND_BUFFER_BYTES)
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

  /** Starts a server that picks the behaviour from each request path. */
  static HostileServer start() {
    return new HostileServer(null);
  }

  /** Starts a server that plays {@code behaviour} on every connection, whatever the path. */
  static HostileServer start(Behaviour behaviour) {
    return new HostileServer(behaviour);
  }

  int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** Returns {@code host:port} as the transport names this server in its errors. */
  String authority() {
    return "127.0.0.1:" + port();
  }

  /** Returns the http URL whose path selects {@code behaviour}. */
  String url(Behaviour behaviour) {
    return "http://" + authority() + behaviour.path;
  }

  /** Returns the URL of a request that this server redirects to {@code location}. */
  String redirectUrl(String location) {
    return url(Behaviour.REDIRECT)
        + "?location="
        + URLEncoder.encode(location, StandardCharsets.UTF_8);
  }

  int acceptedConnections() {
    return acceptedConnections.get();
  }

  int openConnections() {
    return openConnections.get();
  }

  /** Returns the number of request heads received for {@code behaviour}. */
  int requests(Behaviour behaviour) {
    AtomicInteger count = requests.get(behaviour);
    return count == null ? 0 : count.get();
  }

  /** Returns the number of response bytes that the kernel accepted, on all connections. */
  long bytesSent() {
    return bytesSent.get();
  }

  /** Returns the highest number of response bytes that the kernel accepted on one connection. */
  long maxBytesSentOnOneConnection() {
    return maxBytesSentOnOneConnection.get();
  }

  /**
   * Starts reading on every open connection of a {@link Behaviour#NEVER_READ} server and discards
   * what arrives. A server that does not read cannot see that the client closed a connection, so
   * {@link #openConnections()} counts such a connection as open until this is called.
   */
  void startReading() {
    for (Channel connection : connections) {
      connection.config().setAutoRead(true);
    }
  }

  @Override
  public void close() {
    serverChannel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private void initConnection(SocketChannel channel) {
    acceptedConnections.incrementAndGet();
    connections.add(channel);
    if (everyConnection == Behaviour.NEVER_READ) {
      channel.config().setAutoRead(false);
      channel.pipeline().addLast(new ConnectionCounter());
      return;
    }
    channel.pipeline().addLast(new HttpRequestDecoder(), new Misbehaviour());
  }

  private static ByteBuf ascii(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
  }

  /** Counts open connections for a server that never reads, and discards what it reads. */
  private final class ConnectionCounter extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      ReferenceCountUtil.release(message);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      openConnections.incrementAndGet();
      ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      openConnections.decrementAndGet();
      ctx.fireChannelInactive();
    }
  }

  /** Plays the behaviour of one connection. Runs on the connection's event loop only. */
  private final class Misbehaviour extends ChannelInboundHandlerAdapter {
    private final AtomicLong sentOnConnection = new AtomicLong();
    private Behaviour behaviour;
    private int requestsOnConnection;
    private ScheduledFuture<?> drip;
    private ByteBuf streamUnit;
    private long streamRemaining;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      openConnections.incrementAndGet();
      ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      openConnections.decrementAndGet();
      if (drip != null) {
        drip.cancel(false);
      }
      if (streamUnit != null) {
        streamUnit.release();
        streamUnit = null;
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      try {
        if (message instanceof HttpRequest request) {
          onRequestHead(ctx, request);
        }
        if (message instanceof LastHttpContent && ctx.channel().isActive()) {
          onRequestEnd(ctx);
        }
      } finally {
        ReferenceCountUtil.release(message);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (streamUnit != null && ctx.channel().isWritable()) {
        stream(ctx);
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // The client closed or reset the connection, which every behaviour waits for.
      ctx.close();
    }

    private void onRequestHead(ChannelHandlerContext ctx, HttpRequest request) {
      QueryStringDecoder uri = new QueryStringDecoder(request.uri());
      behaviour = everyConnection != null ? everyConnection : Behaviour.ofPath(uri.path());
      if (behaviour == null) {
        return;
      }
      requests.computeIfAbsent(behaviour, b -> new AtomicInteger()).incrementAndGet();
      requestsOnConnection++;
      if (behaviour == Behaviour.CLOSE_KEPT_ALIVE && requestsOnConnection > 1) {
        ctx.close();
      } else if (behaviour == Behaviour.REDIRECT) {
        String location = uri.parameters().get("location").get(0);
        send(ctx, "HTTP/1.1 302 Found\r\nlocation: " + location + "\r\ncontent-length: 0\r\n\r\n");
      }
    }

    private void onRequestEnd(ChannelHandlerContext ctx) {
      if (behaviour == null) {
        send(ctx, "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n");
        return;
      }
      switch (behaviour) {
        case DRIP_HEAD -> drip(ctx, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
        case DRIP_BODY -> {
          send(ctx, "HTTP/1.1 200 OK\r\ncontent-length: " + DRIPPED_BODY_BYTES + "\r\n\r\n");
          drip(ctx, "x".repeat(DRIPPED_BODY_BYTES));
        }
        case ENDLESS_CHUNKED_BODY -> {
          send(ctx, "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
          startStream(ctx, chunkedUnit(), Long.MAX_VALUE);
        }
        case HUGE_DECLARED_BODY -> {
          send(ctx, "HTTP/1.1 200 OK\r\ncontent-length: " + HUGE_BODY_BYTES + "\r\n\r\n");
          startStream(ctx, bodyUnit(), HUGE_BODY_BYTES / CHUNK_BYTES);
        }
        case ENDLESS_INTERIM_RESPONSES ->
            startStream(ctx, ascii("HTTP/1.1 100 Continue\r\n\r\n"), Long.MAX_VALUE);
        case ENDLESS_HEADERS -> {
          send(ctx, "HTTP/1.1 200 OK\r\n");
          startStream(ctx, ascii("x-filler: " + "a".repeat(100) + "\r\n"), Long.MAX_VALUE);
        }
        case RESET_AFTER_REQUEST -> {
          ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
          ctx.close();
        }
        case CLOSE_KEPT_ALIVE -> send(ctx, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
        default -> {
          // NEVER_ANSWER stays silent, and REDIRECT got its response when its head arrived.
        }
      }
    }

    private void send(ChannelHandlerContext ctx, String text) {
      write(ctx, ascii(text));
      ctx.flush();
    }

    /** Writes {@code text} one byte per {@link #DRIP_INTERVAL}. */
    private void drip(ChannelHandlerContext ctx, String text) {
      byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
      AtomicInteger next = new AtomicInteger();
      long interval = DRIP_INTERVAL.toMillis();
      drip =
          ctx.executor()
              .scheduleAtFixedRate(
                  () -> {
                    int index = next.getAndIncrement();
                    if (index >= bytes.length) {
                      drip.cancel(false);
                      return;
                    }
                    write(ctx, Unpooled.wrappedBuffer(bytes, index, 1));
                    ctx.flush();
                  },
                  interval,
                  interval,
                  TimeUnit.MILLISECONDS);
    }

    /** Writes {@code count} copies of {@code unit}, as fast as the client reads them. */
    private void startStream(ChannelHandlerContext ctx, ByteBuf unit, long count) {
      streamUnit = unit;
      streamRemaining = count;
      stream(ctx);
    }

    private void stream(ChannelHandlerContext ctx) {
      Channel channel = ctx.channel();
      while (channel.isActive() && streamUnit != null && streamRemaining > 0) {
        if (!channel.isWritable()) {
          ctx.flush();
          if (!channel.isWritable()) {
            return;
          }
        }
        write(ctx, streamUnit.retainedDuplicate());
        streamRemaining--;
      }
      ctx.flush();
    }

    private void write(ChannelHandlerContext ctx, ByteBuf bytes) {
      int length = bytes.readableBytes();
      ctx.write(bytes)
          .addListener(
              written -> {
                if (written.isSuccess()) {
                  bytesSent.addAndGet(length);
                  long total = sentOnConnection.addAndGet(length);
                  maxBytesSentOnOneConnection.accumulateAndGet(total, Math::max);
                }
              });
    }

    private ByteBuf chunkedUnit() {
      ByteBuf unit = Unpooled.buffer(CHUNK_BYTES + 16);
      unit.writeCharSequence(Integer.toHexString(CHUNK_BYTES) + "\r\n", StandardCharsets.US_ASCII);
      unit.writeBytes(bodyBytes());
      unit.writeCharSequence("\r\n", StandardCharsets.US_ASCII);
      return unit;
    }

    private ByteBuf bodyUnit() {
      return Unpooled.wrappedBuffer(bodyBytes());
    }

    private byte[] bodyBytes() {
      byte[] body = new byte[CHUNK_BYTES];
      Arrays.fill(body, BODY_BYTE);
      return body;
    }
  }
}
