package dev.attribution.core.internal.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.attribution.api.CostSource;
import dev.attribution.api.TokenUsage;
import dev.attribution.core.internal.provider.Providers;
import dev.attribution.core.pricing.PriceDataException;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiteLlmImportTest {

  /**
   * The LiteLLM community price file snapshot (MIT, see NOTICE), copied into the test resources so
   * the import test runs from any checkout.
   */
  static final Path SNAPSHOT = snapshot();

  private static Path snapshot() {
    try {
      return Path.of(
          LiteLlmImportTest.class
              .getResource("/litellm/model_prices_and_context_window.json")
              .toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static final Instant AT = Instant.parse("2026-06-01T00:00:00Z");

  @Test
  void wholeSnapshotLoadsWithZeroMalformedEntries() {
    PriceCatalog c = PriceCatalog.fromLiteLlm(SNAPSHOT);
    ImportReport report = c.importReports().get(0);

    assertThat(report.malformed()).isEmpty();
    assertThat(report.loaded()).isGreaterThan(2000);
    assertThat(report.loaded() + report.skippedCount()).isEqualTo(2984);
    assertThat(report.skipped()).containsKey("documentation entry (sample_spec)");
    assertThat(c.version()).startsWith("litellm-");
  }

  @Test
  void bundledCatalogLoadsWithZeroMalformedAndCoversEveryRequiredProvider() {
    PriceCatalog c = PriceCatalog.bundled();
    assertThat(c.importReports().get(0).malformed()).isEmpty();
    assertThat(c.dataDate()).isEqualTo("2026-11-28");
    assertThat(c.providers())
        .contains(
            "openai",
            "anthropic",
            "gcp.gemini",
            "azure.ai.openai",
            "mistral_ai",
            "deepseek",
            "x_ai",
            "groq",
            "openrouter");
    for (String[] pm :
        new String[][] {
          {"openai", "gpt-5"},
          {"openai", "o3"},
          {"openai", "text-embedding-3-small"},
          {"anthropic", "claude-sonnet-4-5"},
          {"gcp.gemini", "gemini-2.5-pro"},
          {"azure.ai.openai", "gpt-4o"},
          {"mistral", "mistral-large-latest"},
          {"deepseek", "deepseek-reasoner"},
          {"xai", "grok-4"},
          {"groq", "llama-3.3-70b-versatile"},
          {"openrouter", "openai/gpt-4o"}
        }) {
      assertThat(c.find(pm[0], pm[1], AT)).as(pm[0] + "/" + pm[1]).isNotNull();
    }
  }

  /** Keys of the snapshot across providers; expected = the file's rates times the tokens. */
  static final List<String> KEYS =
      List.of(
          "gpt-4o",
          "gpt-4o-mini",
          "gpt-5",
          "o3",
          "o4-mini",
          "text-embedding-3-small",
          "claude-sonnet-4-5",
          "claude-opus-4-1",
          "claude-haiku-4-5",
          "gemini/gemini-2.5-pro",
          "gemini/gemini-2.5-flash",
          "azure/gpt-4o",
          "azure/gpt-4o-mini",
          "mistral/mistral-large-latest",
          "mistral/mistral-small-latest",
          "deepseek/deepseek-chat",
          "deepseek/deepseek-reasoner",
          "xai/grok-4",
          "xai/grok-3-mini",
          "groq/llama-3.3-70b-versatile",
          "openrouter/openai/gpt-4o",
          "openrouter/anthropic/claude-3.5-sonnet",
          "us.anthropic.claude-sonnet-4-5-20250929-v1:0");

  @Test
  void computedCostEqualsTheFileRatesTimesTheTokensForModelsAcrossProviders() throws IOException {
    JsonNode root =
        new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .readTree(SNAPSHOT.toFile());
    PricingEngine engine = PricingEngine.builder().liteLlmFile(SNAPSHOT).build();
    long in = 12_345;
    long cached = 2_345;
    long out = 678;
    Set<String> providers = new HashSet<>();
    int checked = 0;
    for (String key : KEYS) {
      JsonNode e = root.get(key);
      assertThat(e).as(key).isNotNull();
      String provider = Providers.canonical(e.get("litellm_provider").asText());
      String model = LiteLlmImporter.modelName(key, provider);
      BigDecimal inRate = e.get("input_cost_per_token").decimalValue();
      BigDecimal outRate = e.get("output_cost_per_token").decimalValue();
      JsonNode cr = e.get("cache_read_input_token_cost");
      BigDecimal cachedRate = cr == null ? inRate : cr.decimalValue();
      BigDecimal expected =
          inRate
              .multiply(BigDecimal.valueOf(in - cached))
              .add(cachedRate.multiply(BigDecimal.valueOf(cached)))
              .add(outRate.multiply(BigDecimal.valueOf(out)));

      PriceResult r =
          engine.price(
              provider,
              model,
              TokenUsage.builder()
                  .inputTokens(in)
                  .cachedInputTokens(cached)
                  .outputTokens(out)
                  .build(),
              AT);

      assertThat(r.costSource()).as(key).isEqualTo(CostSource.COMPUTED);
      assertThat(r.resolvedModel()).as(key).isEqualTo(model);
      assertThat(r.cost().total())
          .as(key)
          .isEqualByComparingTo(expected.setScale(9, java.math.RoundingMode.HALF_EVEN));
      providers.add(provider);
      checked++;
    }
    assertThat(checked).isGreaterThanOrEqualTo(20);
    assertThat(providers).hasSizeGreaterThanOrEqualTo(9);
  }

  @Test
  void liteLlmFileOverridesBundledPricesAndIsReloadedWithAnAtomicSwap(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("prices.json");
    Files.writeString(file, entry("gpt-4o", "openai", "1e-06", "2e-06"));
    PricingEngine e = PricingEngine.builder().liteLlmFile(file).build();
    TokenUsage u = TokenUsage.of(1_000_000, 1_000_000);
    assertThat(e.price("openai", "gpt-4o", u, AT).cost().total()).isEqualByComparingTo("3");
    // models absent from the file keep their bundled price
    assertThat(e.isPriced("anthropic", "claude-sonnet-4-5")).isTrue();
    String before = e.priceVersion();

    Files.writeString(file, entry("gpt-4o", "openai", "2e-06", "4e-06"));
    ImportReport report = e.reloadLiteLlm();

    assertThat(report.loaded()).isEqualTo(1);
    assertThat(e.price("openai", "gpt-4o", u, AT).cost().total()).isEqualByComparingTo("6");
    assertThat(e.priceVersion()).isNotEqualTo(before);
  }

  @Test
  void reloadForgetsCachedResolutionsSoANewModelBecomesPriced(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("prices.json");
    Files.writeString(file, entry("gpt-4o", "openai", "1e-06", "2e-06"));
    PricingEngine e = PricingEngine.builder().liteLlmFile(file).build();
    assertThat(e.price("openai", "gpt-7", TokenUsage.of(1, 1), AT).isPriced()).isFalse();

    Files.writeString(file, entry("gpt-7", "openai", "1e-06", "2e-06"));
    e.reloadLiteLlm();

    assertThat(e.price("openai", "gpt-7", TokenUsage.of(1_000_000, 0), AT).cost().total())
        .isEqualByComparingTo("1");
  }

  @Test
  void badFilesAreRejectedWithAClearErrorAndTheOldPricesStay(@TempDir Path dir) throws IOException {
    Path good = dir.resolve("good.json");
    Files.writeString(good, entry("gpt-4o", "openai", "1e-06", "2e-06"));
    PricingEngine e = PricingEngine.builder().liteLlmFile(good).build();
    String version = e.priceVersion();
    TokenUsage u = TokenUsage.of(1_000_000, 1_000_000);

    Path notJson = dir.resolve("broken.json");
    Files.writeString(notJson, "{\"gpt-4o\": {");
    assertThatThrownBy(() -> e.reloadLiteLlm(notJson))
        .isInstanceOf(PriceDataException.class)
        .hasMessageContaining("broken.json")
        .hasMessageContaining("not valid JSON");

    Path negative = dir.resolve("negative.json");
    Files.writeString(negative, entry("gpt-4o", "openai", "-1e-06", "2e-06"));
    assertThatThrownBy(() -> e.reloadLiteLlm(negative))
        .isInstanceOf(PriceDataException.class)
        .hasMessageContaining("1 malformed")
        .hasMessageContaining("gpt-4o: input_cost_per_token is negative")
        .hasMessageContaining("previous prices stay");

    Path empty = dir.resolve("empty.json");
    Files.writeString(empty, "{}");
    assertThatThrownBy(() -> e.reloadLiteLlm(empty))
        .isInstanceOf(PriceDataException.class)
        .hasMessageContaining("no entry");

    assertThatThrownBy(() -> e.reloadLiteLlm(dir.resolve("missing.json")))
        .isInstanceOf(PriceDataException.class)
        .hasMessageContaining("missing.json");

    assertThat(e.priceVersion()).isEqualTo(version);
    assertThat(e.price("openai", "gpt-4o", u, AT).cost().total()).isEqualByComparingTo("3");
  }

  @Test
  void badFileAtStartUpFailsTheBuild(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "[1, 2]");
    assertThatThrownBy(() -> PricingEngine.builder().liteLlmFile(file).build())
        .isInstanceOf(PriceDataException.class)
        .hasMessageContaining("must be a JSON object");
  }

  @Test
  void malformedEntriesAreReportedWithTheirReasonAndUnknownFieldsIgnored() {
    String json =
        "{\"a\": {\"litellm_provider\": \"openai\", \"input_cost_per_token\": \"cheap\","
            + " \"output_cost_per_token\": 1e-6},"
            + " \"b\": [1],"
            + " \"c\": {\"input_cost_per_token\": 1e-6, \"output_cost_per_token\": 1e-6},"
            + " \"d\": {\"litellm_provider\": \"openai\", \"mode\": \"image_generation\","
            + " \"output_cost_per_image\": 0.04},"
            + " \"e\": {\"litellm_provider\": \"openai\", \"input_cost_per_token\": 1e-6,"
            + " \"output_cost_per_token\": 2e-6, \"brand_new_field\": {\"x\": 1}}}";
    ImportReport r =
        PriceCatalog.fromLiteLlm(json.getBytes(StandardCharsets.UTF_8), "inline")
            .importReports()
            .get(0);

    assertThat(r.loaded()).isEqualTo(1);
    assertThat(r.malformed())
        .containsExactly(
            "a: input_cost_per_token is not a number: \"cheap\"",
            "b: not a JSON object",
            "c: litellm_provider is missing or not a string");
    assertThat(r.skipped()).containsEntry("no per-token price (mode image_generation)", 1);
  }

  @Test
  void loadsAndReloadsFromAUrl() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    byte[][] body = {entry("grok-4", "xai", "1e-06", "1e-06").getBytes(StandardCharsets.UTF_8)};
    server.createContext(
        "/prices.json",
        ex -> {
          ex.sendResponseHeaders(200, body[0].length);
          try (OutputStream os = ex.getResponseBody()) {
            os.write(body[0]);
          }
        });
    server.start();
    try {
      URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/prices.json");
      PricingEngine e = PricingEngine.builder().liteLlmUrl(url).build();
      TokenUsage u = TokenUsage.of(1_000_000, 0);
      assertThat(e.price("xai", "grok-4", u, AT).cost().total()).isEqualByComparingTo("1");

      body[0] = entry("grok-4", "xai", "5e-06", "1e-06").getBytes(StandardCharsets.UTF_8);
      e.reloadLiteLlm();
      assertThat(e.price("xai", "grok-4", u, AT).cost().total()).isEqualByComparingTo("5");
    } finally {
      server.stop(0);
    }
  }

  static String entry(String key, String provider, String in, String out) {
    return "{\""
        + key
        + "\": {\"litellm_provider\": \""
        + provider
        + "\", \"mode\": \"chat\", \"input_cost_per_token\": "
        + in
        + ", \"output_cost_per_token\": "
        + out
        + "}}";
  }
}
