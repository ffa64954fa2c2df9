package dev.attribution.sink.jdbc;

/** Calendar buckets for grouping usage over time; all buckets are in UTC. */
public enum TimeBucket {
  /** Whole hours. */
  HOUR,
  /** Calendar days. */
  DAY,
  /** ISO weeks, starting on Monday. */
  WEEK,
  /** Calendar months. */
  MONTH
}
