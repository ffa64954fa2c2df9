package dev.attribution.sink.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.CostBreakdown;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.budget.BudgetStatus;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.internal.budget.BudgetEngine;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A restart does not reset a monthly budget: the engine is seeded from the usage table. */
class JdbcBudgetSeedSourceTest {

  @TempDir Path spool;

  private static UsageRecord spend(Instant at, String tenant, String feature, String amount) {
    return UsageRecord.builder()
        .startedAt(at)
        .context(AttributionContext.builder().tenantId(tenant).feature(feature).build())
        .provider("openai")
        .operation("chat")
        .effectiveModel("gpt-4o")
        .cost(CostBreakdown.builder().output(new BigDecimal(amount)).build())
        .build();
  }

  @Test
  void seedsSpendSinceThePeriodStartedPerScopeValue() throws Exception {
    String table = "seed_" + Long.toHexString(System.nanoTime());
    JdbcUsageSink sink =
        JdbcUsageSink.builder(H2SinkTest.DS).table(table).spoolDirectory(spool).build();
    Instant now = Instant.parse("2026-11-20T12:00:00Z");
    sink.export(
        List.of(
            spend(
                Instant.parse("2026-10-31T23:00:00Z"), "acme", "chat", "5.000000001"), // last month
            spend(Instant.parse("2026-11-02T08:00:00Z"), "acme", "chat", "1.250000000"),
            spend(Instant.parse("2026-11-19T08:00:00Z"), "acme", "search", "0.000000007"),
            spend(Instant.parse("2026-11-03T08:00:00Z"), "globex", "chat", "2.5")));
    BudgetDefinition perTenant =
        BudgetDefinition.builder("tenant-monthly")
            .each(ScopeDimension.TENANT)
            .limit("100")
            .period(BudgetPeriod.calendarMonth(ZoneOffset.UTC))
            .build();
    BudgetDefinition acmeChat =
        BudgetDefinition.builder("acme-chat")
            .fixed(ScopeDimension.TENANT, "acme")
            .each(ScopeDimension.FEATURE)
            .limit("100")
            .period(BudgetPeriod.calendarMonth(ZoneOffset.UTC))
            .build();
    BudgetEngine engine =
        BudgetEngine.builder()
            .budget(perTenant)
            .budget(acmeChat)
            .clock(Clock.fixed(now, ZoneOffset.UTC))
            .seedFrom(JdbcBudgetSeedSource.of(sink.queries()))
            .build();

    BudgetStatus acme = engine.status("tenant-monthly", "tenant=acme");
    assertThat(acme.spent()).isEqualByComparingTo("1.250000007");
    assertThat(engine.status("tenant-monthly", "tenant=globex").spent())
        .isEqualByComparingTo("2.5");
    assertThat(engine.status("acme-chat", "tenant=acme,feature=chat").spent())
        .isEqualByComparingTo("1.25");
    assertThat(engine.status("acme-chat", "tenant=acme,feature=search").spent())
        .isEqualByComparingTo("0.000000007");
    sink.shutdown();
  }
}
