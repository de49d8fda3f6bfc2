package io.webhookdispatcher.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.webhookdispatcher.Attempt;
import io.webhookdispatcher.internal.RetryAfter;
import io.webhookdispatcher.spi.DeliveryOutcome;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;

/**
 * Reads the response of the attempt currently running on one channel.
 *
 * <p>It keeps the first {@link Attempt#MAX_RESPONSE_BYTES} bytes of the body, counts and discards
 * the rest, and stops reading once the body passes {@link NettyTransport#MAX_DRAINED_BODY_BYTES}:
 * the attempt then ends with the status and snippet, and the connection is closed. Every message is
 * released after this handler returns. Runs on the channel's event loop only.
 */
final class ResponseHandler extends SimpleChannelInboundHandler<HttpObject> {

  /**
   * Maximum number of informational (1xx) responses read before the final response: 100. Servers
   * send one or a few, such as 100 Continue or 103 Early Hints. Without a limit, a server could
   * stream them until the request timeout and keep the event loop busy decoding them.
   */
  static final int MAX_INFORMATIONAL_RESPONSES = 100;

  private final Clock clock;
  private final Duration connectTimeout;

  private Exchange exchange;
  private boolean requestWritten;
  private boolean skippingInformational;
  private int informationalResponses;
  private int status;
  private Duration retryAfter;
  private boolean keepAlive;
  private byte[] snippet;
  private int snippetLength;
  private long bodyBytes;

  ResponseHandler(Clock clock, Duration connectTimeout) {
    this.clock = clock;
    this.connectTimeout = connectTimeout;
  }

  /** Starts reading for a new attempt on this channel. */
  void begin(Exchange next) {
    exchange = next;
    requestWritten = false;
    skippingInformational = false;
    informationalResponses = 0;
    status = 0;
    retryAfter = null;
    keepAlive = false;
    snippet = null;
    snippetLength = 0;
    bodyBytes = 0;
  }

  /** Forgets the attempt once the channel is back in the pool. */
  void detach() {
    exchange = null;
  }

  /** Notes that the whole request was written, which a reusable connection requires. */
  void requestWritten() {
    requestWritten = true;
    if (exchange != null) {
      exchange.requestSent();
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
    Exchange current = exchange;
    if (current == null || current.isEnded()) {
      // Bytes outside any attempt: the connection is out of step, so it must not be reused.
      ctx.close();
      return;
    }
    if (message.decoderResult().isFailure()) {
      Throwable cause = message.decoderResult().cause();
      current.fail(
          "invalid HTTP response from "
              + current.target().authority()
              + ": "
              + (cause.getMessage() == null
                  ? cause.getClass().getSimpleName()
                  : cause.getMessage()));
      return;
    }
    if (message instanceof HttpResponse response) {
      readHead(current, response);
    }
    if (message instanceof HttpContent content) {
      readContent(ctx, current, content);
    }
  }

  private void readHead(Exchange current, HttpResponse response) {
    HttpResponseStatus responseStatus = response.status();
    if (responseStatus.codeClass() == HttpStatusClass.INFORMATIONAL
        && responseStatus.code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
      // 100 Continue or 103 Early Hints: the final response follows on the same connection.
      informationalResponses++;
      if (informationalResponses > MAX_INFORMATIONAL_RESPONSES) {
        current.fail(
            "invalid HTTP response from "
                + current.target().authority()
                + ": more than "
                + MAX_INFORMATIONAL_RESPONSES
                + " informational (1xx) responses before the final response");
        return;
      }
      skippingInformational = true;
      return;
    }
    status = responseStatus.code();
    current.status(status);
    current.phase(Exchange.Phase.READING_BODY);
    retryAfter =
        RetryAfter.parse(response.headers().get(HttpHeaderNames.RETRY_AFTER), clock.instant());
    keepAlive =
        HttpUtil.isKeepAlive(response)
            && (HttpUtil.isContentLengthSet(response)
                || HttpUtil.isTransferEncodingChunked(response));
    snippet = new byte[Attempt.MAX_RESPONSE_BYTES];
  }

  private void readContent(ChannelHandlerContext ctx, Exchange current, HttpContent content) {
    if (skippingInformational) {
      if (content instanceof LastHttpContent) {
        skippingInformational = false;
      }
      return;
    }
    if (snippet == null) {
      return;
    }
    ByteBuf body = content.content();
    int readable = body.readableBytes();
    int copied = Math.min(readable, snippet.length - snippetLength);
    body.getBytes(body.readerIndex(), snippet, snippetLength, copied);
    snippetLength += copied;
    bodyBytes += readable;
    if (bodyBytes > NettyTransport.MAX_DRAINED_BODY_BYTES) {
      current.respond(outcome(current), false);
      ctx.close();
    } else if (content instanceof LastHttpContent) {
      current.respond(outcome(current), keepAlive && requestWritten);
    }
  }

  private DeliveryOutcome outcome(Exchange current) {
    return DeliveryOutcome.response(
        status, current.elapsed(), Arrays.copyOf(snippet, snippetLength), retryAfter);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    Exchange current = exchange;
    if (current != null && !current.isEnded()) {
      // NOTE: a reused connection that the server closed just as the request was written also
      // ends here. The attempt is not repeated on a new connection, so it waits for the engine's
      // next retry.
      String authority = current.target().authority();
      current.fail(
          status == 0
              ? "connection closed by " + authority + " before a response"
              : "connection closed by " + authority + " in the body of a " + status + " response");
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Exchange current = exchange;
    if (current != null && !current.isEnded()) {
      current.fail(Failures.describe(cause, current.target(), connectTimeout));
    }
    ctx.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof IdleStateEvent) {
      if (exchange == null) {
        ctx.close();
      }
      return;
    }
    super.userEventTriggered(ctx, event);
  }
}
