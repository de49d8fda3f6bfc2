package io.webhookdispatcher.jdbc;

import io.webhookdispatcher.Attempt;
import io.webhookdispatcher.Endpoint;
import io.webhookdispatcher.PublishedMessage;
import io.webhookdispatcher.spi.ClaimedDelivery;
import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * Conversions between result rows and the dispatcher's types, and the binding of instants.
 *
 * <p>Timestamps go through {@link OffsetDateTime}, the JDBC 4.2 type of {@code TIMESTAMP WITH TIME
 * ZONE}, so no conversion depends on the JVM's default time zone. UUIDs are read with {@code
 * getObject(column, UUID.class)}.
 */
final class Rows {

  private Rows() {}

  /** Creates an argument that binds an instant as a {@code TIMESTAMP WITH TIME ZONE} in UTC. */
  static Argument timestamp(Instant instant) {
    OffsetDateTime value = instant.atOffset(ZoneOffset.UTC);
    return (position, statement, context) -> statement.setObject(position, value);
  }

  static RowMapper<PublishedMessage> publishedMessage(boolean replayed) {
    return (rs, context) ->
        new PublishedMessage(
            uuid(rs, "id"),
            rs.getString("event_type"),
            rs.getBytes("body"),
            instant(rs, "created_at"),
            replayed);
  }

  static RowMapper<Endpoint> endpoint() {
    return (rs, context) ->
        new Endpoint(
            uuid(rs, "id"),
            URI.create(rs.getString("url")),
            rs.getString("description"),
            rs.getString("secret"),
            instant(rs, "created_at"));
  }

  /** Maps a leased delivery row; the attempt about to be made is the stored count plus one. */
  static RowMapper<ClaimedDelivery> claimedDelivery() {
    return (rs, context) ->
        new ClaimedDelivery(
            rs.getLong("delivery_id"),
            uuid(rs, "lease_token"),
            uuid(rs, "message_id"),
            rs.getString("event_type"),
            rs.getBytes("body"),
            instant(rs, "message_created_at"),
            uuid(rs, "endpoint_id"),
            URI.create(rs.getString("url")),
            rs.getString("secret"),
            rs.getInt("attempts") + 1);
  }

  static RowMapper<Attempt> attempt() {
    return (rs, context) -> {
      int statusCode = rs.getInt("status_code");
      Integer status = rs.wasNull() ? null : statusCode;
      String response = rs.getString("response");
      return new Attempt(
          uuid(rs, "message_id"),
          uuid(rs, "endpoint_id"),
          rs.getInt("attempt"),
          instant(rs, "attempted_at"),
          status,
          rs.getString("error"),
          rs.getLong("duration_ms"),
          response == null ? "" : response);
    };
  }

  private static UUID uuid(ResultSet rs, String column) throws SQLException {
    return rs.getObject(column, UUID.class);
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }
}
