package dev.attribution.core.budget;

import dev.attribution.api.budget.BudgetStore;
import dev.attribution.core.internal.budget.BudgetEngine;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The period over which a budget's spend accumulates: a calendar day, week or month in a time zone,
 * a rolling window, or the budget's whole lifetime (a prepaid balance that only a top-up raises).
 *
 * <p>Calendar periods start at the first instant of the local day in their zone, so they follow
 * daylight-saving changes: a day may last 23 or 25 hours, and a day that begins inside a DST gap
 * starts at the first valid local time. Immutable and thread-safe.
 */
public final class BudgetPeriod {

  /** The kinds of period. */
  public enum Kind {
    /** A calendar day in a time zone. */
    DAY,
    /** A calendar week in a time zone, starting on a configured day. */
    WEEK,
    /** A calendar month in a time zone. */
    MONTH,
    /** A sliding window of fixed length ending now. */
    ROLLING,
    /** No period: spend accumulates forever against a balance raised by top-ups. */
    LIFETIME
  }

  /** Number of buckets a rolling window is divided into: {@value}. */
  public static final int ROLLING_BUCKETS = BudgetStore.ROLLING_BUCKETS;

  private final Kind kind;
  private final @Nullable ZoneId zone;
  private final DayOfWeek firstDayOfWeek;
  private final @Nullable Duration window;

  /** The calendar window containing the most recent instant asked about; recomputed on change. */
  private volatile Window cached = new Window(Long.MAX_VALUE, Long.MIN_VALUE);

  private BudgetPeriod(
      Kind kind, @Nullable ZoneId zone, DayOfWeek firstDayOfWeek, @Nullable Duration window) {
    this.kind = kind;
    this.zone = zone;
    this.firstDayOfWeek = firstDayOfWeek;
    this.window = window;
  }

  /** The calendar day in {@code zone}. */
  public static BudgetPeriod calendarDay(ZoneId zone) {
    return new BudgetPeriod(Kind.DAY, Objects.requireNonNull(zone, "zone"), DayOfWeek.MONDAY, null);
  }

  /** The ISO calendar week (starting Monday) in {@code zone}. */
  public static BudgetPeriod calendarWeek(ZoneId zone) {
    return calendarWeek(zone, DayOfWeek.MONDAY);
  }

  /** The calendar week starting on {@code firstDay} in {@code zone}. */
  public static BudgetPeriod calendarWeek(ZoneId zone, DayOfWeek firstDay) {
    return new BudgetPeriod(
        Kind.WEEK,
        Objects.requireNonNull(zone, "zone"),
        Objects.requireNonNull(firstDay, "firstDay"),
        null);
  }

  /** The calendar month in {@code zone}. */
  public static BudgetPeriod calendarMonth(ZoneId zone) {
    return new BudgetPeriod(
        Kind.MONTH, Objects.requireNonNull(zone, "zone"), DayOfWeek.MONDAY, null);
  }

  /**
   * A window of length {@code window} sliding with the clock, kept in {@value #ROLLING_BUCKETS}
   * buckets: spend leaves the window one bucket ({@code window / }{@value #ROLLING_BUCKETS}) at a
   * time.
   *
   * @throws IllegalArgumentException if {@code window} is shorter than {@value #ROLLING_BUCKETS}
   *     milliseconds
   */
  public static BudgetPeriod rolling(Duration window) {
    Objects.requireNonNull(window, "window");
    if (window.toMillis() < ROLLING_BUCKETS) {
      throw new IllegalArgumentException(
          "window must be at least " + ROLLING_BUCKETS + " ms, was " + window);
    }
    return new BudgetPeriod(Kind.ROLLING, null, DayOfWeek.MONDAY, window);
  }

  /** No period: a prepaid balance, raised by {@link BudgetEngine#topUp}. */
  public static BudgetPeriod lifetime() {
    return new BudgetPeriod(Kind.LIFETIME, null, DayOfWeek.MONDAY, null);
  }

  /** The kind of period. */
  public Kind kind() {
    return kind;
  }

  /** The time zone of a calendar period, or {@code null} for rolling and lifetime periods. */
  public @Nullable ZoneId zone() {
    return zone;
  }

  /** The first day of a {@link Kind#WEEK} period (Monday for the others). */
  public DayOfWeek firstDayOfWeek() {
    return firstDayOfWeek;
  }

  /** The length of a rolling window, or {@code null} for the other kinds. */
  public @Nullable Duration window() {
    return window;
  }

  /** Whether this is a calendar (day, week or month) period. */
  public boolean isCalendar() {
    return zone != null;
  }

  /**
   * The start of the period containing {@code nowMillis}, in epoch milliseconds; {@code 0} for
   * rolling and lifetime periods (which have a single, continuous slot).
   */
  public long startMillis(long nowMillis) {
    return isCalendar() ? window(nowMillis).start : 0L;
  }

  /**
   * The end (exclusive) of the calendar period containing {@code nowMillis}, in epoch milliseconds;
   * {@link Long#MAX_VALUE} for rolling and lifetime periods.
   */
  public long endMillis(long nowMillis) {
    return isCalendar() ? window(nowMillis).end : Long.MAX_VALUE;
  }

  /** The start of the period containing {@code now} ({@link Instant#EPOCH} when not calendar). */
  public Instant start(Instant now) {
    return Instant.ofEpochMilli(startMillis(now.toEpochMilli()));
  }

  /** The end of the calendar period containing {@code now}, or {@code null} when not calendar. */
  public @Nullable Instant end(Instant now) {
    return isCalendar() ? Instant.ofEpochMilli(endMillis(now.toEpochMilli())) : null;
  }

  private Window window(long nowMillis) {
    Window w = cached;
    if (nowMillis >= w.start && nowMillis < w.end) {
      return w;
    }
    w = compute(nowMillis);
    cached = w;
    return w;
  }

  private Window compute(long nowMillis) {
    ZoneId z = Objects.requireNonNull(zone);
    LocalDate today = Instant.ofEpochMilli(nowMillis).atZone(z).toLocalDate();
    LocalDate first;
    LocalDate next;
    switch (kind) {
      case DAY:
        first = today;
        next = today.plusDays(1);
        break;
      case WEEK:
        first = today.with(TemporalAdjusters.previousOrSame(firstDayOfWeek));
        next = first.plusWeeks(1);
        break;
      case MONTH:
        first = today.withDayOfMonth(1);
        next = first.plusMonths(1);
        break;
      default:
        throw new IllegalStateException("not a calendar period: " + kind);
    }
    long start = first.atStartOfDay(z).toInstant().toEpochMilli();
    long end = next.atStartOfDay(z).toInstant().toEpochMilli();
    return new Window(start, end);
  }

  /** A short description such as {@code month in Europe/Berlin} or {@code rolling PT1H}. */
  @Override
  public String toString() {
    switch (kind) {
      case ROLLING:
        return "rolling " + window;
      case LIFETIME:
        return "lifetime";
      case WEEK:
        return "week from " + firstDayOfWeek + " in " + zone;
      default:
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " in " + zone;
    }
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof BudgetPeriod)) {
      return false;
    }
    BudgetPeriod p = (BudgetPeriod) o;
    return kind == p.kind
        && Objects.equals(zone, p.zone)
        && firstDayOfWeek == p.firstDayOfWeek
        && Objects.equals(window, p.window);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, zone, firstDayOfWeek, window);
  }

  private static final class Window {
    final long start;
    final long end;

    Window(long start, long end) {
      this.start = start;
      this.end = end;
    }
  }
}
