package dev.attribution.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What downgrades and blocks avoided, against values computed by hand, on every database. */
class SavingsTest {
  static final LocalDate TO = LocalDate.of(2026, 11, 28);

  @TempDir Path dir;

  static List<UsageRows.Call> calls() {
    Instant at = Instant.parse("2026-11-25T10:00:00Z");
    return List.of(
        // answered on gpt-4o: chat 0.0035 each, search 0.007
        UsageRows.at(at).feature("chat").model("openai", "gpt-4o").tokens(1000, 0, 100),
        UsageRows.at(at).feature("chat").model("openai", "gpt-4o").tokens(1000, 0, 100),
        UsageRows.at(at).feature("search").model("openai", "gpt-4o").tokens(2000, 0, 200),
        // blocked: 3 chat calls at chat's average, 1 agent call at the model's (0.014 / 3)
        blocked(at, "chat"),
        blocked(at, "chat"),
        blocked(at, "chat"),
        blocked(at, "agent"),
        // downgraded to gpt-4o-mini: cost 0.00021; at gpt-4o's rates in the window 0.0035
        UsageRows.at(at)
            .feature("chat")
            .model("openai", "gpt-4o")
            .effective("gpt-4o-mini")
            .tokens(1000, 0, 100)
            .budget("downgrade", "cap", "90"));
  }

  private static UsageRows.Call blocked(Instant at, String feature) {
    return UsageRows.at(at)
        .feature(feature)
        .model("openai", "gpt-4o")
        .status("blocked")
        .budget("block", "cap", "100");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "h2", "postgresql", "mysql"})
  void pricesAvoidedSpendAtTheRequestedModel(String dialect) throws Exception {
    Path prices = Files.writeString(dir.resolve("prices.json"), RepriceTest.PRICES);
    Databases.withTable(
        dialect,
        dir,
        calls(),
        (url, table) -> {
          ReviewTable s = review(url, table, null).table("savings");
          assertThat(row(s, "block", "chat").subList(3, 7))
              .containsExactly(3L, money("0"), money("0.0105"), money("0.0105"));
          assertThat((String) row(s, "block", "chat").get(7))
              .isEqualTo("average answered call of chat on gpt-4o (0.003500000)");
          assertThat(row(s, "block", "agent").get(6)).isEqualTo(money("0.004666667"));
          assertThat(row(s, "downgrade", "chat").subList(3, 7))
              .containsExactly(1L, money("0.00021"), money("0.0035"), money("0.00329"));
          // with a price file, at its gpt-4o prices: 1000 x 5e-6 + 100 x 1.5e-5
          ReviewTable f = review(url, table, prices).table("savings");
          assertThat(row(f, "downgrade", "chat").subList(5, 8))
              .containsExactly(money("0.0065"), money("0.00629"), "price file");
        });
  }

  private ReviewResult review(String url, String table, @Nullable Path prices) throws Exception {
    return WeeklyReview.run(
        ReviewOptions.builder()
            .url(url)
            .table(table)
            .to(TO)
            .reprice(prices)
            .html(dir.resolve("r.html"))
            .build(),
        NullOut.STREAM);
  }

  private static BigDecimal money(String v) {
    return new BigDecimal(v).setScale(9);
  }

  private static List<@Nullable Object> row(ReviewTable t, String action, String feature) {
    return t.rows().stream()
        .filter(r -> action.equals(r.get(0)) && feature.equals(r.get(1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + action + " " + feature + " in " + t.rows()));
  }
}
