package io.webhookdispatcher.netty;

import io.webhookdispatcher.DispatcherSettings;
import io.webhookdispatcher.spi.Transport;
import io.webhookdispatcher.spi.TransportProvider;
import java.util.Map;

/**
 * Provides the {@code netty} transport: {@link NettyTransport} with the dispatcher's request
 * timeout, address checks, https-only setting and proxy. It reads no key of its own.
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
    return fromSettings(settings);
  }

  /**
   * Returns a transport with the dispatcher's request timeout, address rules, https-only setting
   * and proxy.
   */
  public static NettyTransport fromSettings(DispatcherSettings settings) {
    NettyTransport.Builder builder =
        NettyTransport.builder()
            .requestTimeout(settings.requestTimeout())
            .allowPrivateAddresses(settings.allowPrivateAddresses())
            .allowedRanges(settings.allowedRanges())
            .httpsOnly(settings.httpsOnly());
    settings.proxy().ifPresent(builder::proxy);
    return builder.build();
  }
}
