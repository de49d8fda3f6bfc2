package io.webhookdispatcher.server;

import java.util.Locale;
import java.util.Optional;

/** The configuration keys that the server reads, with their defaults as written in a file. */
enum Setting {
  HTTP_HOST("webhooks.http.host", "127.0.0.1", "Address that the HTTP API listens on."),
  HTTP_PORT(
      "webhooks.http.port", "8080", "TCP port of the HTTP API; 0 picks a free ephemeral port."),
  JDBC_URL(
      "webhooks.jdbc.url",
      "jdbc:h2:file:./data/webhooks",
      "JDBC URL of the database that holds endpoints, messages and attempts."),
  JDBC_USERNAME("webhooks.jdbc.username", "sa", "Database user name."),
  JDBC_PASSWORD("webhooks.jdbc.password", "", "Database password; never logged."),
  JDBC_MAX_POOL_SIZE(
      "webhooks.jdbc.max-pool-size", "10", "Maximum number of database connections."),
  JDBC_CONNECTION_TIMEOUT(
      "webhooks.jdbc.connection-timeout",
      "5s",
      "Maximum wait for a database connection; a publish fails after it while the database is"
          + " down."),
  NODE_ID(
      "webhooks.node-id",
      "",
      "Name of this node in its leases; unset means the host name and the process id."),
  TRANSPORT(
      "webhooks.transport",
      "netty",
      "How webhooks leave: netty sends them to the endpoints; svix hands each message to Svix."),
  SVIX_TOKEN(
      "webhooks.svix.token",
      "",
      "Svix API token; required when webhooks.transport is svix; never logged."),
  SVIX_SERVER_URL(
      "webhooks.svix.server-url",
      "",
      "Svix API URL; unset means the token's region (as the Svix libraries choose it), else"
          + " https://api.svix.com."),
  SVIX_APP_UID(
      "webhooks.svix.app-uid",
      "webhook-dispatcher",
      "Uid of the Svix application that holds the endpoints; created when missing."),
  DELIVERY_TIMEOUT(
      "webhooks.delivery.timeout",
      "15s",
      "Maximum time of one delivery attempt, connection included."),
  DELIVERY_RETRY_SCHEDULE(
      "webhooks.delivery.retry-schedule",
      "5s,5m,30m,2h,5h,10h,10h",
      "Delays between attempts after the first, comma-separated; empty means no retries."),
  DELIVERY_ALLOW_PRIVATE_ADDRESSES(
      "webhooks.delivery.allow-private-addresses",
      "false",
      "Whether endpoints may be on loopback, private or link-local addresses (true or false)."),
  DELIVERY_ALLOWED_RANGES(
      "webhooks.delivery.allowed-ranges",
      "",
      "CIDR ranges, comma-separated, whose private addresses endpoints may use, such as"
          + " 10.20.0.0/16."),
  DELIVERY_HTTPS_ONLY(
      "webhooks.delivery.https-only",
      "false",
      "Whether endpoints must use https (true or false)."),
  DELIVERY_PROXY(
      "webhooks.delivery.proxy",
      "",
      "HTTP CONNECT proxy that every webhook leaves through, as http://host:port, with"
          + " user:password@ for Basic authentication; unset means direct connections."),
  DELIVERY_LEASE(
      "webhooks.delivery.lease",
      "",
      "How long a claimed delivery stays reserved for this node; unset means three times the timeout,"
          + " at least 60s."),
  DELIVERY_MAX_IN_FLIGHT_PER_ENDPOINT(
      "webhooks.delivery.max-in-flight-per-endpoint",
      "16",
      "Maximum deliveries in flight to one endpoint, counted across every node."),
  DELIVERY_DISABLE_AFTER(
      "webhooks.delivery.disable-after",
      "5d",
      "How long every attempt to an endpoint must fail before it is disabled; 0 means never."),
  RETENTION(
      "webhooks.retention",
      "30d",
      "How long finished messages and their attempts are kept before they are deleted."),
  DELIVERY_POLL_INTERVAL(
      "webhooks.delivery.poll-interval", "500ms", "Time between polls for due deliveries."),
  MESSAGE_MAX_BYTES(
      "webhooks.message.max-bytes",
      "262144",
      "Maximum size of a message request body and of a serialized message, in bytes.");

  /** Prefix of every key; an unknown key with this prefix is reported as a likely typo. */
  static final String PREFIX = "webhooks.";

  private final String key;
  private final String defaultValue;
  private final String description;

  Setting(String key, String defaultValue, String description) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  /** Returns the property key, such as {@code webhooks.http.port}. */
  String key() {
    return key;
  }

  /** Returns the default as it would be written in a properties file; empty when unset. */
  String defaultValue() {
    return defaultValue;
  }

  /** Returns one line of help text. */
  String description() {
    return description;
  }

  /** Returns the setting with this key, or empty for an unknown key. */
  static Optional<Setting> forKey(String key) {
    for (Setting setting : values()) {
      if (setting.key.equals(key)) {
        return Optional.of(setting);
      }
    }
    return Optional.empty();
  }

  /**
   * Returns whether a key names a credential: the JDBC password and any key containing {@code
   * password}, {@code secret} or {@code token}, ignoring case.
   */
  static boolean isSensitive(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    return lower.contains("password") || lower.contains("secret") || lower.contains("token");
  }
}
