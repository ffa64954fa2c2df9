package dev.attribution.api;

import java.io.IOException;

/**
 * Durable storage for records that do not fit in a full queue, so overflow is not lost (the JDBC
 * sink provides a file spool). Called on the thread that submitted the record, so it must be fast
 * (an append to a local file); it must be thread-safe.
 */
@FunctionalInterface
public interface OverflowSpool {

  /**
   * Stores one record durably.
   *
   * @throws IOException when it cannot; the record then counts as dropped
   */
  void append(UsageRecord record) throws IOException;
}
