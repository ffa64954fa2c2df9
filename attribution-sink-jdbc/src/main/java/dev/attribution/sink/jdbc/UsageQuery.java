package dev.attribution.sink.jdbc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What to read from the usage table: a time range {@code [from, to)} on {@code started_at}, filters
 * on {@link Dimension}s, the dimensions and optional {@link TimeBucket} to group by, and an
 * optional ranking with a limit (top N). Immutable; built with {@link #builder(Instant, Instant)}.
 */
public final class UsageQuery {

  private final Instant from;
  private final Instant to;
  private final Map<Dimension, List<String>> filters;
  private final List<Dimension> groupBy;
  private final @Nullable TimeBucket bucket;
  private final @Nullable Metric orderBy;
  private final int limit;

  private UsageQuery(Builder b) {
    this.from = b.from;
    this.to = b.to;
    EnumMap<Dimension, List<String>> f = new EnumMap<>(Dimension.class);
    b.filters.forEach((k, v) -> f.put(k, List.copyOf(v)));
    this.filters = Collections.unmodifiableMap(f);
    this.groupBy = List.copyOf(b.groupBy);
    this.bucket = b.bucket;
    this.orderBy = b.orderBy;
    this.limit = b.limit;
  }

  /** A query over records that started in {@code [from, to)}. */
  public static Builder builder(Instant from, Instant to) {
    return new Builder(from, to);
  }

  /** Inclusive start of the range. */
  public Instant from() {
    return from;
  }

  /** Exclusive end of the range. */
  public Instant to() {
    return to;
  }

  /** Filters: a record matches when, for every dimension, its value is one of the listed ones. */
  public Map<Dimension, List<String>> filters() {
    return filters;
  }

  /** Dimensions to group by, in order; empty for one total row (per bucket). */
  public List<Dimension> groupBy() {
    return groupBy;
  }

  /** Time bucket to group by, or {@code null} for none. */
  public @Nullable TimeBucket bucket() {
    return bucket;
  }

  /** Ranking metric, largest first, or {@code null} to order by bucket and group keys. */
  public @Nullable Metric orderBy() {
    return orderBy;
  }

  /** Most rows returned, or 0 for no limit. */
  public int limit() {
    return limit;
  }

  /** Builds a {@link UsageQuery}; arguments are checked as they are given. */
  public static final class Builder {
    private final Instant from;
    private final Instant to;
    private final EnumMap<Dimension, Set<String>> filters = new EnumMap<>(Dimension.class);
    private final List<Dimension> groupBy = new ArrayList<>();
    private @Nullable TimeBucket bucket;
    private @Nullable Metric orderBy;
    private int limit;

    private Builder(Instant from, Instant to) {
      this.from = Objects.requireNonNull(from, "from");
      this.to = Objects.requireNonNull(to, "to");
      if (!to.isAfter(from)) {
        throw new IllegalArgumentException("to must be after from, was from=" + from + " to=" + to);
      }
    }

    /** Keeps records whose {@code dimension} is one of {@code values} (repeat calls add values). */
    public Builder where(Dimension dimension, String... values) {
      Objects.requireNonNull(dimension, "dimension");
      if (values.length == 0) {
        throw new IllegalArgumentException("where(" + dimension + "): give at least one value");
      }
      Set<String> set = filters.computeIfAbsent(dimension, d -> new LinkedHashSet<>());
      for (String v : values) {
        set.add(Objects.requireNonNull(v, "value of " + dimension));
      }
      return this;
    }

    /** Adds {@code dimensions} to the grouping, in order; duplicates are rejected. */
    public Builder groupBy(Dimension... dimensions) {
      for (Dimension d : dimensions) {
        Objects.requireNonNull(d, "dimension");
        if (groupBy.contains(d)) {
          throw new IllegalArgumentException("groupBy: " + d + " given twice");
        }
        groupBy.add(d);
      }
      return this;
    }

    /** Groups by a UTC time bucket as well. */
    public Builder bucket(TimeBucket value) {
      this.bucket = Objects.requireNonNull(value, "bucket");
      return this;
    }

    /** Orders groups by {@code metric}, largest first, and keeps the first {@code n} (top N). */
    public Builder top(int n, Metric metric) {
      if (n < 1) {
        throw new IllegalArgumentException("top: n must be at least 1, was " + n);
      }
      this.orderBy = Objects.requireNonNull(metric, "metric");
      this.limit = n;
      return this;
    }

    /** Orders groups by {@code metric}, largest first, without a limit. */
    public Builder orderBy(Metric metric) {
      this.orderBy = Objects.requireNonNull(metric, "metric");
      return this;
    }

    /** Keeps at most {@code n} rows. */
    public Builder limit(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("limit must be at least 1, was " + n);
      }
      this.limit = n;
      return this;
    }

    /** The immutable query. */
    public UsageQuery build() {
      return new UsageQuery(this);
    }
  }
}
