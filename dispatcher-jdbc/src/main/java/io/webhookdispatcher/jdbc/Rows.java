package io.webhookdispatcher.jdbc;

import io.webhookdispatcher.Attempt;
import io.webhookdispatcher.Endpoint;
import io.webhookdispatcher.PublishedMessage;
import io.webhookdispatcher.spi.AttemptPosition;
import io.webhookdispatcher.spi.ClaimedDelivery;
import io.webhookdispatcher.spi.PositionedAttempt;
import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Conversions from result rows to the dispatcher's types.
 *
 * <p>UUID and timestamp columns are read through the column mappers of the dialect's {@link
 * ColumnTypes}, because products store them differently.
 */
final class Rows {

  private Rows() {}

  static RowMapper<PublishedMessage> publishedMessage(boolean replayed) {
    return (rs, context) ->
        new PublishedMessage(
            uuid(rs, "id", context),
            rs.getString("event_type"),
            rs.getBytes("body"),
            instant(rs, "created_at", context),
            replayed);
  }

  /**
   * Maps an endpoint row. A filtered endpoint gets an empty list of event types, which {@link
   * StoreOperations} fills from {@code webhook_endpoint_event_type}.
   */
  static RowMapper<Endpoint> endpoint() {
    return (rs, context) ->
        new Endpoint(
            uuid(rs, "id", context),
            URI.create(rs.getString("url")),
            rs.getString("description"),
            rs.getString("secret"),
            instant(rs, "created_at", context),
            rs.getObject("disabled_at") == null ? null : instant(rs, "disabled_at", context),
            rs.getString("disabled_reason"),
            nullableInt(rs, "rate_limit"),
            rs.getBoolean("filtered") ? List.of() : null);
  }

  /** Maps a leased delivery row; the attempt about to be made is the stored count plus one. */
  static RowMapper<ClaimedDelivery> claimedDelivery() {
    return (rs, context) ->
        new ClaimedDelivery(
            rs.getLong("delivery_id"),
            uuid(rs, "lease_token", context),
            uuid(rs, "message_id", context),
            rs.getString("event_type"),
            rs.getBytes("body"),
            instant(rs, "message_created_at", context),
            uuid(rs, "endpoint_id", context),
            URI.create(rs.getString("url")),
            rs.getString("secret"),
            rs.getInt("attempts") + 1,
            nullableInt(rs, "rate_limit"),
            rs.getString("previous_secret"),
            rs.getObject("previous_secret_expires_at") == null
                ? null
                : instant(rs, "previous_secret_expires_at", context),
            rs.getBoolean("manual") && rs.getInt("attempts") == 0);
  }

  private static Integer nullableInt(ResultSet rs, String column) throws SQLException {
    int value = rs.getInt(column);
    return rs.wasNull() ? null : value;
  }

  static RowMapper<Attempt> attempt() {
    return (rs, context) -> {
      int statusCode = rs.getInt("status_code");
      Integer status = rs.wasNull() ? null : statusCode;
      String response = rs.getString("response");
      return new Attempt(
          uuid(rs, "message_id", context),
          uuid(rs, "endpoint_id", context),
          rs.getInt("attempt"),
          instant(rs, "attempted_at", context),
          status,
          rs.getString("error"),
          rs.getLong("duration_ms"),
          response == null ? "" : response,
          trigger(rs.getString("attempt_trigger")));
    };
  }

  /** Maps an attempt row that also selects its {@code id}, with its place in the page order. */
  static RowMapper<PositionedAttempt> positionedAttempt() {
    RowMapper<Attempt> attempt = attempt();
    return (rs, context) ->
        new PositionedAttempt(
            attempt.map(rs, context),
            new AttemptPosition(instant(rs, "attempted_at", context), rs.getLong("id")));
  }

  private static Attempt.Trigger trigger(String stored) {
    return Attempt.Trigger.MANUAL.jsonName().equals(stored)
        ? Attempt.Trigger.MANUAL
        : Attempt.Trigger.SCHEDULED;
  }

  private static UUID uuid(ResultSet rs, String column, StatementContext context)
      throws SQLException {
    return ColumnTypes.read(rs, column, UUID.class, context);
  }

  private static Instant instant(ResultSet rs, String column, StatementContext context)
      throws SQLException {
    return ColumnTypes.read(rs, column, Instant.class, context);
  }
}
