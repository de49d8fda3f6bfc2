package io.webhookdispatcher.jdbc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Test databases with random names on a shared server, created and dropped through JDBC. */
final class TestDatabases {

  /** A server URL: {@code jdbc:<driver>://<authority>}, an optional path, optional properties. */
  private static final Pattern SERVER_URL =
      Pattern.compile("(jdbc:[a-z]+://[^/?]+)(/[^?]*)?(\\?.*)?", Pattern.CASE_INSENSITIVE);

  private TestDatabases() {}

  /** Returns a new database name such as {@code webhooks_test_3f2a9c1b}. */
  static String randomName() {
    return "webhooks_test_" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Returns the server URL with its database replaced, keeping its properties.
   *
   * @throws IllegalArgumentException when the URL does not look like {@code
   *     jdbc:postgresql://host:port/database?user=name}
   */
  static String withDatabase(String serverUrl, String database) {
    Matcher matcher = SERVER_URL.matcher(serverUrl);
    if (!matcher.matches()) {
      throw new IllegalArgumentException(
          "Test database URL '"
              + JdbcUrls.maskPassword(serverUrl)
              + "' is invalid: it must look like"
              + " jdbc:postgresql://127.0.0.1:5432/test?user=postgres or"
              + " jdbc:mariadb://127.0.0.1:3306/test?user=root");
    }
    String properties = matcher.group(3) == null ? "" : matcher.group(3);
    return matcher.group(1) + "/" + database + properties;
  }

  /** Returns the URL with one more connection property. */
  static String withProperty(String url, String property) {
    return url + (url.contains("?") ? "&" : "?") + property;
  }

  /** Runs each statement in its own auto-commit transaction on a new connection to the URL. */
  static void execute(String url, String... statements) {
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Failed to run '" + String.join("; ", statements) + "' on " + JdbcUrls.maskPassword(url),
          e);
    }
  }

  /** Returns a loopback port that nothing listens on: it was free a moment ago. */
  static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Failed to find a free loopback port", e);
    }
  }
}
