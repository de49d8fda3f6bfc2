package io.webhookdispatcher.server;

import io.webhookdispatcher.DispatcherSettings;
import io.webhookdispatcher.RetrySchedule;
import io.webhookdispatcher.jdbc.JdbcWebhookStore;
import io.webhookdispatcher.netty.AddressFilter;
import io.webhookdispatcher.netty.NettyTransport;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Immutable configuration of {@link DispatcherServer}.
 *
 * <p>Build it with {@link #builder()}, from {@link Properties} with {@link #fromProperties}, or
 * from a properties file overridden by system properties with {@link #load}. Every key starts with
 * {@code webhooks.}; {@code --help} lists them. {@link #toString()} masks every credential.
 */
public final class ServerConfig {
  /** Default listen address: {@code 127.0.0.1}, so that the API is not reachable from outside. */
  public static final String DEFAULT_HTTP_HOST = "127.0.0.1";

  /** Default listen port: 8080. */
  public static final int DEFAULT_HTTP_PORT = 8080;

  /** Default database: an H2 file database under {@code ./data}. */
  public static final String DEFAULT_JDBC_URL = "jdbc:h2:file:./data/webhooks";

  /** Default database user: {@code sa}, the H2 default. */
  public static final String DEFAULT_JDBC_USERNAME = "sa";

  /** Default database password: empty. */
  public static final String DEFAULT_JDBC_PASSWORD = "";

  /** The Netty transport, which sends webhooks to the endpoints: the default. */
  public static final String TRANSPORT_NETTY = "netty";

  /** The Svix transport, which hands each message to Svix. */
  public static final String TRANSPORT_SVIX = "svix";

  /** Default uid of the Svix application that contains the endpoints. */
  public static final String DEFAULT_SVIX_APP_UID = "webhook-dispatcher";

  /** Default maximum time of one delivery attempt: 15 seconds. */
  public static final Duration DEFAULT_DELIVERY_TIMEOUT = Duration.ofSeconds(15);

  /** Default delays between attempts: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h. */
  public static final String DEFAULT_RETRY_SCHEDULE = "5s,5m,30m,2h,5h,10h,10h";

  /** Default time between polls for due deliveries: 500 milliseconds. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);

  /** Default maximum message size: 262144 bytes (256 KiB). */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 262144;

  /** The allowed transports, in the order that an error message lists them. */
  private static final List<String> TRANSPORTS = List.of(TRANSPORT_NETTY, TRANSPORT_SVIX);
  private static final String MASK = "****";
  private static final String SVIX_PREFIX = "webhooks.svix.";

  /** A password, secret or token parameter of a JDBC URL, up to the next {@code ;} or {@code &}. */
  private static final Pattern URL_CREDENTIAL_PARAMETER =
      Pattern.compile("(?i)(password|pwd|secret|token)(\\s*=\\s*)[^;&]*");

  /** A password in the URL's user-info, as in {@code jdbc:postgresql://user:pass@host/db}. */
  private static final Pattern URL_USER_INFO_PASSWORD = Pattern.compile("(//[^/@:]*:)[^/@]*@");

  private final String httpHost;
  private final int httpPort;
  private final String jdbcUrl;
  private final String jdbcUsername;
  private final String jdbcPassword;
  private final String transport;
  private final String svixToken;
  private final String svixServerUrl;
  private final String svixAppUid;
  private final Duration deliveryTimeout;
  private final RetrySchedule retrySchedule;
  private final boolean allowPrivateAddresses;
  private final Duration lease;
  private final Duration pollInterval;
  private final int maxMessageBytes;
  private final int jdbcMaxPoolSize;
  private final Duration jdbcConnectionTimeout;
  private final String nodeId;
  private final int maxInFlightPerEndpoint;
  private final Duration retention;
  private final Duration disableAfter;
  private final List<String> allowedRanges;
  private final boolean httpsOnly;
  private final URI proxy;
  private final List<String> unknownKeys;

  private ServerConfig(Builder builder) {
    this.httpHost = builder.httpHost;
    this.httpPort = builder.httpPort;
    this.jdbcUrl = builder.jdbcUrl;
    this.jdbcUsername = builder.jdbcUsername;
    this.jdbcPassword = builder.jdbcPassword;
    this.transport = builder.transport;
    this.svixToken = builder.svixToken;
    this.svixServerUrl = builder.svixServerUrl;
    this.svixAppUid = builder.svixAppUid;
    this.deliveryTimeout = builder.deliveryTimeout;
    this.retrySchedule = builder.retrySchedule;
    this.allowPrivateAddresses = builder.allowPrivateAddresses;
    this.lease = builder.lease;
    this.pollInterval = builder.pollInterval;
    this.maxMessageBytes = builder.maxMessageBytes;
    this.jdbcMaxPoolSize = builder.jdbcMaxPoolSize;
    this.jdbcConnectionTimeout = builder.jdbcConnectionTimeout;
    this.nodeId = builder.nodeId;
    this.maxInFlightPerEndpoint = builder.maxInFlightPerEndpoint;
    this.retention = builder.retention;
    this.disableAfter = builder.disableAfter;
    this.allowedRanges = builder.allowedRanges;
    this.httpsOnly = builder.httpsOnly;
    this.proxy = builder.proxy;
    this.unknownKeys = List.copyOf(builder.unknownKeys);
  }

  /** Returns a builder with every default set. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a configuration from the {@code webhooks.*} entries of {@code properties}; other entries
   * are ignored and absent keys keep their defaults.
   *
   * @throws ConfigException naming the first key whose value is invalid
   */
  public static ServerConfig fromProperties(Properties properties) {
    Builder builder = builder();
    for (Setting setting : Setting.values()) {
      String value = properties.getProperty(setting.key());
      if (value != null) {
        apply(builder, setting, value);
      }
    }
    builder.unknownKeys =
        properties.stringPropertyNames().stream()
            .filter(key -> key.startsWith(Setting.PREFIX) && Setting.forKey(key).isEmpty())
            .sorted()
            .collect(Collectors.toList());
    rejectUnknownKeysInSvixMode(builder);
    return builder.build();
  }

  /**
   * Rejects unknown keys when messages go to Svix: a misspelt server URL would otherwise send the
   * token to the hosted Svix API instead of the server the operator meant.
   */
  private static void rejectUnknownKeysInSvixMode(Builder builder) {
    boolean svix = builder.transport.equals(TRANSPORT_SVIX);
    for (String key : builder.unknownKeys) {
      if (svix || key.startsWith(SVIX_PREFIX)) {
        throw new ConfigException(
            key,
            "Unknown configuration key "
                + key
                + ": with the Svix transport every webhooks.* key must be known, so that a typo"
                + " cannot send the token elsewhere; the Svix keys are "
                + Setting.SVIX_TOKEN.key()
                + ", "
                + Setting.SVIX_SERVER_URL.key()
                + " and "
                + Setting.SVIX_APP_UID.key()
                + ", and --help lists the others");
      }
    }
  }

  /**
   * Reads a properties file in UTF-8, then lets each {@code webhooks.*} entry of {@code overrides}
   * replace the file's value, and builds the configuration.
   *
   * @param configFile the file, or {@code null} to use the overrides and defaults only
   * @param overrides usually {@link System#getProperties()}
   * @throws ConfigException when the file is missing or unreadable, or a value is invalid
   */
  public static ServerConfig load(Path configFile, Properties overrides) {
    Properties merged = new Properties();
    if (configFile != null) {
      merged.putAll(readFile(configFile));
    }
    for (String key : overrides.stringPropertyNames()) {
      if (key.startsWith(Setting.PREFIX)) {
        merged.setProperty(key, overrides.getProperty(key));
      }
    }
    return fromProperties(merged);
  }

  private static Properties readFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(
          "--config",
          "Configuration file "
              + file.toAbsolutePath()
              + " does not exist or is not a regular file: check the path given with --config");
    }
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException(
          "--config",
          "Configuration file "
              + file.toAbsolutePath()
              + " could not be read as UTF-8 properties: "
              + e.getMessage(),
          e);
    }
    return properties;
  }

  private static void apply(Builder builder, Setting setting, String rawValue) {
    String value = setting == Setting.JDBC_PASSWORD ? rawValue : rawValue.trim();
    switch (setting) {
      case HTTP_HOST -> builder.httpHost(value);
      case HTTP_PORT ->
          builder.httpPort(parseInt(setting, value, "a whole number from 0 to 65535"));
      case JDBC_URL -> builder.jdbcUrl(value);
      case JDBC_USERNAME -> builder.jdbcUsername(value);
      case JDBC_PASSWORD -> builder.jdbcPassword(value);
      case TRANSPORT -> builder.transport(value);
      case SVIX_TOKEN -> builder.svixToken(value);
      case SVIX_SERVER_URL -> builder.svixServerUrl(value);
      case SVIX_APP_UID -> builder.svixAppUid(value);
      case DELIVERY_TIMEOUT -> builder.deliveryTimeout(parseDuration(setting, value));
      case DELIVERY_RETRY_SCHEDULE -> builder.retrySchedule(parseSchedule(setting, value));
      case DELIVERY_ALLOW_PRIVATE_ADDRESSES ->
          builder.allowPrivateAddresses(parseBoolean(setting, value));
      case DELIVERY_ALLOWED_RANGES -> builder.allowedRanges(parseList(value));
      case DELIVERY_HTTPS_ONLY -> builder.httpsOnly(parseBoolean(setting, value));
      case DELIVERY_PROXY -> builder.proxy(value.isEmpty() ? null : parseProxy(value));
      case DELIVERY_LEASE -> builder.lease(value.isEmpty() ? null : parseDuration(setting, value));
      case DELIVERY_POLL_INTERVAL -> builder.pollInterval(parseDuration(setting, value));
      case JDBC_MAX_POOL_SIZE ->
          builder.jdbcMaxPoolSize(parseInt(setting, value, "a whole number, at least 1"));
      case JDBC_CONNECTION_TIMEOUT -> builder.jdbcConnectionTimeout(parseDuration(setting, value));
      case NODE_ID -> builder.nodeId(value.isEmpty() ? null : value);
      case DELIVERY_MAX_IN_FLIGHT_PER_ENDPOINT ->
          builder.maxInFlightPerEndpoint(parseInt(setting, value, "a whole number, at least 1"));
      case RETENTION -> builder.retention(parseDuration(setting, value));
      case DELIVERY_DISABLE_AFTER ->
          builder.disableAfter(value.equals("0") ? Duration.ZERO : parseDuration(setting, value));
      case MESSAGE_MAX_BYTES ->
          builder.maxMessageBytes(parseInt(setting, value, "a whole number of bytes, at least 1"));
    }
  }

  private static URI parseProxy(String value) {
    try {
      return new URI(value);
    } catch (URISyntaxException e) {
      throw invalid(
          Setting.DELIVERY_PROXY.key(),
          maskUserInfo(value),
          "expected a URL such as http://proxy.internal:3128");
    }
  }

  /** Returns the value with everything before its last {@code @} masked, when it has one. */
  static String maskUserInfo(String value) {
    int at = value.lastIndexOf('@');
    if (at < 0) {
      return value;
    }
    int start = value.indexOf("//");
    String prefix = start >= 0 && start < at ? value.substring(0, start + 2) : "";
    return prefix + MASK + value.substring(at);
  }

  private static List<String> parseList(String value) {
    return Arrays.stream(value.split(","))
        .map(String::trim)
        .filter(entry -> !entry.isEmpty())
        .collect(Collectors.toList());
  }

  private static int parseInt(Setting setting, String value, String expected) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw invalid(setting.key(), value, "expected " + expected);
    }
  }

  private static Duration parseDuration(Setting setting, String value) {
    try {
      return RetrySchedule.parseDuration(value);
    } catch (IllegalArgumentException e) {
      throw invalid(setting.key(), value, e.getMessage());
    }
  }

  private static RetrySchedule parseSchedule(Setting setting, String value) {
    try {
      return RetrySchedule.parse(value);
    } catch (IllegalArgumentException e) {
      throw invalid(
          setting.key(), value, e.getMessage() + "; separate the delays with commas, as in 5s,5m");
    }
  }

  private static boolean parseBoolean(Setting setting, String value) {
    if (value.equalsIgnoreCase("true")) {
      return true;
    }
    if (value.equalsIgnoreCase("false")) {
      return false;
    }
    throw invalid(setting.key(), value, "expected true or false");
  }

  private static ConfigException invalid(String key, String value, String problem) {
    String displayedValue = Setting.isSensitive(key) ? MASK : value;
    return new ConfigException(
        key, "Invalid value '" + displayedValue + "' for " + key + ": " + problem);
  }

  /** Returns the address that the HTTP API listens on. */
  public String httpHost() {
    return httpHost;
  }

  /** Returns the TCP port of the HTTP API; 0 means an ephemeral port chosen at start. */
  public int httpPort() {
    return httpPort;
  }

  public String jdbcUrl() {
    return jdbcUrl;
  }

  public String jdbcUsername() {
    return jdbcUsername;
  }

  public String jdbcPassword() {
    return jdbcPassword;
  }

  /** Returns how webhooks leave: {@value #TRANSPORT_NETTY} or {@value #TRANSPORT_SVIX}. */
  public String transport() {
    return transport;
  }

  /**
   * Returns the keys that choose and configure the transport, for {@link
   * io.webhookdispatcher.WebhookDispatcher.Builder#transportConfig}; empty Svix values are left out.
   */
  public Map<String, String> transportConfig() {
    Map<String, String> config = new LinkedHashMap<>();
    config.put(Setting.TRANSPORT.key(), transport);
    if (transport.equals(TRANSPORT_SVIX)) {
      config.put(Setting.SVIX_TOKEN.key(), svixToken);
      if (!svixServerUrl.isEmpty()) {
        config.put(Setting.SVIX_SERVER_URL.key(), svixServerUrl);
      }
      config.put(Setting.SVIX_APP_UID.key(), svixAppUid);
    }
    return config;
  }

  public Duration deliveryTimeout() {
    return deliveryTimeout;
  }

  public RetrySchedule retrySchedule() {
    return retrySchedule;
  }

  public boolean allowPrivateAddresses() {
    return allowPrivateAddresses;
  }

  /** Returns the delivery lease, or empty to use the dispatcher's default. */
  public Optional<Duration> lease() {
    return Optional.ofNullable(lease);
  }

  public Duration pollInterval() {
    return pollInterval;
  }

  /** Returns the maximum size of a message request body and of a serialized message, in bytes. */
  public int jdbcMaxPoolSize() {
    return jdbcMaxPoolSize;
  }

  public Duration jdbcConnectionTimeout() {
    return jdbcConnectionTimeout;
  }

  /** Returns the node id, or empty for the dispatcher's default. */
  public Optional<String> nodeId() {
    return Optional.ofNullable(nodeId);
  }

  public int maxInFlightPerEndpoint() {
    return maxInFlightPerEndpoint;
  }

  public Duration retention() {
    return retention;
  }

  /** Returns the CIDR ranges whose private addresses endpoints may use. */
  public List<String> allowedRanges() {
    return allowedRanges;
  }

  /** Returns whether endpoints must use https. */
  public boolean httpsOnly() {
    return httpsOnly;
  }

  /** Returns the HTTP CONNECT proxy that webhooks leave through, if one is set. */
  public Optional<URI> proxy() {
    return Optional.ofNullable(proxy);
  }

  /** Returns how long an endpoint must fail before it is disabled; zero means never. */
  public Duration disableAfter() {
    return disableAfter;
  }

  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  /** Returns the {@code webhooks.*} keys that were given but are not settings, sorted. */
  public List<String> unknownKeys() {
    return unknownKeys;
  }

  /** Returns every setting by key, in {@code --help} order, with credentials masked. */
  Map<String, String> maskedValues() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put(Setting.HTTP_HOST.key(), httpHost);
    values.put(Setting.HTTP_PORT.key(), Integer.toString(httpPort));
    values.put(Setting.JDBC_URL.key(), maskJdbcUrl(jdbcUrl));
    values.put(Setting.JDBC_USERNAME.key(), jdbcUsername);
    values.put(Setting.JDBC_PASSWORD.key(), jdbcPassword);
    values.put(Setting.TRANSPORT.key(), transport);
    values.put(Setting.SVIX_TOKEN.key(), svixToken);
    values.put(
        Setting.SVIX_SERVER_URL.key(),
        svixServerUrl.isEmpty() ? "unset" : maskUserInfo(svixServerUrl));
    values.put(Setting.SVIX_APP_UID.key(), svixAppUid);
    values.put(Setting.DELIVERY_TIMEOUT.key(), formatDuration(deliveryTimeout));
    values.put(
        Setting.DELIVERY_RETRY_SCHEDULE.key(),
        retrySchedule.delays().stream()
            .map(ServerConfig::formatDuration)
            .collect(Collectors.joining(",")));
    values.put(
        Setting.DELIVERY_ALLOW_PRIVATE_ADDRESSES.key(), Boolean.toString(allowPrivateAddresses));
    values.put(
        Setting.DELIVERY_ALLOWED_RANGES.key(),
        allowedRanges.isEmpty() ? "none" : String.join(",", allowedRanges));
    values.put(Setting.DELIVERY_HTTPS_ONLY.key(), Boolean.toString(httpsOnly));
    values.put(
        Setting.DELIVERY_PROXY.key(), proxy == null ? "unset" : maskUserInfo(proxy.toString()));
    values.put(Setting.DELIVERY_LEASE.key(), lease == null ? "unset" : formatDuration(lease));
    values.put(Setting.DELIVERY_POLL_INTERVAL.key(), formatDuration(pollInterval));
    values.put(Setting.JDBC_MAX_POOL_SIZE.key(), Integer.toString(jdbcMaxPoolSize));
    values.put(Setting.JDBC_CONNECTION_TIMEOUT.key(), formatDuration(jdbcConnectionTimeout));
    values.put(Setting.NODE_ID.key(), nodeId == null ? "unset" : nodeId);
    values.put(
        Setting.DELIVERY_MAX_IN_FLIGHT_PER_ENDPOINT.key(), Integer.toString(maxInFlightPerEndpoint));
    values.put(
        Setting.DELIVERY_DISABLE_AFTER.key(),
        disableAfter.isZero() ? "0" : formatDuration(disableAfter));
    values.put(Setting.RETENTION.key(), formatDuration(retention));
    values.put(Setting.MESSAGE_MAX_BYTES.key(), Integer.toString(maxMessageBytes));
    values.replaceAll((key, value) -> Setting.isSensitive(key) ? MASK : value);
    return values;
  }

  /**
   * Returns the URL with the value of every password, secret or token parameter, and any password
   * in its user-info, replaced by {@code ****}. It serves the Svix server URL as well as JDBC URLs.
   */
  static String maskJdbcUrl(String url) {
    String masked = URL_CREDENTIAL_PARAMETER.matcher(url).replaceAll("$1$2" + MASK);
    return URL_USER_INFO_PASSWORD.matcher(masked).replaceAll("$1" + MASK + "@");
  }

  /**
   * Formats a duration in the largest unit that divides it, such as {@code 5m} or {@code 1500ms}.
   */
  static String formatDuration(Duration duration) {
    long millis = duration.toMillis();
    if (millis != 0 && millis % Duration.ofDays(1).toMillis() == 0) {
      return duration.toDays() + "d";
    }
    if (millis != 0 && millis % Duration.ofHours(1).toMillis() == 0) {
      return duration.toHours() + "h";
    }
    if (millis != 0 && millis % Duration.ofMinutes(1).toMillis() == 0) {
      return duration.toMinutes() + "m";
    }
    if (millis % 1000 == 0) {
      return duration.toSeconds() + "s";
    }
    return millis + "ms";
  }

  /** Returns every setting as {@code key=value}, comma-separated, with credentials masked. */
  @Override
  public String toString() {
    return maskedValues().entrySet().stream()
        .map(entry -> entry.getKey() + "=" + entry.getValue())
        .collect(Collectors.joining(", "));
  }

  /** Builder of {@link ServerConfig}; each setter rejects a bad value at once. */
  public static final class Builder {
    private String httpHost = DEFAULT_HTTP_HOST;
    private int httpPort = DEFAULT_HTTP_PORT;
    private String jdbcUrl = DEFAULT_JDBC_URL;
    private String jdbcUsername = DEFAULT_JDBC_USERNAME;
    private String jdbcPassword = DEFAULT_JDBC_PASSWORD;
    private String transport = TRANSPORT_NETTY;
    private String svixToken = "";
    private String svixServerUrl = "";
    private String svixAppUid = DEFAULT_SVIX_APP_UID;
    private Duration deliveryTimeout = DEFAULT_DELIVERY_TIMEOUT;
    private RetrySchedule retrySchedule = RetrySchedule.parse(DEFAULT_RETRY_SCHEDULE);
    private boolean allowPrivateAddresses;
    private Duration lease;
    private Duration pollInterval = DEFAULT_POLL_INTERVAL;
    private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
    private int jdbcMaxPoolSize = JdbcWebhookStore.DEFAULT_MAX_POOL_SIZE;
    private Duration jdbcConnectionTimeout = JdbcWebhookStore.DEFAULT_CONNECTION_TIMEOUT;
    private String nodeId;
    private int maxInFlightPerEndpoint = DispatcherSettings.DEFAULT_MAX_IN_FLIGHT_PER_ENDPOINT;
    private Duration retention = DispatcherSettings.DEFAULT_RETENTION;
    private Duration disableAfter = DispatcherSettings.DEFAULT_DISABLE_AFTER;
    private List<String> allowedRanges = List.of();
    private boolean httpsOnly;
    private URI proxy;
    private List<String> unknownKeys = new ArrayList<>();

    private Builder() {}

    /** Sets the address that the HTTP API listens on. Default: {@value #DEFAULT_HTTP_HOST}. */
    public Builder httpHost(String httpHost) {
      if (httpHost == null
          || httpHost.isBlank()
          || httpHost.chars().anyMatch(Character::isWhitespace)) {
        throw invalid(
            Setting.HTTP_HOST.key(),
            String.valueOf(httpHost),
            "expected a host name or IP address");
      }
      this.httpHost = httpHost;
      return this;
    }

    /** Sets the TCP port of the HTTP API; 0 picks an ephemeral port. Default: 8080. */
    public Builder httpPort(int httpPort) {
      if (httpPort < 0 || httpPort > 65535) {
        throw invalid(
            Setting.HTTP_PORT.key(),
            Integer.toString(httpPort),
            "expected a whole number from 0 to 65535");
      }
      this.httpPort = httpPort;
      return this;
    }

    /** Sets the JDBC URL of the database. Default: {@value #DEFAULT_JDBC_URL}. */
    public Builder jdbcUrl(String jdbcUrl) {
      if (jdbcUrl == null || !jdbcUrl.toLowerCase(Locale.ROOT).startsWith("jdbc:")) {
        throw invalid(
            Setting.JDBC_URL.key(),
            jdbcUrl == null ? "null" : maskJdbcUrl(jdbcUrl),
            "expected a JDBC URL starting with jdbc:, such as jdbc:h2:file:./data/webhooks");
      }
      this.jdbcUrl = jdbcUrl;
      return this;
    }

    /** Sets the database user name. Default: {@value #DEFAULT_JDBC_USERNAME}. */
    public Builder jdbcUsername(String jdbcUsername) {
      this.jdbcUsername = Objects.requireNonNull(jdbcUsername, "jdbcUsername");
      return this;
    }

    /** Sets the database password. Default: empty. */
    public Builder jdbcPassword(String jdbcPassword) {
      this.jdbcPassword = Objects.requireNonNull(jdbcPassword, "jdbcPassword");
      return this;
    }

    /**
     * Sets how webhooks leave: {@value #TRANSPORT_NETTY} sends them to the endpoints, {@value
     * #TRANSPORT_SVIX} hands each message to Svix. Default: {@value #TRANSPORT_NETTY}.
     */
    public Builder transport(String transport) {
      if (!TRANSPORTS.contains(transport)) {
        throw invalid(
            Setting.TRANSPORT.key(),
            String.valueOf(transport),
            "allowed values are " + String.join(", ", TRANSPORTS));
      }
      this.transport = transport;
      return this;
    }

    /** Sets the Svix API token, required with the Svix transport. Default: empty. */
    public Builder svixToken(String svixToken) {
      this.svixToken = Objects.requireNonNull(svixToken, "svixToken");
      return this;
    }

    /** Sets the Svix API URL; empty means the token's region. Default: empty. */
    public Builder svixServerUrl(String svixServerUrl) {
      this.svixServerUrl = Objects.requireNonNull(svixServerUrl, "svixServerUrl");
      return this;
    }

    /** Sets the uid of the Svix application. Default: {@value #DEFAULT_SVIX_APP_UID}. */
    public Builder svixAppUid(String svixAppUid) {
      this.svixAppUid = Objects.requireNonNull(svixAppUid, "svixAppUid");
      return this;
    }

    /** Sets the maximum time of one delivery attempt. Default: 15 seconds. */
    public Builder deliveryTimeout(Duration deliveryTimeout) {
      this.deliveryTimeout = positive(Setting.DELIVERY_TIMEOUT, deliveryTimeout);
      return this;
    }

    /** Sets the delays between attempts. Default: {@value #DEFAULT_RETRY_SCHEDULE}. */
    public Builder retrySchedule(RetrySchedule retrySchedule) {
      this.retrySchedule = Objects.requireNonNull(retrySchedule, "retrySchedule");
      return this;
    }

    /**
     * Allows endpoints on loopback, private and link-local addresses, for development and tests.
     * Default: {@code false}.
     */
    public Builder allowPrivateAddresses(boolean allowPrivateAddresses) {
      this.allowPrivateAddresses = allowPrivateAddresses;
      return this;
    }

    /**
     * Sets how long a claimed delivery stays reserved for this node; it must be longer than the
     * delivery timeout. Default: {@code null}, which means the dispatcher's default of twice the
     * timeout and at least 60 seconds.
     */
    public Builder lease(Duration lease) {
      this.lease = lease == null ? null : positive(Setting.DELIVERY_LEASE, lease);
      return this;
    }

    /** Sets the time between polls for due deliveries. Default: 500 milliseconds. */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = positive(Setting.DELIVERY_POLL_INTERVAL, pollInterval);
      return this;
    }

    /**
     * Sets the maximum size of a message request body and of a serialized message, in bytes.
     * Default: 262144.
     */
    public Builder maxMessageBytes(int maxMessageBytes) {
      if (maxMessageBytes < 1) {
        throw invalid(
            Setting.MESSAGE_MAX_BYTES.key(),
            Integer.toString(maxMessageBytes),
            "expected a whole number of bytes, at least 1");
      }
      this.maxMessageBytes = maxMessageBytes;
      return this;
    }

    /** Sets the maximum number of database connections. Default: 10. */
    public Builder jdbcMaxPoolSize(int jdbcMaxPoolSize) {
      this.jdbcMaxPoolSize = atLeastOne(Setting.JDBC_MAX_POOL_SIZE, jdbcMaxPoolSize);
      return this;
    }

    /** Sets the maximum wait for a database connection. Default: 5 seconds. */
    public Builder jdbcConnectionTimeout(Duration jdbcConnectionTimeout) {
      this.jdbcConnectionTimeout = positive(Setting.JDBC_CONNECTION_TIMEOUT, jdbcConnectionTimeout);
      return this;
    }

    /** Sets the node id written into leases, or {@code null} for host name and process id. */
    public Builder nodeId(String nodeId) {
      if (nodeId != null && (nodeId.isBlank() || nodeId.length() > 128)) {
        throw invalid(Setting.NODE_ID.key(), nodeId, "expected 1 to 128 characters");
      }
      this.nodeId = nodeId;
      return this;
    }

    /** Sets the maximum deliveries in flight to one endpoint, across every node. Default: 16. */
    public Builder maxInFlightPerEndpoint(int maxInFlightPerEndpoint) {
      this.maxInFlightPerEndpoint =
          atLeastOne(Setting.DELIVERY_MAX_IN_FLIGHT_PER_ENDPOINT, maxInFlightPerEndpoint);
      return this;
    }

    /** Sets how long finished messages and their attempts are kept. Default: 30 days. */
    public Builder retention(Duration retention) {
      this.retention = positive(Setting.RETENTION, retention);
      return this;
    }

    /**
     * Sets CIDR ranges whose private addresses endpoints may use, such as {@code 10.20.0.0/16}.
     * Default: none.
     */
    public Builder allowedRanges(List<String> allowedRanges) {
      try {
        AddressFilter.denyPrivateExcept(allowedRanges);
      } catch (IllegalArgumentException e) {
        throw invalid(
            Setting.DELIVERY_ALLOWED_RANGES.key(), String.join(",", allowedRanges), e.getMessage());
      }
      this.allowedRanges = List.copyOf(allowedRanges);
      return this;
    }

    /** Sets the HTTP CONNECT proxy, or {@code null} for direct connections. Default: none. */
    public Builder proxy(URI proxy) {
      if (proxy != null) {
        try {
          NettyTransport.builder().proxy(proxy);
        } catch (IllegalArgumentException e) {
          throw invalid(
              Setting.DELIVERY_PROXY.key(), maskUserInfo(proxy.toString()), e.getMessage());
        }
      }
      this.proxy = proxy;
      return this;
    }

    /** Requires https endpoints. Default: {@code false}. */
    public Builder httpsOnly(boolean httpsOnly) {
      this.httpsOnly = httpsOnly;
      return this;
    }

    /**
     * Sets how long every attempt to an endpoint must fail before it is disabled; zero means
     * never. Default: 5 days.
     */
    public Builder disableAfter(Duration disableAfter) {
      Objects.requireNonNull(disableAfter, "disableAfter");
      if (disableAfter.isNegative()) {
        throw invalid(
            Setting.DELIVERY_DISABLE_AFTER.key(),
            disableAfter.toString(),
            "expected a duration such as 5d, or 0 to never disable");
      }
      this.disableAfter = disableAfter;
      return this;
    }

    private static int atLeastOne(Setting setting, int value) {
      if (value < 1) {
        throw invalid(setting.key(), Integer.toString(value), "expected a whole number, at least 1");
      }
      return value;
    }

    /**
     * Builds the configuration.
     *
     * @throws ConfigException when the lease is not longer than the delivery timeout
     */
    public ServerConfig build() {
      if (transport.equals(TRANSPORT_SVIX) && svixToken.isBlank()) {
        throw new ConfigException(
            Setting.SVIX_TOKEN.key(),
            Setting.SVIX_TOKEN.key()
                + " is required when "
                + Setting.TRANSPORT.key()
                + " is svix: set it to the Svix API token");
      }
      if (lease != null && lease.compareTo(deliveryTimeout) <= 0) {
        throw new ConfigException(
            Setting.DELIVERY_LEASE.key(),
            Setting.DELIVERY_LEASE.key()
                + " "
                + formatDuration(lease)
                + " must be longer than "
                + Setting.DELIVERY_TIMEOUT.key()
                + " "
                + formatDuration(deliveryTimeout)
                + ", or a second node could send a delivery that this node is still sending:"
                + " raise the lease or leave it unset");
      }
      return new ServerConfig(this);
    }

    private static Duration positive(Setting setting, Duration value) {
      if (value == null || value.isZero() || value.isNegative()) {
        throw invalid(
            setting.key(),
            value == null ? "null" : formatDuration(value),
            "expected a positive duration such as 500ms, 15s or 5m");
      }
      return value;
    }
  }
}
