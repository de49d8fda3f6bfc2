package io.webhookdispatcher.server;

import java.util.List;

/** One realistic message of each of the reference user's four event types, as JSON. */
final class ReferenceMessages {
  static final String PAYMENT_CREATED =
      """
      {"event_type": "payment.created",
       "object_id": "5f0c2b7e-8d2a-4c1e-9a6b-3e7d9f1a2b4c",
       "object_type": "Payment",
       "object": {"id": "5f0c2b7e-8d2a-4c1e-9a6b-3e7d9f1a2b4c", "amount": 1999.90,
                  "currency": "EUR", "status": "authorized", "merchant_id": "m_48213",
                  "description": "Café Zürich, table 4",
                  "card": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2029},
                  "created_at": "2026-12-04T15:00:00Z"}}
      """;

  static final String PAYMENT_UPDATED =
      """
      {"event_type": "payment.updated",
       "object_id": "5f0c2b7e-8d2a-4c1e-9a6b-3e7d9f1a2b4c",
       "object_type": "Payment",
       "object": {"id": "5f0c2b7e-8d2a-4c1e-9a6b-3e7d9f1a2b4c", "amount": 1999.90,
                  "currency": "EUR", "status": "captured", "merchant_id": "m_48213",
                  "captured_amount": 1999.90, "fees": [{"type": "processing", "amount": 0.30}],
                  "updated_at": "2026-12-04T15:00:05Z"}}
      """;

  static final String TRANSACTION_CREATED =
      """
      {"event_type": "transaction.created",
       "object_id": "a3e1c9d2-7b4f-4e8a-b1c6-0d2f5e8a9b7c",
       "object_type": "TransactionRequest",
       "object": {"id": "a3e1c9d2-7b4f-4e8a-b1c6-0d2f5e8a9b7c", "amount": 250.00,
                  "currency": "GBP", "status": "pending", "merchant_id": "m_48213",
                  "customer": {"name": "Zoë Ångström", "email": "zoe@example.com"},
                  "metadata": {"order": "A-1042", "channel": "web"}, "expires_in": 900}}
      """;

  static final String TRANSACTION_UPDATED =
      """
      {"event_type": "transaction.updated",
       "object_id": "a3e1c9d2-7b4f-4e8a-b1c6-0d2f5e8a9b7c",
       "object_type": "TransactionRequest",
       "object": {"id": "a3e1c9d2-7b4f-4e8a-b1c6-0d2f5e8a9b7c", "amount": 250.00,
                  "currency": "GBP", "status": "completed", "merchant_id": "m_48213",
                  "payment_id": "5f0c2b7e-8d2a-4c1e-9a6b-3e7d9f1a2b4c", "note": null,
                  "completed_at": "2026-12-04T15:02:11Z"}}
      """;

  static final List<String> ALL =
      List.of(PAYMENT_CREATED, PAYMENT_UPDATED, TRANSACTION_CREATED, TRANSACTION_UPDATED);

  private ReferenceMessages() {}
}
