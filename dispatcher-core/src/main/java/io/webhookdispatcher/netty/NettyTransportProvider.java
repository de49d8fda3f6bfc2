package io.webhookdispatcher.netty;

import io.webhookdispatcher.DispatcherSettings;
import io.webhookdispatcher.spi.Transport;
import io.webhookdispatcher.spi.TransportProvider;
import java.util.Map;

/**
 * Provides the {@code netty} transport: {@link NettyTransport} with the dispatcher's request
 * timeout and address checks. It reads no key of its own.
 */
public final class NettyTransportProvider implements TransportProvider {

  /** The value of {@code webhooks.transport} that selects this transport. */
  public static final String NAME = "netty";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Transport create(Map<String, String> config, DispatcherSettings settings) {
    return NettyTransport.builder()
        .requestTimeout(settings.requestTimeout())
        .allowPrivateAddresses(settings.allowPrivateAddresses())
        .allowedRanges(settings.allowedRanges())
        .build();
  }
}
