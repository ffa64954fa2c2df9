/**
 * Usage records in the team's own SQL database: {@link dev.attribution.sink.jdbc.JdbcUsageSink}
 * writes them in batches (spooling to a local file while the database is unavailable) and {@link
 * dev.attribution.sink.jdbc.UsageQueries} reads aggregates back.
 *
 * <p>Supported databases: PostgreSQL, MySQL/MariaDB, H2 and SQLite (see {@link
 * dev.attribution.sink.jdbc.SqlDialect}).
 */
@NullMarked
package dev.attribution.sink.jdbc;

import org.jspecify.annotations.NullMarked;
