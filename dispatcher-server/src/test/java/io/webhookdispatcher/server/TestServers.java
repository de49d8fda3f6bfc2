package io.webhookdispatcher.server;

import java.nio.file.Path;
import java.util.Properties;

/** Starts servers for tests: an ephemeral port on 127.0.0.1 and an H2 file database. */
final class TestServers {
  private TestServers() {}

  /**
   * Returns properties for a test server: port 0, an H2 database in {@code dataDir}, loopback
   * endpoints allowed and a 50 ms poll interval, then the given key and value pairs.
   */
  static Properties properties(Path dataDir, String... keysAndValues) {
    Properties properties = new Properties();
    properties.setProperty("webhooks.http.port", "0");
    properties.setProperty("webhooks.jdbc.url", "jdbc:h2:file:" + dataDir.resolve("webhooks"));
    properties.setProperty("webhooks.delivery.allow-private-addresses", "true");
    properties.setProperty("webhooks.delivery.poll-interval", "50ms");
    for (int i = 0; i < keysAndValues.length; i += 2) {
      properties.setProperty(keysAndValues[i], keysAndValues[i + 1]);
    }
    return properties;
  }

  /** Starts a server on {@link #properties}. */
  static DispatcherServer start(Path dataDir, String... keysAndValues) {
    return DispatcherServer.start(ServerConfig.fromProperties(properties(dataDir, keysAndValues)));
  }
}
