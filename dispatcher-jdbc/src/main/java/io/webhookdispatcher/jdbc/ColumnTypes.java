package io.webhookdispatcher.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.core.mapper.ColumnMapper;
import org.jdbi.v3.core.spi.JdbiPlugin;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Column types for UUIDs and instants on a database product, installed on a {@link Jdbi} as
 * arguments and column mappers that replace Jdbi's defaults for {@link UUID} and {@link Instant}.
 *
 * <p>Neither way converts through the JVM's default time zone, so a host in any zone reads the
 * instants that it wrote.
 */
enum ColumnTypes implements JdbiPlugin {

  /**
   * Native {@code UUID} columns and {@code TIMESTAMP WITH TIME ZONE} columns, bound and read as
   * {@link OffsetDateTime} in UTC: H2 and PostgreSQL.
   */
  NATIVE {
    @Override
    public void customizeJdbi(Jdbi jdbi) {
      jdbi.registerArgument(new UuidArguments(Types.OTHER, uuid -> uuid));
      jdbi.registerArgument(
          new InstantArguments(Types.TIMESTAMP_WITH_TIMEZONE, ColumnTypes::utcOffsetDateTime));
      jdbi.registerColumnMapper(UUID.class, ColumnTypes::readNativeUuid);
      jdbi.registerColumnMapper(Instant.class, ColumnTypes::readOffsetDateTime);
    }
  },

  /**
   * UUIDs as 36-character text and instants as {@code DATETIME(6)} values that hold UTC, bound and
   * read as {@link LocalDateTime}: MySQL and MariaDB, whose {@code DATETIME} has no time zone and
   * whose {@code TIMESTAMP} converts through the session's time zone.
   */
  TEXT_UUID_UTC_DATETIME {
    @Override
    public void customizeJdbi(Jdbi jdbi) {
      jdbi.registerArgument(new UuidArguments(Types.CHAR, UUID::toString));
      jdbi.registerArgument(new InstantArguments(Types.TIMESTAMP, ColumnTypes::utcDateTime));
      jdbi.registerColumnMapper(UUID.class, ColumnTypes::readTextUuid);
      jdbi.registerColumnMapper(Instant.class, ColumnTypes::readUtcDateTime);
    }
  };

  /**
   * Binds UUIDs as the object that a conversion returns. Jdbi reads the bound type from the type
   * argument of the superclass, so each bound type has a class of its own.
   */
  private static final class UuidArguments extends AbstractArgumentFactory<UUID> {
    private final Function<UUID, Object> conversion;

    UuidArguments(int sqlType, Function<UUID, Object> conversion) {
      super(sqlType);
      this.conversion = conversion;
    }

    @Override
    protected Argument build(UUID value, ConfigRegistry config) {
      return bindObject(conversion.apply(value));
    }
  }

  /** Binds instants as the object that a conversion returns. */
  private static final class InstantArguments extends AbstractArgumentFactory<Instant> {
    private final Function<Instant, Object> conversion;

    InstantArguments(int sqlType, Function<Instant, Object> conversion) {
      super(sqlType);
      this.conversion = conversion;
    }

    @Override
    protected Argument build(Instant value, ConfigRegistry config) {
      return bindObject(conversion.apply(value));
    }
  }

  private static Argument bindObject(Object value) {
    return (position, statement, context) -> statement.setObject(position, value);
  }

  private static OffsetDateTime utcOffsetDateTime(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  private static LocalDateTime utcDateTime(Instant instant) {
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static UUID readNativeUuid(ResultSet rs, int column, StatementContext context)
      throws SQLException {
    return rs.getObject(column, UUID.class);
  }

  private static UUID readTextUuid(ResultSet rs, int column, StatementContext context)
      throws SQLException {
    String text = rs.getString(column);
    return text == null ? null : UUID.fromString(text);
  }

  private static Instant readOffsetDateTime(ResultSet rs, int column, StatementContext context)
      throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  private static Instant readUtcDateTime(ResultSet rs, int column, StatementContext context)
      throws SQLException {
    LocalDateTime value = rs.getObject(column, LocalDateTime.class);
    return value == null ? null : value.toInstant(ZoneOffset.UTC);
  }

  /** Reads a column through the mapper that this plugin registered for the type. */
  static <T> T read(ResultSet rs, String column, Class<T> type, StatementContext context)
      throws SQLException {
    ColumnMapper<T> mapper =
        context
            .findColumnMapperFor(type)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "No column mapper for " + type.getName() + ": install ColumnTypes"));
    return mapper.map(rs, column, context);
  }
}
