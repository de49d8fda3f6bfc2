package io.webhookdispatcher.svix;

import io.webhookdispatcher.Endpoint;
import io.webhookdispatcher.Message;
import io.webhookdispatcher.PublishedMessage;
import io.webhookdispatcher.WebhookDispatcher;
import io.webhookdispatcher.jdbc.JdbcWebhookStore;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * A host application written as a payments platform would embed the dispatcher: it reads its
 * settings from {@link Properties}, stores a payment and publishes its webhook in one transaction,
 * and never names a transport. Tests run this same class on each transport.
 */
final class PaymentsHost implements AutoCloseable {
  private final String jdbcUrl;
  private final JdbcWebhookStore store;
  private final WebhookDispatcher dispatcher;

  PaymentsHost(Properties config) throws SQLException {
    this.jdbcUrl = config.getProperty("payments.jdbc-url");
    try (Connection connection = DriverManager.getConnection(jdbcUrl);
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE IF NOT EXISTS payment (id UUID PRIMARY KEY, amount DECIMAL(12, 2))");
    }
    this.store = JdbcWebhookStore.builder().jdbcUrl(jdbcUrl).build();
    this.dispatcher =
        WebhookDispatcher.builder()
            .store(store)
            .transportConfig(config)
            .allowPrivateAddresses(
                Boolean.parseBoolean(config.getProperty("payments.allow-private-addresses")))
            .pollInterval(Duration.ofMillis(50))
            .build();
    dispatcher.start();
  }

  Endpoint registerMerchant(String url) {
    return dispatcher.createEndpoint(url, "merchant payments feed");
  }

  /** Stores a captured payment and publishes {@code payment.created} in the same transaction. */
  PublishedMessage capturePayment(BigDecimal amount) throws SQLException {
    UUID paymentId = UUID.randomUUID();
    try (Connection connection = DriverManager.getConnection(jdbcUrl)) {
      connection.setAutoCommit(false);
      try (PreparedStatement insert =
          connection.prepareStatement("INSERT INTO payment (id, amount) VALUES (?, ?)")) {
        insert.setObject(1, paymentId);
        insert.setBigDecimal(2, amount);
        insert.executeUpdate();
      }
      Map<String, Object> payment = new LinkedHashMap<>();
      payment.put("id", paymentId.toString());
      payment.put("amount", amount);
      payment.put("currency", "INR");
      PublishedMessage published =
          dispatcher.publish(Message.of("payment.created", paymentId, "payment", payment), connection);
      connection.commit();
      return published;
    }
  }

  long pendingDeliveries() {
    return dispatcher.pendingDeliveries();
  }

  @Override
  public void close() {
    dispatcher.close();
    store.close();
  }
}
