package dev.attribution.sink.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.junit.jupiter.api.Test;

class UsageTableTest {
  @Test
  void parsesTheSinksSqliteTimesExactly() {
    assertThat(UsageTable.parseSqliteTime("2026-11-28 23:59:59.123456"))
        .isEqualTo(Instant.parse("2026-11-28T23:59:59.123456Z"));
    assertThat(UsageTable.parseSqliteTime("1970-01-01 00:00:00.000000")).isEqualTo(Instant.EPOCH);
    assertThat(UsageTable.parseSqliteTime("2024-02-29 12:00:00"))
        .isEqualTo(Instant.parse("2024-02-29T12:00:00Z"));
  }

  @Test
  void rejectsTimesThatAreNotTimes() {
    assertThatThrownBy(() -> UsageTable.parseSqliteTime("2026-02-30 00:00:00.000000"))
        .isInstanceOf(DateTimeParseException.class);
    assertThatThrownBy(() -> UsageTable.parseSqliteTime("2026-11-28 2x:00:00.000000"))
        .isInstanceOf(DateTimeParseException.class);
  }
}
