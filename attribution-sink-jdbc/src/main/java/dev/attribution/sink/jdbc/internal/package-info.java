/**
 * The usage table's encoding for this project's own modules (the weekly review reads the table the
 * sink writes): column names, how each {@link dev.attribution.sink.jdbc.SqlDialect} stores times
 * and money, and the table-name check.
 *
 * <p><b>Internal: no compatibility is promised.</b> Anything here may change or disappear in any
 * release; applications should use {@link dev.attribution.sink.jdbc.UsageQueries} instead.
 */
@NullMarked
package dev.attribution.sink.jdbc.internal;

import org.jspecify.annotations.NullMarked;
