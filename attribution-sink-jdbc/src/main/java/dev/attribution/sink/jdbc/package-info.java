/**
 * Usage records in the team's own SQL database: {@link dev.attribution.sink.jdbc.JdbcUsageSink}
 * writes them in batches (spooling to a local file while the database is unavailable) and {@link
 * dev.attribution.sink.jdbc.UsageQueries} reads aggregates back.
 *
 * <p>Supported databases: PostgreSQL, MySQL/MariaDB, H2 and SQLite (see {@link
 * dev.attribution.sink.jdbc.SqlDialect} for the column types). The DDL ships as versioned
 * resources, {@code dev/attribution/sink/jdbc/schema/<postgresql|mysql|h2|sqlite>/V<n>.sql}, with
 * {@code ${table}} standing for the table name; a DBA who manages the schema applies them and turns
 * {@link dev.attribution.sink.jdbc.JdbcUsageSink.Builder#createSchema(boolean)} off.
 *
 * <p>Dependencies: the JDBC driver is the application's. {@code org.xerial:sqlite-jdbc} is an
 * optional dependency of this module (add it for {@link
 * dev.attribution.sink.jdbc.JdbcUsageSink#sqlite(java.nio.file.Path)}); the PostgreSQL driver is
 * {@code provided} and, when present, enables the {@code COPY} fast path. Give the driver a socket
 * timeout (PostgreSQL {@code socketTimeout}, MariaDB {@code socketTimeout}) so a hung connection
 * fails and its batch is spooled instead of stalling the export thread.
 */
@NullMarked
package dev.attribution.sink.jdbc;

import org.jspecify.annotations.NullMarked;
