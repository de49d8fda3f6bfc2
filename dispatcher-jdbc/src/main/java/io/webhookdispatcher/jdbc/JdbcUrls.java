package io.webhookdispatcher.jdbc;

import java.util.Locale;
import java.util.regex.Pattern;

/** Helpers that adjust a JDBC URL for the store or make it safe to show in a log line. */
final class JdbcUrls {
  private static final String MASK = "****";

  /**
   * Password properties as H2, PostgreSQL and MySQL URLs spell them, up to {@code ;} or {@code &}.
   */
  private static final Pattern PASSWORD_PROPERTY =
      Pattern.compile("(?i)\\b(password|pwd)(\\s*=\\s*)[^;&]*");

  /** Credentials in the authority part, as in {@code jdbc:mysql://user:secret@host/db}. */
  private static final Pattern AUTHORITY_PASSWORD = Pattern.compile("(//[^/:@]*:)[^/@]*@");

  private JdbcUrls() {}

  /**
   * Returns the URL with {@code WRITE_DELAY=0} added for an H2 database on disk, unless the URL sets
   * a write delay itself. H2 otherwise writes commits to its file up to 500 ms later, so a process
   * killed in that window loses messages that publish already returned. This makes commits survive
   * a killed process. They may still be lost in a power loss, because H2 does not sync the file on
   * every commit.
   */
  static String withDurableCommits(String jdbcUrl) {
    String lower = jdbcUrl.toLowerCase(Locale.ROOT);
    boolean h2OnDisk = lower.startsWith("jdbc:h2:") && !lower.startsWith("jdbc:h2:mem:");
    if (!h2OnDisk || lower.contains("write_delay=")) {
      return jdbcUrl;
    }
    return jdbcUrl + ";WRITE_DELAY=0";
  }

  /** Returns the URL with the value of every password it contains replaced by {@code ****}. */
  static String maskPassword(String jdbcUrl) {
    if (jdbcUrl == null) {
      return "(unknown)";
    }
    String masked = PASSWORD_PROPERTY.matcher(jdbcUrl).replaceAll("$1$2" + MASK);
    return AUTHORITY_PASSWORD.matcher(masked).replaceAll("$1" + MASK + "@");
  }
}
