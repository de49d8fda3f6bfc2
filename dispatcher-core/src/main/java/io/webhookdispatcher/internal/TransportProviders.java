package io.webhookdispatcher.internal;

import io.webhookdispatcher.DispatcherSettings;
import io.webhookdispatcher.InvalidInputException;
import io.webhookdispatcher.spi.Transport;
import io.webhookdispatcher.spi.TransportProvider;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Finds the transport that {@code webhooks.transport} names among the registered providers. */
public final class TransportProviders {

  /** The key that names the transport. */
  public static final String TRANSPORT_KEY = "webhooks.transport";

  /** The transport used when {@link #TRANSPORT_KEY} is absent. */
  public static final String DEFAULT_TRANSPORT = "netty";

  private static final String PREFIX = "webhooks.";

  private TransportProviders() {}

  /** Returns the keys that start with {@code webhooks.}, sorted, with their values as strings. */
  public static Map<String, String> webhookKeys(Map<?, ?> config) {
    Map<String, String> keys = new TreeMap<>();
    for (Map.Entry<?, ?> entry : config.entrySet()) {
      if (entry.getKey() instanceof String key && key.startsWith(PREFIX)) {
        if (!(entry.getValue() instanceof String value)) {
          throw new InvalidInputException(
              key, key + " must be a string, got " + describe(entry.getValue()));
        }
        keys.put(key, value);
      }
    }
    return keys;
  }

  /**
   * Creates the transport that the configuration names.
   *
   * @throws InvalidInputException when no provider has that name, or the provider refuses a key
   */
  public static Transport create(Map<String, String> config, DispatcherSettings settings) {
    String name = config.getOrDefault(TRANSPORT_KEY, DEFAULT_TRANSPORT).trim();
    Map<String, TransportProvider> providers = available();
    TransportProvider provider = providers.get(name);
    if (provider == null) {
      throw new InvalidInputException(
          TRANSPORT_KEY,
          TRANSPORT_KEY
              + " is '"
              + name
              + "', but no transport of that name is on the class path; available: "
              + String.join(", ", providers.keySet())
              + (name.equals("svix")
                  ? ". Add the io.webhookdispatcher:dispatcher-svix-adapter dependency"
                  : ""));
    }
    return provider.create(Map.copyOf(config), settings);
  }

  private static Map<String, TransportProvider> available() {
    return ServiceLoader.load(TransportProvider.class, TransportProviders.class.getClassLoader())
        .stream()
        .map(ServiceLoader.Provider::get)
        .collect(Collectors.toMap(TransportProvider::name, p -> p, (a, b) -> a, TreeMap::new));
  }

  private static String describe(Object value) {
    return value == null ? "null" : "a " + value.getClass().getSimpleName();
  }
}
