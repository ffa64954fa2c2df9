package dev.attribution.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each playbook check fires on a crafted data set, and none fires on steady traffic. */
class FindingsTest {
  static final LocalDate LAST = LocalDate.of(2026, 11, 28);
  static final LocalDate FIRST = LAST.minusDays(6);

  @TempDir Path dir;

  /** Fourteen steady days: two tenants, 10 small, cheap, balanced calls a day each. */
  static List<UsageRows.Call> steady() {
    List<UsageRows.Call> out = new ArrayList<>();
    for (LocalDate d = LAST.minusDays(13); !d.isAfter(LAST); d = d.plusDays(1)) {
      for (String tenant : List.of("acme", "globex")) {
        for (int i = 0; i < 10; i++) {
          out.add(UsageRows.at(noon(d).plusSeconds(i * 600L)).tenant(tenant).tokens(500, 0, 200));
        }
      }
    }
    return out;
  }

  static Instant noon(LocalDate d) {
    return d.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(12 * 3600);
  }

  private ReviewResult review(List<UsageRows.Call> extra) throws Exception {
    List<UsageRows.Call> all = steady();
    all.addAll(extra);
    return new ReviewFixture(dir).insert(all).review(FIRST, LAST);
  }

  @Test
  void reportsNothingForSteadyTraffic() throws Exception {
    assertThat(review(List.of()).findings()).isEmpty();
  }

  @Test
  void flagsADayFarAboveItsUsual() throws Exception {
    LocalDate spike = LAST.minusDays(2);
    List<UsageRows.Call> extra = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      extra.add(UsageRows.at(noon(spike).plusSeconds(i * 300L)).tenant("acme").tokens(500, 0, 200));
    }
    ReviewResult r = review(extra);

    assertThat(r.findings(FindingKind.COST_SPIKE))
        .extracting(Finding::subject)
        .containsExactlyInAnyOrder("all tenants on " + spike, "tenant acme on " + spike);
    Finding all =
        r.findings(FindingKind.COST_SPIKE).stream()
            .filter(f -> f.subject().startsWith("all"))
            .findFirst()
            .orElseThrow();
    // 80 calls that day against a usual 20: 4.0x, spend 80 x $0.000195
    assertThat(all.numbers())
        .containsEntry("factor", "4.0x")
        .containsEntry("spend", "$0.0156")
        .containsEntry("usual day (median of 13 days with spend)", "$0.0039");
  }

  @Test
  void flagsATenantThatMultipliedItsSpendWeekOverWeek() throws Exception {
    List<UsageRows.Call> extra = new ArrayList<>();
    for (LocalDate d = FIRST; !d.isAfter(LAST); d = d.plusDays(1)) {
      for (int i = 0; i < 20; i++) {
        extra.add(UsageRows.at(noon(d).plusSeconds(i * 60L)).tenant("globex").tokens(500, 0, 200));
      }
    }
    ReviewResult r = review(extra);

    Finding f =
        r.findings(FindingKind.COST_SPIKE).stream()
            .filter(x -> x.subject().equals("tenant globex"))
            .findFirst()
            .orElseThrow();
    assertThat(f.numbers())
        .containsEntry("this window", "$0.0410")
        .containsEntry("previous window", "$0.0136") // 0.01365, half-even
        .containsEntry("change", "+200.0%")
        .containsEntry("calls", "210 (was 70)");
    assertThat(r.findings(FindingKind.COST_SPIKE))
        .noneMatch(x -> x.subject().startsWith("tenant acme"));
  }

  @Test
  void flagsAThreadWithManyCallsInAShortWindowButNotASlowOne() throws Exception {
    List<UsageRows.Call> extra = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      extra.add(UsageRows.at(noon(LAST).plusSeconds(i * 10L)).thread("t-loop").feature("agent"));
      extra.add(UsageRows.at(noon(FIRST).plusSeconds(i * 3600L)).thread("t-slow").feature("agent"));
    }
    extra.add(
        UsageRows.at(noon(LAST).plusSeconds(300))
            .thread("t-loop")
            .status("blocked")
            .budget("block", "loop-guard", "100"));
    ReviewResult r = review(extra);

    assertThat(r.findings(FindingKind.LOOPING_THREAD))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.subject()).isEqualTo("thread t-loop");
              assertThat(f.numbers())
                  .containsEntry("most calls in 10 min", "26")
                  .containsEntry("blocked calls", "1");
              assertThat(f.summary()).contains("1 of its calls was blocked");
            });
  }

  @Test
  void flagsAThreadSpendingMuchInAShortWindow() throws Exception {
    List<UsageRows.Call> extra = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      extra.add(UsageRows.at(noon(LAST).plusSeconds(i * 60L)).thread("t-big").cost("2.00"));
    }
    ReviewResult r = review(extra);

    assertThat(r.findings(FindingKind.LOOPING_THREAD))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.subject()).isEqualTo("thread t-big");
              assertThat(f.numbers()).containsEntry("most spend in 10 min", "$6.0000");
            });
  }

  @Test
  void flagsPromptsWithHighOutputToInputRatio() throws Exception {
    List<UsageRows.Call> extra = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      extra.add(
          UsageRows.at(noon(LAST).plusSeconds(i * 700L)).feature("story").tokens(100, 0, 800));
    }
    ReviewResult r = review(extra);

    assertThat(r.findings(FindingKind.HIGH_OUTPUT_RATIO))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.subject()).isEqualTo("feature story on gpt-4o-mini");
              assertThat(f.numbers())
                  .containsEntry("output per input token", "8.00")
                  .containsEntry("output tokens", "8,000")
                  .containsEntry("output cost", "$0.0048");
            });
  }

  @Test
  void flagsLargeRepeatedContextWithLowCachedShare() throws Exception {
    List<UsageRows.Call> extra = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      extra.add(UsageRows.at(noon(LAST).plusSeconds(i * 700L)).feature("rag").tokens(3000, 0, 200));
      extra.add(
          UsageRows.at(noon(LAST).plusSeconds(i * 700L + 1))
              .feature("rag-cached")
              .tokens(3000, 2500, 200));
    }
    ReviewResult r = review(extra);

    assertThat(r.findings(FindingKind.UNCACHED_CONTEXT))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.subject()).isEqualTo("feature rag on gpt-4o-mini");
              assertThat(f.numbers())
                  .containsEntry("average input tokens", "3,000")
                  .containsEntry("cached share", "0.0%")
                  .containsEntry("uncached input cost", "$0.0045");
            });
  }

  @Test
  void flagsExpensiveModelsAnsweringInAFewTokens() throws Exception {
    List<UsageRows.Call> extra = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      extra.add(
          UsageRows.at(noon(LAST).plusSeconds(i * 700L))
              .feature("classify")
              .model("openai", "gpt-4o")
              .tokens(300, 0, 2));
      extra.add(
          UsageRows.at(noon(LAST).plusSeconds(i * 700L + 1))
              .feature("classify-mini")
              .model("openai", "gpt-4o-mini")
              .tokens(300, 0, 2));
    }
    ReviewResult r = review(extra);

    assertThat(r.findings(FindingKind.EXPENSIVE_MODEL_SHORT_OUTPUT))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.subject()).isEqualTo("feature classify on gpt-4o");
              assertThat(f.numbers())
                  .containsEntry("average output tokens", "2")
                  .containsEntry("input price per 1M tokens", "$2.5000")
                  .containsEntry("spend", "$0.0077");
            });
  }

  @Test
  void flagsTenantsWhoseChargeIsBelowTheirCost() throws Exception {
    List<UsageRows.Call> extra = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      extra.add(
          UsageRows.at(noon(LAST).plusSeconds(i * 60L))
              .tenant("whale")
              .model("openai", "gpt-4o")
              .tokens(2000, 0, 500)
              .charge("0.001"));
      extra.add(UsageRows.at(noon(LAST).plusSeconds(i * 60L + 1)).tenant("payer").charge("1.00"));
    }
    ReviewResult r = review(extra);

    assertThat(r.findings(FindingKind.TENANT_OVER_PLAN))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.subject()).isEqualTo("tenant whale");
              // 10 x (2000 x 2.50 + 500 x 10.00) / 1M = $0.10 against 10 x $0.001
              assertThat(f.numbers())
                  .containsEntry("cost", "$0.1000")
                  .containsEntry("plan pays", "$0.0100")
                  .containsEntry("shortfall", "$0.0900");
              assertThat(f.amount()).isEqualByComparingTo("0.09");
            });
  }

  @Test
  void flagsTenantsAbovePlanPricesFromAFile() throws Exception {
    Path plans = dir.resolve("plans.properties");
    Files.writeString(plans, "# price per 30 days\nacme = 0.03\n* = 100\n");
    ReviewFixture f = new ReviewFixture(dir).insert(steady());
    ReviewResult r =
        f.review(ReviewOptions.builder().url(f.url).from(FIRST).to(LAST).planPrices(plans));

    assertThat(r.findings(FindingKind.TENANT_OVER_PLAN))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.subject()).isEqualTo("tenant acme");
              // 70 calls x $0.000195 = $0.01365 against 0.03 x 7 / 30 = $0.007
              assertThat(x.numbers())
                  .containsEntry("cost", "$0.0136") // 0.01365, half-even
                  .containsEntry("plan pays", "$0.0070");
              assertThat(x.amount()).isEqualByComparingTo("0.00665");
            });
  }

  @Test
  void flagsUnpricedModelsAsUnknownNotFree() throws Exception {
    List<UsageRows.Call> extra = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      extra.add(
          UsageRows.at(noon(LAST).plusSeconds(i))
              .model("openai", "mystery-model")
              .tokens(800, 0, 100));
    }
    ReviewResult r = review(extra);

    assertThat(r.findings(FindingKind.UNPRICED_MODEL))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.subject()).isEqualTo("model mystery-model");
              assertThat(f.numbers())
                  .containsEntry("calls", "3")
                  .containsEntry("input tokens", "2,400")
                  .containsEntry("cost", "unknown (no price), in no total");
              // An unknown cost is never shown as an amount, not even one marked unknown.
              assertThat(f.numbers().values()).noneMatch(v -> v.contains("$"));
              assertThat(f.summary()).contains("unknown");
            });
  }
}
