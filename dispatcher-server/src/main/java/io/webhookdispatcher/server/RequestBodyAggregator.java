package io.webhookdispatcher.server;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

/**
 * Aggregates a request body up to a maximum size and responds to a larger one with a JSON 413 in
 * place of Netty's empty one. Like Netty's own handling, it keeps a keep-alive connection open and
 * discards the rest of the oversized body, and closes any other connection.
 */
final class RequestBodyAggregator extends HttpObjectAggregator {
  private final ResponseJson responses;

  RequestBodyAggregator(int maxContentLength, ResponseJson responses) {
    super(maxContentLength);
    this.responses = responses;
  }

  @Override
  protected Object newContinueResponse(
      HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
    Object response = super.newContinueResponse(start, maxContentLength, pipeline);
    if (response instanceof HttpResponse
        && ((HttpResponse) response).status().code()
            == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()) {
      ReferenceCountUtil.release(response);
      return tooLarge(start.protocolVersion());
    }
    return response;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized)
      throws Exception {
    if (!(oversized instanceof HttpRequest)) {
      super.handleOversizedMessage(ctx, oversized);
      return;
    }
    boolean keepOpen =
        !(oversized instanceof FullHttpMessage)
            && ctx.channel().config().isAutoRead()
            && (HttpUtil.is100ContinueExpected(oversized) || HttpUtil.isKeepAlive(oversized));
    FullHttpResponse response = tooLarge(oversized.protocolVersion());
    if (keepOpen) {
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    } else {
      HttpUtil.setKeepAlive(response, false);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  private FullHttpResponse tooLarge(HttpVersion version) {
    return responses.errorResponse(
        version,
        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
        "request body is over the maximum of "
            + maxContentLength()
            + " bytes: send a smaller body");
  }
}
