package io.webhookdispatcher.netty;

import io.netty.channel.Channel;
import io.netty.channel.pool.ChannelPool;
import io.netty.util.concurrent.ScheduledFuture;
import io.webhookdispatcher.spi.DeliveryOutcome;
import io.webhookdispatcher.spi.DeliveryRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt in progress: its target, its deadline timer, the pooled channel it runs on and the
 * future of its outcome.
 *
 * <p>Several threads may try to end an attempt at once (the response handler, the deadline timer,
 * {@link NettyTransport#close()}), so ending is guarded by this object's lock and happens once. The
 * winner decides what happens to the channel: it goes back to the pool only after a complete
 * response on a connection that may be kept alive, and is closed in every other case.
 */
final class Exchange {

  private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);

  /** The step an attempt is in, for the error text of a timeout. */
  enum Phase {
    CONNECTING("while waiting for a connection to"),
    TLS_HANDSHAKE("during the TLS handshake with"),
    AWAITING_RESPONSE("waiting for the response from"),
    READING_BODY("reading the response body from");

    private final String description;

    Phase(String description) {
      this.description = description;
    }
  }

  private final DeliveryRequest request;
  private final Target target;
  private final Duration requestTimeout;
  private final String proxyAuthority;
  private final long startNanos;
  private final CompletableFuture<DeliveryOutcome> result = new CompletableFuture<>();

  private volatile Phase phase = Phase.CONNECTING;
  private volatile boolean requestSent;
  private volatile int status;
  private volatile ScheduledFuture<?> deadline;

  // Guarded by this.
  private boolean ended;
  private Channel channel;
  private ChannelPool pool;
  private DeliveryOutcome outcome;

  /**
   * Creates an attempt that connects through the proxy at {@code proxyAuthority} ({@code
   * host:port}), or directly when it is null.
   */
  Exchange(DeliveryRequest request, Target target, Duration requestTimeout, String proxyAuthority) {
    this.request = request;
    this.target = target;
    this.requestTimeout = requestTimeout;
    this.proxyAuthority = proxyAuthority;
    this.startNanos = System.nanoTime();
  }

  DeliveryRequest request() {
    return request;
  }

  Target target() {
    return target;
  }

  CompletableFuture<DeliveryOutcome> result() {
    return result;
  }

  Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  void phase(Phase phase) {
    this.phase = phase;
  }

  /**
   * Records that the whole request reached the socket, so that a timeout can tell a receiver that
   * stopped reading the request from one that never responds.
   */
  void requestSent() {
    this.requestSent = true;
  }

  /** Records the response status, so that a timeout while reading the body can name it. */
  void status(int status) {
    this.status = status;
  }

  /** Sets the timer that ends the attempt, cancelling the one it replaces. */
  void deadline(ScheduledFuture<?> deadline) {
    ScheduledFuture<?> replaced = this.deadline;
    this.deadline = deadline;
    if (replaced != null) {
      replaced.cancel(false);
    }
  }

  synchronized boolean isEnded() {
    return ended;
  }

  /**
   * Binds the acquired channel to this attempt.
   *
   * @return {@code false} when the attempt has already ended, in which case the caller releases the
   *     channel to {@code pool} itself
   */
  synchronized boolean attach(Channel channel, ChannelPool pool) {
    if (ended) {
      return false;
    }
    this.channel = channel;
    this.pool = pool;
    return true;
  }

  /** Ends the attempt with a response, and returns the channel to the pool when reusable. */
  void respond(DeliveryOutcome response, boolean reusable) {
    end(response, reusable);
  }

  /** Ends the attempt with an error and closes its channel, if it has one. */
  void fail(String error) {
    end(DeliveryOutcome.failure(error, elapsed()), false);
  }

  /** Ends the attempt with a timeout error that names the step it was in. */
  void timeOut() {
    String step;
    if (phase == Phase.READING_BODY) {
      step = "reading the body of a " + status + " response from";
    } else if (phase == Phase.AWAITING_RESPONSE && !requestSent) {
      step = "sending the request to";
    } else {
      step = phase.description;
    }
    String route = proxyAuthority == null ? "" : " through proxy " + proxyAuthority;
    fail(
        "request timed out after "
            + Failures.format(requestTimeout)
            + " "
            + step
            + " "
            + target.authority()
            + route);
  }

  /**
   * Completes the attempt at once with {@code error}, unless an outcome was already decided, and
   * closes the channel. Used when the transport closes and its event loops may no longer run the
   * usual completion.
   */
  void abort(String error) {
    Channel toClose;
    synchronized (this) {
      if (!ended) {
        ended = true;
        outcome = DeliveryOutcome.failure(error, elapsed());
      }
      toClose = channel;
    }
    cancelDeadline();
    if (toClose != null) {
      toClose.close();
    }
    complete();
  }

  private void end(DeliveryOutcome decided, boolean reusable) {
    Channel ownChannel;
    ChannelPool ownPool;
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      outcome = decided;
      ownChannel = channel;
      ownPool = pool;
    }
    cancelDeadline();
    if (ownChannel == null) {
      complete();
    } else if (reusable) {
      // Complete only after the channel is back in the pool, so that the next request to the
      // same host finds it there.
      ownPool.release(ownChannel).addListener(released -> complete());
    } else {
      complete();
      ownChannel.close().addListener(closed -> ownPool.release(ownChannel));
    }
  }

  private void cancelDeadline() {
    ScheduledFuture<?> timer = deadline;
    if (timer != null) {
      timer.cancel(false);
    }
  }

  private void complete() {
    DeliveryOutcome decided;
    synchronized (this) {
      decided = outcome;
    }
    if (result.complete(decided) && LOG.isDebugEnabled()) {
      LOG.debug(
          "Attempt {} of message {} to endpoint {} ended: {}",
          request.attempt(),
          request.messageId(),
          request.endpointId(),
          decided);
    }
  }
}
