package dev.attribution.core.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attribution.api.BudgetAction;
import dev.attribution.api.budget.ScopeDimension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BudgetDefinitionsTest {

  private static final String YAML =
      String.join(
          "\n",
          "budgets:",
          "  - name: tenant-monthly",
          "    scope: { tenant: \"*\", feature: chat, tag.team: \"*\" }",
          "    limit: 250.10",
          "    currency: EUR",
          "    tokenLimit: 5000000",
          "    requestLimit: 20000",
          "    period: { kind: month, zone: Europe/Berlin }",
          "    thresholds:",
          "      - { percent: 50, action: notify }",
          "      - { percent: 80.5, action: downgrade }",
          "      - { percent: 100, action: reroute, route: local-llama }",
          "    downgrade: { gpt-4o: gpt-4o-mini }",
          "    downgradeExemptTrafficClasses: [ critical, interactive ]",
          "    dryRun: true",
          "  - name: hourly-global",
          "    limit: \"5\"",
          "    period: { kind: rolling, window: PT1H }",
          "    soft: true",
          "  - name: prepaid",
          "    scope: { key: \"*\" }",
          "    limit: 100",
          "    period: lifetime",
          "");

  @Test
  void readsEveryFieldFromYaml(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("budgets.yaml");
    Files.writeString(file, YAML);
    List<BudgetDefinition> defs = BudgetDefinitions.load(file);
    assertThat(defs).hasSize(3);
    BudgetDefinition d = defs.get(0);
    assertThat(d.name()).isEqualTo("tenant-monthly");
    assertThat(d.scope()).hasToString("[tenant=*, feature=chat, tag.team=*]");
    assertThat(d.limit()).isEqualByComparingTo("250.10");
    assertThat(d.currency()).isEqualTo("EUR");
    assertThat(d.tokenLimit()).isEqualTo(5_000_000L);
    assertThat(d.requestLimit()).isEqualTo(20_000L);
    assertThat(d.period()).isEqualTo(BudgetPeriod.calendarMonth(ZoneId.of("Europe/Berlin")));
    assertThat(d.thresholds())
        .extracting(Threshold::action)
        .containsExactly(BudgetAction.NOTIFY, BudgetAction.DOWNGRADE, BudgetAction.REROUTE);
    assertThat(d.thresholds().get(1).percent()).isEqualByComparingTo("80.5");
    assertThat(d.thresholds().get(2).route()).isEqualTo("local-llama");
    assertThat(d.downgradeModels()).isEqualTo(Map.of("gpt-4o", "gpt-4o-mini"));
    assertThat(d.downgradeExemptTrafficClasses()).isEqualTo(Set.of("critical", "interactive"));
    assertThat(d.dryRun()).isTrue();
    assertThat(d.scopeKeyOf(List.of("acme", "chat", "red")))
        .isEqualTo("tenant=acme,feature=chat,tag.team=red");
    BudgetDefinition g = defs.get(1);
    assertThat(g.isGlobal()).isTrue();
    assertThat(g.soft()).isTrue();
    assertThat(g.period().window()).isEqualTo(Duration.ofHours(1));
    assertThat(g.thresholds()).hasSize(3); // the default ladder
    assertThat(defs.get(2).period().kind()).isEqualTo(BudgetPeriod.Kind.LIFETIME);
  }

  @Test
  void readsJsonAndATopLevelList() {
    List<BudgetDefinition> defs =
        BudgetDefinitions.parse(
            "[{\"name\":\"d\",\"limit\":1.5,\"period\":{\"kind\":\"day\",\"zone\":\"UTC\"}}]",
            "inline.json");
    assertThat(defs.get(0).limit()).isEqualByComparingTo("1.5");
    assertThat(defs.get(0).period().kind()).isEqualTo(BudgetPeriod.Kind.DAY);
  }

  private static void assertBad(String yaml, String message) {
    assertThatThrownBy(() -> BudgetDefinitions.parse(yaml, "budgets.yaml"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void badDefinitionsNameTheFileTheBudgetAndTheField() {
    assertBad(
        "budgets:\n  - name: ok\n    limit: 1\n  - name: tenant-monthly\n    limit: 1\n"
            + "    period: { kind: month, zone: Mars/Base }\n",
        "budgets.yaml: budget 'tenant-monthly' (budgets[1]): period.zone: unknown time zone"
            + " 'Mars/Base'");
    assertBad(
        "budgets:\n  - name: a\n", "budgets.yaml: budget 'a' (budgets[0]): limit: is required");
    assertBad(
        "budgets:\n  - name: a\n    limit: lots\n",
        "budgets.yaml: budget 'a' (budgets[0]): limit: 'lots' is not a decimal number");
    assertBad(
        "budgets:\n  - name: a\n    limit: -1\n",
        "budgets.yaml: budget 'a' (budgets[0]): limit: must not be negative, was -1");
    assertBad(
        "budgets:\n  - name: a\n    limit: 1\n    limt: 2\n",
        "budgets.yaml: budget 'a' (budgets[0]): limt: unknown field; expected one of [currency,"
            + " downgrade, downgradeExemptTrafficClasses, dryRun, limit, name, period,"
            + " requestLimit, scope, soft, thresholds, tokenLimit]");
    assertBad(
        "budgets:\n  - name: a\n    limit: 1\n    scope: { planet: \"*\" }\n",
        "budgets.yaml: budget 'a' (budgets[0]): scope.planet: unknown scope dimension 'planet';"
            + " expected one of tenant, user, assistant, thread, feature, traffic_class, tag,"
            + " provider, model, key or tag.<key>");
    assertBad(
        "budgets:\n  - name: a\n    limit: 1\n    thresholds:\n"
            + "      - { percent: 100, action: block }\n      - { percent: 120, action: notify }\n",
        "budgets.yaml: budget 'a' (budgets[0]): thresholds: the block threshold at 100 % must be"
            + " the highest (nothing can pass a cap)");
    assertBad(
        "budgets:\n  - name: a\n    limit: 1\n    thresholds:\n"
            + "      - { percent: 100, action: reroute }\n",
        "budgets.yaml: budget 'a' (budgets[0]): thresholds[0].route: is required for a reroute"
            + " threshold");
    assertBad(
        "budgets:\n  - name: a\n    limit: 1\n    thresholds:\n"
            + "      - { percent: 50, action: shout }\n",
        "budgets.yaml: budget 'a' (budgets[0]): thresholds[0].action: unknown 'shout';"
            + " expected notify, downgrade, reroute or block");
    assertBad(
        "budgets:\n  - name: a\n    limit: 1\n    period: { kind: rolling }\n",
        "budgets.yaml: budget 'a' (budgets[0]): period.window: is required for rolling periods,"
            + " e.g. PT1H");
    assertBad(
        "budgets:\n  - name: a\n    limit: 1\n  - name: a\n    limit: 2\n",
        "budgets.yaml: budget 'a' (budgets[1]): name: defined twice");
    assertBad(
        "budgets:\n  - name: a\n    limit: 1\n    downgrade: { x: y, y: x }\n",
        "budgets.yaml: budget 'a' (budgets[0]): downgrade: models form a cycle through 'x'");
    assertThatThrownBy(() -> BudgetDefinitions.parse("budgets: [ {name: a, limit: 1 ", "b.yaml"))
        .hasMessageStartingWith("b.yaml: not valid YAML or JSON: ")
        .hasMessageContaining("line 1, column 31");
  }

  @Test
  void aMisspeltPeriodKindIsNamedBeforeTheZoneItMakesLookMisplaced() {
    assertBad(
        "budgets:\n  - name: a\n    limit: 1\n    period: { kind: monthly, zone: Europe/Berlin }\n",
        "budgets.yaml: budget 'a' (budgets[0]): period.kind: unknown 'monthly'; expected day,"
            + " week, month, rolling or lifetime");
    assertBad(
        "budgets:\n  - name: a\n    limit: 1\n    period: { kind: weekly, firstDay: monday }\n",
        "budgets.yaml: budget 'a' (budgets[0]): period.kind: unknown 'weekly'; expected day,"
            + " week, month, rolling or lifetime");
  }

  @Test
  void acceptedValuesAreListedAsTheyAreWrittenInTheFile() {
    assertBad(
        "budgets:\n  - name: a\n    limit: 1\n    thresholds:\n"
            + "      - { percent: 50, action: none }\n",
        "budgets.yaml: budget 'a' (budgets[0]): thresholds[0].action: unknown 'none';"
            + " expected notify, downgrade, reroute or block");
    assertBad(
        "budgets:\n  - name: a\n    limit: 1\n    period: { kind: week, firstDay: montag }\n",
        "budgets.yaml: budget 'a' (budgets[0]): period.firstDay: 'montag' is not a day of the"
            + " week; expected monday, tuesday, .. or sunday");
  }

  @Test
  void builderValidationNamesBudgetAndField() {
    assertThatThrownBy(() -> BudgetDefinition.builder("b").build())
        .hasMessage("budget 'b': limit: is required");
    assertThatThrownBy(() -> BudgetDefinition.builder("has space").limit("1").build())
        .hasMessageStartingWith("budget 'has space': name: must be");
    assertThatThrownBy(() -> BudgetDefinition.builder("b").limit("1").currency("usd").build())
        .hasMessage("budget 'b': currency: must be a three-letter upper-case code, was 'usd'");
    assertThatThrownBy(() -> BudgetDefinition.builder("b").limit("1").tokenLimit(0L).build())
        .hasMessage("budget 'b': tokenLimit: must be positive, was 0");
    assertThatThrownBy(
            () ->
                BudgetDefinition.builder("b")
                    .limit("1")
                    .each(ScopeDimension.TENANT)
                    .fixed(ScopeDimension.TENANT, "x")
                    .build())
        .hasMessage("budget 'b': scope: dimension 'tenant' appears twice");
    assertThatThrownBy(
            () ->
                BudgetDefinition.builder("b")
                    .limit("1")
                    .thresholds(Threshold.notifyAt(50), Threshold.notifyAt(50))
                    .build())
        .hasMessage("budget 'b': thresholds: two thresholds at 50 %");
  }
}
