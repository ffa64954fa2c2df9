package dev.attribution.core.internal.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.budget.BudgetStatus;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.budget.BudgetDefinition;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class KnownStatusesTest {

  @Test
  void listsEveryScopeValueSeenWithItsSpend() {
    BudgetEngine engine =
        BudgetEngine.builder()
            .budget(
                BudgetDefinition.builder("per-tenant")
                    .each(ScopeDimension.TENANT)
                    .limit("10")
                    .build())
            .build();
    for (String tenant : new String[] {"a", "b", "a"}) {
      Admission adm =
          engine.admit(
              AdmissionRequest.of(
                  AttributionContext.builder().tenantId(tenant).build(),
                  "openai",
                  "gpt-4o",
                  null,
                  new BigDecimal("1"),
                  10));
      adm.settle(new BigDecimal("0.5"), 5);
    }
    List<BudgetStatus> all = engine.knownStatuses();
    assertThat(all)
        .extracting(BudgetStatus::scopeKey)
        .containsExactlyInAnyOrder("tenant=a", "tenant=b");
    assertThat(
            all.stream()
                .filter(s -> s.scopeKey().equals("tenant=a"))
                .findFirst()
                .orElseThrow()
                .spent())
        .isEqualByComparingTo("1.0");
  }
}
