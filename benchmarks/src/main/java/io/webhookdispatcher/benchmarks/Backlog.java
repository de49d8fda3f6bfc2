package io.webhookdispatcher.benchmarks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Fills the outbox with due deliveries straight through SQL, far faster than publishing, so that a
 * drain starts from a backlog of a known size. The rows are the ones a publish writes: a message
 * and one pending delivery per live endpoint.
 */
final class Backlog {
  private static final int INSERT_BATCH = 1_000;

  private Backlog() {}

  /** Returns the JSON body of a payment message of about 1 KiB, as the dispatcher stores it. */
  static byte[] paymentMessageBody(UUID paymentId) {
    Map<String, Object> payment = new LinkedHashMap<>();
    payment.put("id", paymentId.toString());
    payment.put("amount", new BigDecimal("1999.90"));
    payment.put("currency", "INR");
    payment.put("status", "captured");
    payment.put("note", "x".repeat(800));
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("event_type", "payment.created");
    message.put("object_id", paymentId.toString());
    message.put("object_type", "payment");
    message.put("object", payment);
    try {
      return new ObjectMapper().writeValueAsString(message).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Failed to write the benchmark message", e);
    }
  }

  /**
   * Inserts {@code messages} messages and one due delivery for each message and live endpoint, in
   * one transaction.
   */
  static void fill(Connection connection, int messages) throws SQLException {
    byte[] body = paymentMessageBody(UUID.randomUUID());
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (PreparedStatement insertMessage =
        connection.prepareStatement(
            "INSERT INTO webhook_message (id, event_type, body, created_at) VALUES (?, ?, ?, ?)")) {
      OffsetDateTime now = OffsetDateTime.now();
      for (int i = 0; i < messages; i++) {
        insertMessage.setObject(1, UUID.randomUUID());
        insertMessage.setString(2, "payment.created");
        insertMessage.setBytes(3, body);
        insertMessage.setObject(4, now);
        insertMessage.addBatch();
        if ((i + 1) % INSERT_BATCH == 0) {
          insertMessage.executeBatch();
        }
      }
      insertMessage.executeBatch();
      try (Statement statement = connection.createStatement()) {
        statement.executeUpdate(
            "INSERT INTO webhook_delivery"
                + " (message_id, endpoint_id, state, attempts, next_attempt_at, updated_at)"
                + " SELECT m.id, e.id, 'PENDING', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP"
                + " FROM webhook_message m CROSS JOIN webhook_endpoint e"
                + " WHERE e.deleted_at IS NULL AND e.hand_off = FALSE");
      }
      connection.commit();
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }
}
