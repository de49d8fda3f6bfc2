package io.webhookdispatcher.spi;

import io.webhookdispatcher.DispatcherSettings;
import java.util.Map;

/**
 * Creates a transport by name from configuration keys, so that a host switches transports by
 * configuration alone. Providers are found with {@link java.util.ServiceLoader}: a module
 * registers one in {@code META-INF/services/io.webhookdispatcher.spi.TransportProvider}.
 */
public interface TransportProvider {

  /** Returns the value of {@code webhooks.transport} that selects this provider. */
  String name();

  /**
   * Creates the transport.
   *
   * @param config every configuration key that starts with {@code webhooks.}, with its value
   * @param settings the dispatcher's settings, for the request timeout and address checks
   * @throws io.webhookdispatcher.InvalidInputException naming the key whose value is missing or
   *     invalid
   */
  Transport create(Map<String, String> config, DispatcherSettings settings);
}
