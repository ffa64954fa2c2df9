package dev.attribution.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --reprice} and the price versions against values computed by hand, on every database. */
class RepriceTest {
  static final LocalDate TO = LocalDate.of(2026, 11, 28);

  /** gpt-4o at twice its recorded prices, gpt-4o-mini unchanged, "tiny" below a billionth. */
  static final String PRICES =
      "{\"sample_spec\": {\"litellm_provider\": \"doc\", \"input_cost_per_token\": 0},\n"
          + " \"gpt-4o\": {\"litellm_provider\": \"openai\", \"mode\": \"chat\","
          + " \"input_cost_per_token\": 5e-06, \"output_cost_per_token\": 1.5e-05,"
          + " \"cache_read_input_token_cost\": 2.5e-06},\n"
          + " \"openai/gpt-4o-mini\": {\"litellm_provider\": \"openai\", \"mode\": \"chat\","
          + " \"input_cost_per_token\": 1.5e-07, \"output_cost_per_token\": 6e-07,"
          + " \"cache_read_input_token_cost\": 7.5e-08},\n"
          + " \"tiny\": {\"litellm_provider\": \"openai\", \"mode\": \"chat\","
          + " \"input_cost_per_token\": 1.5e-10, \"output_cost_per_token\": 2.5e-10}}";

  @TempDir Path dir;

  static List<UsageRows.Call> calls() {
    Instant day = Instant.parse("2026-11-25T10:00:00Z");
    return List.of(
        // recorded 800 x 2.5 + 200 x 1.25 + 100 x 10 per million = 0.00325; at the file 0.006
        UsageRows.at(day)
            .tenant("acme")
            .feature("chat")
            .model("openai", "gpt-4o")
            .tokens(1000, 200, 100)
            .priceVersion("litellm:2026-10"),
        // recorded 0.0006, same at the file
        UsageRows.at(day)
            .tenant("globex")
            .feature("search")
            .tokens(2000, 0, 500)
            .priceVersion("litellm:2026-11"),
        // 3 in, 7 out at 1.5e-10 and 2.5e-10: each call 0 + 0.000000002 (rounded per call; on
        // the summed tokens it would be 0.000000001 + 0.000000004)
        UsageRows.at(day)
            .tenant("acme")
            .feature("search")
            .model("openai", "tiny")
            .tokens(3, 0, 7)
            .cost("0.000001")
            .priceVersion("litellm:2026-11"),
        UsageRows.at(day.plusSeconds(60))
            .tenant("acme")
            .feature("search")
            .model("openai", "tiny")
            .tokens(3, 0, 7)
            .cost("0.000001")
            .priceVersion("litellm:2026-11"),
        // unpriced when recorded, and not in the file
        UsageRows.at(day).tenant("globex").feature("chat").model("self", "in-house-7b"),
        // the previous window: not re-priced
        UsageRows.at(Instant.parse("2026-11-20T10:00:00Z"))
            .tenant("acme")
            .model("openai", "gpt-4o")
            .priceVersion("litellm:2026-09"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "h2", "postgresql", "mysql"})
  void repricesEachCallFromItsTokensAsComputedByHand(String dialect) throws Exception {
    Path prices = Files.writeString(dir.resolve("prices.json"), PRICES);
    Databases.withTable(
        dialect,
        dir,
        calls(),
        (url, table) -> {
          ReviewResult r =
              WeeklyReview.run(
                  ReviewOptions.builder()
                      .url(url)
                      .table(table)
                      .to(TO)
                      .reprice(prices)
                      .html(dir.resolve("r.html"))
                      .build(),
                  NullOut.STREAM);
          ReviewTable byTenant = r.table("reprice_by_tenant");
          assertThat(row(byTenant, "acme"))
              .containsExactly(
                  "acme",
                  3L,
                  money("0.003252"),
                  money("0.006000004"),
                  money("0.002748004"),
                  new BigDecimal("84.5"),
                  0L,
                  0L);
          assertThat(row(byTenant, "globex"))
              .containsExactly("globex", 2L, money("0.0006"), money("0.0006"), null, null, 1L, 1L);
          ReviewTable byModel = r.table("reprice_by_model");
          assertThat(row(byModel, "gpt-4o").get(4)).isEqualTo(money("0.00275"));
          assertThat(row(byModel, "gpt-4o-mini").get(4)).isEqualTo(money("0"));
          assertThat(row(byModel, "tiny").subList(2, 5))
              .containsExactly(money("0.000002"), money("0.000000004"), money("-0.000001996"));
          assertThat(row(byModel, "in-house-7b").subList(2, 5)).containsExactly(null, null, null);
          ReviewTable byFeature = r.table("reprice_by_feature");
          assertThat(row(byFeature, "search").get(3)).isEqualTo(money("0.000600004"));
          ReviewTable versions = r.table("price_versions");
          assertThat(versions.rows())
              .extracting(row -> Arrays.asList(row.get(0), row.get(1)))
              .containsExactlyInAnyOrder(
                  Arrays.asList("litellm:2026-11", 3L),
                  Arrays.asList("litellm:2026-10", 1L),
                  Arrays.asList(Analyzer.NONE, 1L));
          assertThat(Files.readString(dir.resolve("r.html")))
              .contains("id=\"reprice_by_model\"", "id=\"price_versions\"", "litellm:2026-10");
        });
  }

  private static BigDecimal money(String v) {
    return new BigDecimal(v).setScale(9);
  }

  private static List<@Nullable Object> row(ReviewTable t, String key) {
    return t.rows().stream()
        .filter(r -> key.equals(r.get(0)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + key + " in " + t.rows()));
  }
}
