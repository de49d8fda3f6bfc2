package io.webhookdispatcher.server;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CodecException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the requests of one connection on a handler executor, one at a time, and writes each
 * response on the event loop.
 *
 * <p>While a request runs, the connection stops reading, and requests that a client pipelined
 * behind it wait here, so responses leave in request order. One instance serves one connection, and
 * every field is touched only on that connection's event loop.
 */
final class ApiChannelHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(ApiChannelHandler.class);

  /** A request copied off its Netty buffer, or the failure that the decoder reported for it. */
  private record Pending(
      HttpVersion version,
      HttpMethod method,
      String uri,
      HttpHeaders headers,
      byte[] body,
      Throwable decoderFailure) {}

  private final ApiHandler api;
  private final Executor handlerExecutor;
  private final Queue<Pending> waiting = new ArrayDeque<>();
  private boolean running;

  ApiChannelHandler(ApiHandler api, Executor handlerExecutor) {
    this.api = api;
    this.handlerExecutor = handlerExecutor;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    Throwable failure =
        request.decoderResult().isFailure() ? request.decoderResult().cause() : null;
    waiting.add(
        new Pending(
            request.protocolVersion(),
            request.method(),
            request.uri(),
            request.headers(),
            ByteBufUtil.getBytes(request.content()),
            failure));
    ctx.channel().config().setAutoRead(false);
    runNext(ctx);
  }

  /** Starts the next waiting request unless one is running; reads again once none waits. */
  private void runNext(ChannelHandlerContext ctx) {
    if (running) {
      return;
    }
    Pending next = waiting.poll();
    if (next == null) {
      ctx.channel().config().setAutoRead(true);
      return;
    }
    running = true;
    if (next.decoderFailure() != null) {
      rejectMalformed(ctx, next.decoderFailure());
      return;
    }
    try {
      handlerExecutor.execute(() -> runOnExecutor(ctx, next));
    } catch (RejectedExecutionException e) {
      LOG.warn(
          "{} {} returned 503: every handler thread is busy and the queue is full, or the server"
              + " is stopping",
          next.method(),
          ApiHandler.pathForLog(next.uri()));
      ApiResponse busy =
          api.error(
              HttpResponseStatus.SERVICE_UNAVAILABLE,
              "the server is overloaded or shutting down: retry later");
      write(ctx, next.version(), busy);
    }
  }

  private void runOnExecutor(ChannelHandlerContext ctx, Pending request) {
    ApiResponse response;
    try {
      response = api.handle(request.method(), request.uri(), request.headers(), request.body());
    } catch (Error e) {
      // No response will follow, so the connection must not wait for one.
      ctx.close();
      throw e;
    }
    try {
      ctx.executor().execute(() -> write(ctx, request.version(), response));
    } catch (RejectedExecutionException e) {
      LOG.debug(
          "Dropped the response to {} {}: the server is stopping",
          request.method(),
          ApiHandler.pathForLog(request.uri()));
    }
  }

  private void write(ChannelHandlerContext ctx, HttpVersion version, ApiResponse response) {
    ctx.writeAndFlush(api.toHttp(version, response))
        .addListener(
            future -> {
              running = false;
              if (ctx.channel().isActive()) {
                runNext(ctx);
              }
            });
  }

  /**
   * Writes an error response to a request that the HTTP decoder rejected, in HTTP/1.1 because the
   * request's own version may be what was invalid, then closes the connection.
   */
  private void rejectMalformed(ChannelHandlerContext ctx, Throwable cause) {
    HttpResponseStatus status;
    String message;
    if (cause instanceof TooLongHttpLineException) {
      status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
      message = "request line is too long: shorten the URL";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
      message = "request headers are too large";
    } else if (cause instanceof TooLongFrameException) {
      status = HttpResponseStatus.BAD_REQUEST;
      message = "request is too large to decode";
    } else {
      status = HttpResponseStatus.BAD_REQUEST;
      message = "request is not valid HTTP/1.1";
    }
    LOG.debug("Rejected a malformed request with {}: {}", status.code(), cause.toString());
    FullHttpResponse response = api.toHttp(HttpVersion.HTTP_1_1, api.error(status, message));
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof IdleStateEvent) {
      ctx.close();
      return;
    }
    super.userEventTriggered(ctx, event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A client that resets or closes the connection mid-request is routine, not a server fault.
    if (cause instanceof IOException || cause instanceof CodecException) {
      LOG.debug(
          "HTTP connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    } else {
      LOG.warn("HTTP connection from {} failed", ctx.channel().remoteAddress(), cause);
    }
    ctx.close();
  }
}
