package io.webhookdispatcher.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the store's versioned schema scripts at start.
 *
 * <p>The store carries this small runner instead of Flyway or Liquibase because an embedded library
 * should not force a version of either onto the host's classpath, where the host may use another
 * version for its own schema.
 *
 * <p>Scripts live in the jar at {@code io/webhookdispatcher/jdbc/schema/<folder>/V<n>__<what>.sql},
 * with one folder per dialect and the same versions in every folder. The table {@code
 * webhook_schema_version} records each applied version, so a start applies only the versions that
 * it lacks, in ascending order.
 *
 * <p>Several nodes may start at once on PostgreSQL, MySQL or MariaDB, so the runner first takes the
 * dialect's migration lock: a node that waited for it then finds the versions that the other node
 * applied. On PostgreSQL the lock, the version table and every missing script share one
 * transaction. On the other products each script runs in a transaction together with its version
 * row.
 *
 * <p>NOTE: H2, MySQL and MariaDB commit each DDL statement at once, so there a script that fails
 * halfway keeps its earlier statements. Every statement in their scripts therefore uses {@code IF
 * NOT EXISTS}, which lets the next start run the whole script again.
 */
final class SchemaMigrator {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);

  /** Scripts of every dialect folder, oldest first; a new version is appended here. */
  static final List<String> SCRIPTS =
      List.of(
          "V1__create_tables.sql",
          "V2__index_messages_for_retention.sql",
          "V3__add_hand_off_target.sql",
          "V4__add_endpoint_health_and_pace.sql",
          "V5__add_endpoint_event_types_and_previous_secret.sql",
          "V6__add_replay_and_endpoint_attempts.sql",
          "V7__index_due_deliveries_by_endpoint.sql");

  private static final String SCHEMA_ROOT = "io/webhookdispatcher/jdbc/schema/";
  private static final Pattern SCRIPT_NAME = Pattern.compile("V(\\d+)__\\w+\\.sql");

  private final Dialect dialect;

  SchemaMigrator(Dialect dialect) {
    this.dialect = dialect;
  }

  /**
   * Checks the server version, then applies every script whose version is not yet recorded.
   *
   * @return the names of the scripts applied now, oldest first, or an empty list when the schema is
   *     current
   * @throws IllegalStateException when the server version is not supported or the migration lock
   *     could not be taken
   * @throws SQLException when the server's metadata cannot be read
   */
  List<String> migrate(Jdbi jdbi) throws SQLException {
    return jdbi.withHandle(
        handle -> {
          dialect.requireSupportedVersion(handle.getConnection().getMetaData());
          if (dialect.hasTransactionalDdl()) {
            return handle.inTransaction(
                transaction -> {
                  lock(transaction);
                  return applyMissing(transaction, false);
                });
          }
          lock(handle);
          try {
            return applyMissing(handle, true);
          } finally {
            unlock(handle);
          }
        });
  }

  /** Returns the highest version that the jar's scripts define. */
  static int latestVersion() {
    return versionOf(SCRIPTS.get(SCRIPTS.size() - 1));
  }

  private List<String> applyMissing(Handle handle, boolean transactionPerScript) {
    handle.execute(dialect.createSchemaVersionTable());
    Set<Integer> applied =
        new HashSet<>(
            handle.createQuery(dialect.selectAppliedSchemaVersions()).mapTo(Integer.class).list());

    List<String> appliedNow = new ArrayList<>();
    for (String script : SCRIPTS) {
      int version = versionOf(script);
      if (applied.contains(version)) {
        continue;
      }
      if (transactionPerScript) {
        handle.useTransaction(transaction -> apply(transaction, version, script));
      } else {
        apply(handle, version, script);
      }
      appliedNow.add(script);
    }
    return appliedNow;
  }

  private void apply(Handle handle, int version, String script) {
    handle.createScript(load(script)).executeAsSeparateStatements();
    handle
        .createUpdate(dialect.insertSchemaVersion())
        .bind("version", version)
        .bind("script", script)
        .execute();
    LOG.info("Applied schema migration {} on {}", script, dialect.name());
  }

  private void lock(Handle handle) {
    Optional<String> lock = dialect.lockSchemaMigration();
    if (lock.isEmpty()) {
      return;
    }
    Integer acquired = handle.createQuery(lock.get()).mapTo(Integer.class).one();
    if (acquired == null || acquired != 1) {
      throw new IllegalStateException(
          "Timed out waiting for the schema migration lock on "
              + dialect.name()
              + ": another node is migrating the webhook tables or holds the lock. Start this"
              + " node again once that node has started");
    }
  }

  /**
   * Releases a session's migration lock. A failure is logged, not thrown, so that it cannot hide
   * the failure of the migration itself. The server releases the lock when the session ends.
   */
  private void unlock(Handle handle) {
    Optional<String> unlock = dialect.unlockSchemaMigration();
    if (unlock.isEmpty()) {
      return;
    }
    try {
      handle.createQuery(unlock.get()).mapTo(Integer.class).one();
    } catch (JdbiException e) {
      LOG.warn(
          "Failed to release the schema migration lock on {}; the server releases it when the"
              + " connection closes",
          dialect.name(),
          e);
    }
  }

  private String load(String script) {
    String path = SCHEMA_ROOT + dialect.schemaFolder() + "/" + script;
    try (InputStream in = SchemaMigrator.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException(
            "Schema script " + path + " is missing from the classpath: rebuild dispatcher-jdbc");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Failed to read schema script " + path, e);
    }
  }

  private static int versionOf(String script) {
    Matcher matcher = SCRIPT_NAME.matcher(script);
    if (!matcher.matches()) {
      throw new IllegalStateException(
          "Schema script name '"
              + script
              + "' is invalid: it must look like V1__create_tables.sql");
    }
    return Integer.parseInt(matcher.group(1));
  }
}
