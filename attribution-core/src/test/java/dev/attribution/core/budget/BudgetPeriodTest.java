package dev.attribution.core.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class BudgetPeriodTest {

  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  private static Instant at(String iso) {
    return Instant.parse(iso);
  }

  @Test
  void dayStartingDaylightSavingTimeLastsTwentyThreeHours() {
    BudgetPeriod day = BudgetPeriod.calendarDay(BERLIN);
    Instant noon = at("2026-03-29T10:00:00Z"); // clocks went 02:00 -> 03:00 that night
    assertThat(day.start(noon)).isEqualTo(at("2026-03-28T23:00:00Z"));
    assertThat(day.end(noon)).isEqualTo(at("2026-03-29T22:00:00Z"));
    assertThat(Duration.between(day.start(noon), day.end(noon))).isEqualTo(Duration.ofHours(23));
  }

  @Test
  void dayEndingDaylightSavingTimeLastsTwentyFiveHours() {
    BudgetPeriod day = BudgetPeriod.calendarDay(BERLIN);
    Instant noon = at("2026-10-25T11:00:00Z"); // clocks went 03:00 -> 02:00 that night
    assertThat(day.start(noon)).isEqualTo(at("2026-10-24T22:00:00Z"));
    assertThat(day.end(noon)).isEqualTo(at("2026-10-25T23:00:00Z"));
    assertThat(Duration.between(day.start(noon), day.end(noon))).isEqualTo(Duration.ofHours(25));
  }

  @Test
  void periodChangesAtLocalMidnightNotUtcMidnight() {
    BudgetPeriod day = BudgetPeriod.calendarDay(BERLIN);
    long beforeMidnight = at("2026-07-01T21:59:59.999Z").toEpochMilli();
    long midnight = at("2026-07-01T22:00:00Z").toEpochMilli();
    assertThat(day.startMillis(beforeMidnight)).isNotEqualTo(day.startMillis(midnight));
    assertThat(day.startMillis(midnight)).isEqualTo(midnight);
    // Asking about an earlier instant again (clock skew) still answers correctly.
    assertThat(day.endMillis(beforeMidnight)).isEqualTo(midnight);
  }

  @Test
  void monthEndsFollowTheCalendar() {
    BudgetPeriod month = BudgetPeriod.calendarMonth(ZoneId.of("UTC"));
    assertThat(month.start(at("2026-01-31T23:59:59Z"))).isEqualTo(at("2026-01-01T00:00:00Z"));
    assertThat(month.end(at("2026-01-31T23:59:59Z"))).isEqualTo(at("2026-02-01T00:00:00Z"));
    assertThat(month.end(at("2026-02-15T00:00:00Z"))).isEqualTo(at("2026-03-01T00:00:00Z"));
    assertThat(month.end(at("2028-02-15T00:00:00Z"))).isEqualTo(at("2028-03-01T00:00:00Z"));
    assertThat(month.start(at("2028-02-29T12:00:00Z"))).isEqualTo(at("2028-02-01T00:00:00Z"));
    assertThat(month.end(at("2026-12-31T12:00:00Z"))).isEqualTo(at("2027-01-01T00:00:00Z"));
  }

  @Test
  void monthInAZoneSpanningADstChange() {
    BudgetPeriod month = BudgetPeriod.calendarMonth(BERLIN);
    Instant mid = at("2026-03-15T00:00:00Z");
    assertThat(month.start(mid)).isEqualTo(at("2026-02-28T23:00:00Z"));
    assertThat(month.end(mid)).isEqualTo(at("2026-03-31T22:00:00Z"));
  }

  @Test
  void weekStartsOnTheConfiguredDay() {
    Instant wednesday = at("2026-03-11T12:00:00Z");
    assertThat(BudgetPeriod.calendarWeek(ZoneId.of("UTC")).start(wednesday))
        .isEqualTo(at("2026-03-09T00:00:00Z"));
    BudgetPeriod sundayWeek = BudgetPeriod.calendarWeek(ZoneId.of("UTC"), DayOfWeek.SUNDAY);
    assertThat(sundayWeek.start(wednesday)).isEqualTo(at("2026-03-08T00:00:00Z"));
    assertThat(sundayWeek.end(wednesday)).isEqualTo(at("2026-03-15T00:00:00Z"));
  }

  @Test
  void rollingAndLifetimeHaveOneContinuousSlot() {
    BudgetPeriod rolling = BudgetPeriod.rolling(Duration.ofHours(1));
    assertThat(rolling.startMillis(123_456)).isZero();
    assertThat(rolling.end(Instant.now())).isNull();
    assertThat(rolling.window()).isEqualTo(Duration.ofHours(1));
    assertThat(BudgetPeriod.lifetime().startMillis(99)).isZero();
    assertThatThrownBy(() -> BudgetPeriod.rolling(Duration.ofMillis(10)))
        .hasMessageContaining("window must be at least 60 ms");
  }
}
