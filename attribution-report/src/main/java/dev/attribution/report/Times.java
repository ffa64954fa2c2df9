package dev.attribution.report;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Instants formatted for reading in the window's zone. */
final class Times {
  private static final DateTimeFormatter MINUTE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm zzz", Locale.ROOT);

  private Times() {}

  /** E.g. {@code 2026-11-03 14:05 CET}. */
  static String minute(Instant at, ZoneId zone) {
    return MINUTE.format(at.atZone(zone));
  }
}
