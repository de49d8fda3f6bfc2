package io.webhookdispatcher.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
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
 * it lacks, in ascending order, each script together with its version row in one transaction.
 *
 * <p>NOTE: H2 commits each DDL statement at once, so on H2 a script that fails halfway keeps its
 * earlier statements. Every statement in the H2 scripts therefore uses {@code IF NOT EXISTS}, which
 * lets the next start run the whole script again.
 */
final class SchemaMigrator {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);

  /** Scripts of every dialect folder, oldest first; a new version is appended here. */
  static final List<String> SCRIPTS = List.of("V1__create_tables.sql");

  private static final String SCHEMA_ROOT = "io/webhookdispatcher/jdbc/schema/";
  private static final Pattern SCRIPT_NAME = Pattern.compile("V(\\d+)__\\w+\\.sql");

  private final Dialect dialect;

  SchemaMigrator(Dialect dialect) {
    this.dialect = dialect;
  }

  /**
   * Applies every script whose version is not yet recorded.
   *
   * @return the names of the scripts applied now, oldest first, or an empty list when the schema is
   *     current
   */
  List<String> migrate(Jdbi jdbi) {
    jdbi.useHandle(handle -> handle.execute(dialect.createSchemaVersionTable()));
    Set<Integer> applied =
        new HashSet<>(
            jdbi.withHandle(
                handle ->
                    handle
                        .createQuery(dialect.selectAppliedSchemaVersions())
                        .mapTo(Integer.class)
                        .list()));

    List<String> appliedNow = new ArrayList<>();
    for (String script : SCRIPTS) {
      int version = versionOf(script);
      if (!applied.contains(version)) {
        apply(jdbi, version, script);
        appliedNow.add(script);
      }
    }
    return appliedNow;
  }

  /** Returns the highest version that the jar's scripts define. */
  static int latestVersion() {
    return versionOf(SCRIPTS.get(SCRIPTS.size() - 1));
  }

  private void apply(Jdbi jdbi, int version, String script) {
    String sql = load(script);
    jdbi.useTransaction(
        handle -> {
          handle.createScript(sql).executeAsSeparateStatements();
          handle
              .createUpdate(dialect.insertSchemaVersion())
              .bind("version", version)
              .bind("script", script)
              .execute();
        });
    LOG.info("Applied schema migration {} on {}", script, dialect.name());
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
