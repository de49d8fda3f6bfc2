package io.webhookdispatcher.spi;

import java.util.concurrent.CompletionStage;

/**
 * Sends one delivery attempt somewhere: to the endpoint's URL over HTTP, or to a service that
 * delivers on our behalf.
 *
 * <p>Implementations are asynchronous and thread-safe. {@link #send} never throws and its stage
 * never completes exceptionally: every failure comes back as a {@link DeliveryOutcome}.
 */
public interface Transport extends AutoCloseable {

  /** Starts an attempt and returns its outcome once the attempt has ended. */
  CompletionStage<DeliveryOutcome> send(DeliveryRequest request);

  /** Releases connections and threads. Attempts still running complete with an error outcome. */
  @Override
  void close();
}
