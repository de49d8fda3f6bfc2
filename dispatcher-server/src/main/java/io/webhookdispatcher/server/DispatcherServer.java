package io.webhookdispatcher.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.webhookdispatcher.InvalidInputException;
import io.webhookdispatcher.WebhookDispatcher;
import io.webhookdispatcher.jdbc.JdbcWebhookStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runnable server: a {@link WebhookDispatcher} on the JDBC store, with an HTTP API to manage
 * endpoints, publish messages and read attempts.
 *
 * <p>Run it with {@code java -jar dispatcher-server.jar [--config FILE]}, or embed it with {@link
 * #start(ServerConfig)} and stop it with {@link #close()}.
 */
public final class DispatcherServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DispatcherServer.class);

  /** Exit status when the server fails to start for a reason other than its configuration. */
  static final int EXIT_STARTUP_FAILURE = 1;

  /** Exit status for an invalid command line or configuration. */
  static final int EXIT_INVALID_CONFIGURATION = 2;

  /**
   * Smallest maximum request body: 16 KiB, so that an endpoint request with a 2048-character URL
   * and a 1024-character description fits even when messages are limited to fewer bytes.
   */
  static final int MIN_REQUEST_BYTES = 16 * 1024;

  private final JdbcWebhookStore store;
  private final WebhookDispatcher dispatcher;
  private final HttpApiServer http;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch closed = new CountDownLatch(1);

  private DispatcherServer(
      JdbcWebhookStore store, WebhookDispatcher dispatcher, HttpApiServer http) {
    this.store = store;
    this.dispatcher = dispatcher;
    this.http = http;
  }

  /**
   * Opens the store, starts delivering and binds the HTTP API. Logs the configuration, with
   * credentials masked, and a warning for each unknown {@code webhooks.*} key.
   *
   * @throws ConfigException when the JDBC URL names an unsupported database
   * @throws io.webhookdispatcher.WebhookException when the database or the HTTP address cannot be
   *     used; whatever was started is closed again
   */
  public static DispatcherServer start(ServerConfig config) {
    DispatcherServer server = open(config);
    server.logListening(config);
    return server;
  }

  /** Does all of {@link #start} but the final "Listening on" line. */
  private static DispatcherServer open(ServerConfig config) {
    LOG.info("Starting webhook dispatcher server with {}", config);
    for (String key : config.unknownKeys()) {
      LOG.warn("Ignoring unknown configuration key {}: check its spelling against --help", key);
    }
    ObjectMapper mapper = RequestJson.newMapper();
    JdbcWebhookStore store = openStore(config);
    WebhookDispatcher dispatcher = null;
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try {
      dispatcher = newDispatcher(config, store, mapper, metrics);
      dispatcher.start();
      ResponseJson responses = new ResponseJson(mapper);
      WebhookRoutes routes =
          new WebhookRoutes(
              dispatcher, new RequestJson(mapper), responses, config.maxMessageBytes(), metrics);
      HttpApiServer http =
          HttpApiServer.start(
              config.httpHost(),
              config.httpPort(),
              routes.router(),
              responses,
              Math.max(config.maxMessageBytes(), MIN_REQUEST_BYTES));
      return new DispatcherServer(store, dispatcher, http);
    } catch (RuntimeException e) {
      if (dispatcher != null) {
        closeQuietly("dispatcher", dispatcher);
      }
      closeQuietly("webhook store", store);
      throw e;
    }
  }

  private void logListening(ServerConfig config) {
    LOG.info("Listening on http://{}:{}", hostForUrl(config.httpHost()), port());
  }

  private static JdbcWebhookStore openStore(ServerConfig config) {
    try {
      return JdbcWebhookStore.builder()
          .jdbcUrl(config.jdbcUrl())
          .username(config.jdbcUsername())
          .password(config.jdbcPassword())
          .maxPoolSize(config.jdbcMaxPoolSize())
          .connectionTimeout(config.jdbcConnectionTimeout())
          .build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          Setting.JDBC_URL.key(),
          "Invalid value for " + Setting.JDBC_URL.key() + ": " + e.getMessage(),
          e);
    }
  }

  private static WebhookDispatcher newDispatcher(
      ServerConfig config,
      JdbcWebhookStore store,
      ObjectMapper mapper,
      PrometheusMeterRegistry metrics) {
    WebhookDispatcher.Builder builder =
        WebhookDispatcher.builder()
            .store(store)
            .objectMapper(mapper)
            .meterRegistry(metrics)
            .requestTimeout(config.deliveryTimeout())
            .retrySchedule(config.retrySchedule())
            .allowPrivateAddresses(config.allowPrivateAddresses())
            .pollInterval(config.pollInterval())
            .maxInFlightPerEndpoint(config.maxInFlightPerEndpoint())
            .retention(config.retention())
            .disableAfter(config.disableAfter())
            .allowedRanges(config.allowedRanges())
            .httpsOnly(config.httpsOnly())
            .maxMessageBytes(config.maxMessageBytes());
    config.lease().ifPresent(builder::lease);
    config.proxy().ifPresent(builder::proxy);
    config.nodeId().ifPresent(builder::nodeId);
    try {
      return builder.transportConfig(config.transportConfig()).build();
    } catch (InvalidInputException e) {
      throw new ConfigException(e.field(), "Invalid transport setting: " + e.getMessage(), e);
    }
  }

  /** Returns the port that the HTTP API listens on, the ephemeral one when 0 was configured. */
  public int port() {
    return http.port();
  }

  /** Returns the embedded dispatcher. */
  public WebhookDispatcher dispatcher() {
    return dispatcher;
  }

  /**
   * Closes the HTTP API, then the dispatcher, then the store. Calling it again, or from another
   * thread while it runs, does nothing.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    LOG.info("Stopping webhook dispatcher server");
    try {
      closeQuietly("HTTP API", http);
      closeQuietly("dispatcher", dispatcher);
      closeQuietly("webhook store", store);
      LOG.info("Stopped webhook dispatcher server");
    } finally {
      closed.countDown();
    }
  }

  /** Blocks until {@link #close()} has finished. */
  void awaitClosed() throws InterruptedException {
    closed.await();
  }

  /** Closes one part, logging a failure so that the parts after it are still closed. */
  private static void closeQuietly(String name, AutoCloseable part) {
    try {
      part.close();
    } catch (Exception e) {
      LOG.warn("Closing the {} failed", name, e);
    }
  }

  private static String hostForUrl(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  /**
   * Runs the server until the JVM stops. Exits with status 2 on an invalid command line or
   * configuration and 1 when the server fails to start.
   */
  public static void main(String[] args) {
    int status = run(args, System.getProperties(), System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /**
   * Parses the command line, starts the server and blocks until a JVM shutdown hook closes it.
   *
   * @return the exit status: 0 after {@code --help} or a clean stop, 1 when starting failed, 2 on
   *     an invalid command line or configuration
   */
  static int run(String[] args, Properties systemProperties, PrintStream out, PrintStream err) {
    ServerConfig config;
    try {
      CommandLine commandLine = CommandLine.parse(args);
      if (commandLine.help()) {
        out.print(CommandLine.usage());
        return 0;
      }
      config = ServerConfig.load(commandLine.configFile(), systemProperties);
    } catch (ConfigException e) {
      err.println("Invalid configuration: " + e.getMessage());
      return EXIT_INVALID_CONFIGURATION;
    }

    // The hook exists before "Listening on" is logged, so a SIGTERM sent as soon as a supervisor
    // reads that line still closes the server.
    AtomicReference<DispatcherServer> running = new AtomicReference<>();
    Thread shutdownHook = new Thread(() -> closeIfRunning(running), "webhook-server-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    int status = openAndAwaitClose(config, running, err);
    if (status != 0) {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    }
    return status;
  }

  private static int openAndAwaitClose(
      ServerConfig config, AtomicReference<DispatcherServer> running, PrintStream err) {
    DispatcherServer server;
    try {
      server = open(config);
    } catch (ConfigException e) {
      err.println("Invalid configuration: " + e.getMessage());
      return EXIT_INVALID_CONFIGURATION;
    } catch (RuntimeException e) {
      LOG.error("Webhook dispatcher server failed to start", e);
      err.println("Webhook dispatcher server failed to start: " + e.getMessage());
      return EXIT_STARTUP_FAILURE;
    }

    running.set(server);
    server.logListening(config);
    try {
      server.awaitClosed();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.close();
    }
    return 0;
  }

  private static void closeIfRunning(AtomicReference<DispatcherServer> running) {
    DispatcherServer server = running.get();
    if (server != null) {
      server.close();
    }
  }

  /**
   * The parsed command line.
   *
   * @param configFile the file given with {@code --config}, or {@code null}
   * @param help whether {@code --help} was given
   */
  record CommandLine(Path configFile, boolean help) {
    private static final String USAGE_HEAD =
        """
        Usage: java [-Dkey=value ...] -jar dispatcher-server.jar [--config FILE]

        Runs the webhook dispatcher: an HTTP API that stores endpoints and messages in
        a database and sends each message, signed, to every endpoint.

        Options:
          --config FILE  Reads settings from a UTF-8 properties file.
          --help         Prints this help and exits.

        Settings, read from the file; a -Dkey=value system property overrides each one:
        """;

    /**
     * Parses {@code --config FILE}, {@code --config=FILE} and {@code --help} or {@code -h}.
     *
     * @throws ConfigException on an unknown argument or a {@code --config} without a file
     */
    static CommandLine parse(String[] args) {
      Path configFile = null;
      boolean help = false;
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (arg.equals("--help") || arg.equals("-h")) {
          help = true;
        } else if (arg.equals("--config")) {
          if (i + 1 == args.length) {
            throw new ConfigException("--config", "--config needs a file: --config FILE");
          }
          configFile = Path.of(args[++i]);
        } else if (arg.startsWith("--config=")) {
          configFile = Path.of(arg.substring("--config=".length()));
        } else {
          throw new ConfigException(
              arg, "Unknown argument '" + arg + "': run with --help to list the options");
        }
      }
      return new CommandLine(configFile, help);
    }

    /** Returns the help text: the options and a table of every setting with its default. */
    static String usage() {
      int keyWidth = "key".length();
      int defaultWidth = "default".length();
      for (Setting setting : Setting.values()) {
        keyWidth = Math.max(keyWidth, setting.key().length());
        defaultWidth = Math.max(defaultWidth, displayedDefault(setting).length());
      }
      String row = "  %-" + keyWidth + "s  %-" + defaultWidth + "s  %s%n";

      StringBuilder text = new StringBuilder(USAGE_HEAD.replace("\n", System.lineSeparator()));
      text.append(String.format(row, "key", "default", "description"));
      for (Setting setting : Setting.values()) {
        text.append(
            String.format(row, setting.key(), displayedDefault(setting), setting.description()));
      }
      text.append(String.format("%nDurations take a unit: 500ms, 15s, 5m, 2h or 1d.%n"));
      return text.toString();
    }

    private static String displayedDefault(Setting setting) {
      if (setting == Setting.DELIVERY_LEASE) {
        return "(unset)";
      }
      return setting.defaultValue().isEmpty() ? "(empty)" : setting.defaultValue();
    }
  }
}
