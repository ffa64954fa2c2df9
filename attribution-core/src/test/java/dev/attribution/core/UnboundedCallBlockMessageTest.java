package dev.attribution.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetEvent;
import dev.attribution.api.ContextSource;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A call with no cost bound (a misspelt, unpriced model) against a budget smaller than the
 * unreadable-request reserve is refused at 0 % spent; the message says why and what to change
 * instead of "exhausted ... may cost up to an unknown amount".
 */
class UnboundedCallBlockMessageTest {

  @Test
  void theBlockOfAnUnpricedModelNamesTheReserveItWasRefusedFor() {
    List<BudgetEvent> events = new CopyOnWriteArrayList<>();
    try (AttributionEngine engine =
        AttributionEngine.builder()
            .shutdownHook(false)
            .budget(
                BudgetDefinition.builder("tenant-daily")
                    .each(ScopeDimension.TENANT)
                    .limit("0.05")
                    .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
                    .build())
            .listener(events::add)
            .build()) {
      engine.begin(
          TestCalls.openAiChat(
              "{\"model\":\"gpt-4o-minii\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
              Map.of(),
              AttributionContext.builder().tenantId("acme").build(),
              ContextSource.SCOPE));
    }
    assertThat(events)
        .filteredOn(e -> e.type() == BudgetEvent.Type.BLOCKED)
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.message())
                    .contains("cannot take this call: 0.000000000 of 0.050000000 USD")
                    .contains("its model has no price")
                    .contains("reserves 1.000000000")
                    .contains("unreadableRequestReserve(..)")
                    .doesNotContain("exhausted")
                    .doesNotContain("unknown amount"));
  }
}
