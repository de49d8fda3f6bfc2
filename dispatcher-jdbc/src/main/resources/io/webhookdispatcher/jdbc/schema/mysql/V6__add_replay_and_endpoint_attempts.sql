-- Replay and recovery, and the attempts of one endpoint. A delivery queued by an operator is
-- marked manual, so its first attempt is recorded with the trigger 'manual'; every other attempt
-- is 'scheduled'. The index serves the newest-first pages of an endpoint's attempts.
-- MySQL has no ADD COLUMN IF NOT EXISTS and commits DDL at once, and this script alters two
-- tables. So each ALTER runs as a prepared statement only when information_schema lacks its
-- column, and a script that stopped halfway can run again.
SET @webhook_v6_sql = IF(
  (SELECT COUNT(*) FROM information_schema.COLUMNS
   WHERE TABLE_SCHEMA = DATABASE()
     AND TABLE_NAME = 'webhook_delivery'
     AND COLUMN_NAME = 'manual') > 0,
  'DO 0',
  'ALTER TABLE webhook_delivery ADD COLUMN manual BOOLEAN DEFAULT FALSE NOT NULL');
PREPARE webhook_v6_step FROM @webhook_v6_sql;
EXECUTE webhook_v6_step;
DEALLOCATE PREPARE webhook_v6_step;
SET @webhook_v6_sql = IF(
  (SELECT COUNT(*) FROM information_schema.COLUMNS
   WHERE TABLE_SCHEMA = DATABASE()
     AND TABLE_NAME = 'webhook_attempt'
     AND COLUMN_NAME = 'attempt_trigger') > 0,
  'DO 0',
  CONCAT(
    'ALTER TABLE webhook_attempt',
    ' ADD COLUMN attempt_trigger VARCHAR(16) DEFAULT ', QUOTE('scheduled'), ' NOT NULL,',
    ' ADD INDEX webhook_attempt_endpoint_time_idx (endpoint_id, attempted_at, id)'));
PREPARE webhook_v6_step FROM @webhook_v6_sql;
EXECUTE webhook_v6_step;
DEALLOCATE PREPARE webhook_v6_step;
