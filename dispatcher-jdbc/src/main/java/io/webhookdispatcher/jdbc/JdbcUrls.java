package io.webhookdispatcher.jdbc;

import java.util.regex.Pattern;

/** Helpers that make a JDBC URL safe to show in a log line or an exception message. */
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

  /** Returns the URL with the value of every password it contains replaced by {@code ****}. */
  static String maskPassword(String jdbcUrl) {
    if (jdbcUrl == null) {
      return "(unknown)";
    }
    String masked = PASSWORD_PROPERTY.matcher(jdbcUrl).replaceAll("$1$2" + MASK);
    return AUTHORITY_PASSWORD.matcher(masked).replaceAll("$1" + MASK + "@");
  }
}
