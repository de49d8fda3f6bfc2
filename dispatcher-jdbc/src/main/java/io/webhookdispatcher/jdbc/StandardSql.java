package io.webhookdispatcher.jdbc;

/**
 * Statements that H2, PostgreSQL, MySQL and MariaDB all run unchanged, so that a change to one of
 * them is made once. None of them names the database's clock, whose functions differ by product:
 * the few that need the current time define it as {@code <now>} from {@link
 * Dialect#currentTimestamp()}.
 */
final class StandardSql {

  static final String SELECT_APPLIED_SCHEMA_VERSIONS =
      """
      SELECT version FROM webhook_schema_version ORDER BY version\
      """;

  static final String SELECT_LIVE_ENDPOINT =
      """
      SELECT id, url, description, secret, created_at, disabled_at, disabled_reason, rate_limit,
             filtered
      FROM webhook_endpoint
      WHERE id = :id AND deleted_at IS NULL AND hand_off = FALSE\
      """;

  static final String SELECT_FIRST_ENDPOINTS =
      """
      SELECT id, url, description, secret, created_at, disabled_at, disabled_reason, rate_limit,
             filtered
      FROM webhook_endpoint
      WHERE deleted_at IS NULL AND hand_off = FALSE
      ORDER BY id
      LIMIT :limit\
      """;

  static final String SELECT_ENDPOINTS_AFTER =
      """
      SELECT id, url, description, secret, created_at, disabled_at, disabled_reason, rate_limit,
             filtered
      FROM webhook_endpoint
      WHERE deleted_at IS NULL AND hand_off = FALSE AND id > :after
      ORDER BY id
      LIMIT :limit\
      """;

  static final String CLEAR_FAILING_SINCE =
      """
      UPDATE webhook_endpoint
      SET failing_since = NULL
      WHERE id IN (<endpointIds>) AND failing_since IS NOT NULL\
      """;

  static final String START_FAILING_SINCE =
      """
      UPDATE webhook_endpoint
      SET failing_since = :since
      WHERE id = :id AND failing_since IS NULL\
      """;

  static final String SELECT_FAILING_SINCE =
      """
      SELECT id, failing_since
      FROM webhook_endpoint
      WHERE id IN (<endpointIds>)
        AND failing_since IS NOT NULL
        AND deleted_at IS NULL
        AND disabled_at IS NULL
        AND hand_off = FALSE\
      """;

  static final String MARK_ENDPOINT_DISABLED =
      """
      UPDATE webhook_endpoint
      SET disabled_at = :at, disabled_reason = :reason, failing_since = NULL
      WHERE id = :id AND deleted_at IS NULL AND disabled_at IS NULL AND hand_off = FALSE\
      """;

  /**
   * Fails an endpoint's pending deliveries that no node holds under a live lease by {@code <now>},
   * the database's clock, which the claim also reads. A delivery in flight keeps its lease, so that
   * its result is still recorded, and {@link #FAIL_RETRIES_OF_DISABLED_ENDPOINTS} then fails it.
   *
   * <p>NOTE: a delivery whose node stops before recording its result stays pending after its lease
   * expires, since claims skip disabled endpoints, and is sent once the endpoint is enabled again.
   */
  static final String FAIL_PENDING_DELIVERIES_OF_ENDPOINT =
      """
      UPDATE webhook_delivery
      SET state = 'FAILED',
          lease_token = NULL,
          lease_owner = NULL,
          lease_until = NULL,
          updated_at = :at
      WHERE endpoint_id = :endpointId
        AND state = 'PENDING'
        AND (lease_until IS NULL OR lease_until < <now>)\
      """;

  /**
   * Fails the deliveries among {@code <deliveryIds>} that a recorded result has just moved back to
   * pending, where their endpoint has been disabled meanwhile, because a claim no longer leases the
   * deliveries of a disabled endpoint.
   */
  static final String FAIL_RETRIES_OF_DISABLED_ENDPOINTS =
      """
      UPDATE webhook_delivery
      SET state = 'FAILED', updated_at = <now>
      WHERE id IN (<deliveryIds>)
        AND state = 'PENDING'
        AND lease_token IS NULL
        AND endpoint_id IN (SELECT id FROM webhook_endpoint WHERE disabled_at IS NOT NULL)\
      """;

  static final String SELECT_HAND_OFF_FLAG =
      """
      SELECT hand_off FROM webhook_endpoint WHERE id = :id\
      """;

  static final String MARK_HAND_OFF_TARGET =
      """
      UPDATE webhook_endpoint SET hand_off = TRUE, url = :url, deleted_at = NULL WHERE id = :id\
      """;

  static final String SELECT_MESSAGE =
      """
      SELECT id, event_type, body, created_at
      FROM webhook_message
      WHERE id = :id\
      """;

  static final String SELECT_MESSAGE_BY_IDEMPOTENCY_KEY =
      """
      SELECT id, event_type, body, created_at
      FROM webhook_message
      WHERE idempotency_key = :idempotencyKey\
      """;

  static final String COUNT_MESSAGES =
      """
      SELECT COUNT(*) FROM webhook_message WHERE id = :id\
      """;

  static final String SELECT_LEASED_DELIVERIES =
      """
      SELECT d.id AS delivery_id,
             d.lease_token,
             d.attempts,
             m.id AS message_id,
             m.event_type,
             m.body,
             m.created_at AS message_created_at,
             e.id AS endpoint_id,
             e.url,
             e.secret,
             e.rate_limit,
             e.previous_secret,
             e.previous_secret_expires_at,
             d.manual
      FROM webhook_delivery d
      JOIN webhook_message m ON m.id = d.message_id
      JOIN webhook_endpoint e ON e.id = d.endpoint_id
      WHERE d.lease_token = :leaseToken
      ORDER BY d.next_attempt_at, d.id\
      """;

  /** Selects the endpoints whose deliveries a claim may lease: not deleted and not disabled. */
  static final String SELECT_LIVE_ENDPOINT_IDS =
      """
      SELECT id FROM webhook_endpoint WHERE deleted_at IS NULL AND disabled_at IS NULL\
      """;

  /**
   * Selects {@code id} and {@code next_attempt_at} of the oldest due deliveries of {@code
   * :endpointId} that no live lease holds, at most {@code :limit}, oldest due first, where {@code
   * <now>} is the database's current time.
   */
  static final String SELECT_DUE_OF_ENDPOINT =
      """
      SELECT id, next_attempt_at
      FROM webhook_delivery
      WHERE endpoint_id = :endpointId
        AND state = 'PENDING'
        AND next_attempt_at <= <now>
        AND (lease_until IS NULL OR lease_until < <now>)
      ORDER BY next_attempt_at, id
      LIMIT :limit\
      """;

  /**
   * Locks the pending rows among {@code <deliveryIds>} in id order, so that concurrent writers lock
   * in one order, and returns their lease tokens.
   */
  static final String LOCK_PENDING_DELIVERIES =
      """
      SELECT id, lease_token
      FROM webhook_delivery
      WHERE id IN (<deliveryIds>) AND state = 'PENDING'
      ORDER BY id
      FOR UPDATE\
      """;

  static final String INSERT_ATTEMPT =
      """
      INSERT INTO webhook_attempt
        (delivery_id, message_id, endpoint_id, attempt, attempted_at, status_code, error,
         duration_ms, response, attempt_trigger)
      VALUES
        (:deliveryId, :messageId, :endpointId, :attempt, :attemptedAt, :statusCode, :error,
         :durationMs, :response, :trigger)\
      """;

  static final String SELECT_ATTEMPTS_OF_MESSAGE =
      """
      SELECT message_id, endpoint_id, attempt, attempted_at, status_code, error, duration_ms,
             response, attempt_trigger
      FROM webhook_attempt
      WHERE message_id = :messageId
      ORDER BY attempted_at, id\
      """;

  static final String COUNT_PENDING_DELIVERIES =
      """
      SELECT COUNT(*) FROM webhook_delivery WHERE state = 'PENDING'\
      """;


  static final String DELETE_ATTEMPTS_OF_MESSAGES =
      """
      DELETE FROM webhook_attempt WHERE message_id IN (<messageIds>)\
      """;

  static final String DELETE_DELIVERIES_OF_MESSAGES =
      """
      DELETE FROM webhook_delivery WHERE message_id IN (<messageIds>)\
      """;

  static final String DELETE_MESSAGES =
      """
      DELETE FROM webhook_message WHERE id IN (<messageIds>)\
      """;

  /** Locks a live endpoint for an update and returns it. */
  static final String LOCK_LIVE_ENDPOINT =
      """
      SELECT id, url, description, secret, created_at, disabled_at, disabled_reason, rate_limit,
             filtered
      FROM webhook_endpoint
      WHERE id = :id AND deleted_at IS NULL AND hand_off = FALSE
      FOR UPDATE\
      """;

  static final String UPDATE_ENDPOINT_FIELDS =
      """
      UPDATE webhook_endpoint
      SET url = :url, description = :description, rate_limit = :rateLimit
      WHERE id = :id\
      """;

  static final String ENABLE_ENDPOINT =
      """
      UPDATE webhook_endpoint
      SET disabled_at = NULL, disabled_reason = NULL, failing_since = NULL
      WHERE id = :id\
      """;

  static final String MARK_ENDPOINT_FILTERED =
      """
      UPDATE webhook_endpoint SET filtered = :filtered WHERE id = :id\
      """;

  static final String DELETE_EVENT_TYPES_OF_ENDPOINT =
      """
      DELETE FROM webhook_endpoint_event_type WHERE endpoint_id = :endpointId\
      """;

  static final String INSERT_EVENT_TYPE =
      """
      INSERT INTO webhook_endpoint_event_type (endpoint_id, event_type)
      VALUES (:endpointId, :eventType)\
      """;

  static final String SELECT_EVENT_TYPES_OF_ENDPOINTS =
      """
      SELECT endpoint_id, event_type
      FROM webhook_endpoint_event_type
      WHERE endpoint_id IN (<endpointIds>)\
      """;

  /**
   * Keeps the current secret as the previous one until {@code :expiresAt} and sets the new one.
   * MySQL applies assignments left to right, so the previous secret is assigned first, while
   * {@code secret} still contains the current value.
   */
  static final String ROTATE_SECRET_WITH_GRACE =
      """
      UPDATE webhook_endpoint
      SET previous_secret = secret, previous_secret_expires_at = :expiresAt, secret = :secret
      WHERE id = :id AND deleted_at IS NULL AND hand_off = FALSE\
      """;

  static final String REPLACE_SECRET =
      """
      UPDATE webhook_endpoint
      SET previous_secret = NULL, previous_secret_expires_at = NULL, secret = :secret
      WHERE id = :id AND deleted_at IS NULL AND hand_off = FALSE\
      """;

  static final String SELECT_LATEST_DELIVERY_STATE =
      """
      SELECT state
      FROM webhook_delivery
      WHERE message_id = :messageId AND endpoint_id = :endpointId
      ORDER BY id DESC
      LIMIT 1\
      """;

  /**
   * Counts 1 when {@code :endpointId} has an event-type filter and existed when {@code :messageId}
   * was published, so that the filter, rather than a later creation, explains a missing delivery.
   */
  static final String COUNT_FILTERED_ENDPOINT_OLDER_THAN_MESSAGE =
      """
      SELECT COUNT(*)
      FROM webhook_endpoint e
      JOIN webhook_message m ON m.id = :messageId
      WHERE e.id = :endpointId AND e.filtered = TRUE AND e.created_at <= m.created_at\
      """;

  /**
   * Inserts one manual delivery of {@code :messageId} to {@code :endpointId}, pending and due at
   * {@code <now>}, the database's current time, with no attempt made.
   */
  static final String INSERT_REPLAY_DELIVERY =
      """
      INSERT INTO webhook_delivery
        (message_id, endpoint_id, state, attempts, next_attempt_at, updated_at, manual)
      VALUES (:messageId, :endpointId, 'PENDING', 0, <now>, <now>, TRUE)\
      """;

  /**
   * Inserts a manual delivery like {@link #INSERT_REPLAY_DELIVERY} for each message created at or
   * after {@code :since} whose latest delivery to {@code :endpointId} failed, in the order of
   * those deliveries.
   */
  static final String INSERT_RECOVERY_DELIVERIES =
      """
      INSERT INTO webhook_delivery
        (message_id, endpoint_id, state, attempts, next_attempt_at, updated_at, manual)
      SELECT d.message_id, d.endpoint_id, 'PENDING', 0, <now>, <now>, TRUE
      FROM webhook_delivery d
      JOIN webhook_message m ON m.id = d.message_id
      WHERE d.endpoint_id = :endpointId
        AND d.state = 'FAILED'
        AND m.created_at >= :since
        AND NOT EXISTS (
          SELECT 1 FROM webhook_delivery later
          WHERE later.message_id = d.message_id
            AND later.endpoint_id = d.endpoint_id
            AND later.id > d.id)
      ORDER BY d.id\
      """;

  /**
   * Selects a page of an endpoint's attempts, newest first, after the position {@code :beforeAt}
   * and {@code :beforeId}. The first page binds a position after every attempt. With {@code
   * :anyOutcome} false, only attempts whose 2xx status matches {@code :succeeded} are kept.
   */
  static final String SELECT_ATTEMPTS_OF_ENDPOINT =
      """
      SELECT id, message_id, endpoint_id, attempt, attempted_at, status_code, error, duration_ms,
             response, attempt_trigger
      FROM webhook_attempt
      WHERE endpoint_id = :endpointId
        AND (attempted_at < :beforeAt OR (attempted_at = :beforeAt AND id < :beforeId))
        AND (:anyOutcome
          OR COALESCE(status_code >= 200 AND status_code < 300, FALSE) = :succeeded)
      ORDER BY attempted_at DESC, id DESC
      LIMIT :limit\
      """;

  static final String SELECT_BACKLOG =
      """
      SELECT COUNT(*) AS pending, MIN(next_attempt_at) AS oldest_due
      FROM webhook_delivery
      WHERE state = 'PENDING'\
      """;

  static final String COUNT_DISABLED_ENDPOINTS =
      """
      SELECT COUNT(*)
      FROM webhook_endpoint
      WHERE disabled_at IS NOT NULL AND deleted_at IS NULL AND hand_off = FALSE\
      """;

  private StandardSql() {}
}
