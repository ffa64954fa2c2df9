package dev.attribution.examples.minimal;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.okhttp.AttributionOkHttp;
import dev.attribution.sink.jdbc.JdbcUsageSink;
import java.net.URI;
import java.nio.file.Path;
import java.time.ZoneOffset;

/**
 * The README's setup section, whole and runnable: one engine (prices, a budget, a SQLite database,
 * a mapped model server), openai-java with the interceptor, one attributed call, then close. The
 * build runs it against a loopback fake server ({@code MinimalApplicationTest}).
 *
 * <pre>{@code
 * java -cp <classpath> dev.attribution.examples.minimal.MinimalApplication \
 *     http://127.0.0.1:8000/v1 usage.db
 * }</pre>
 */
public final class MinimalApplication {

  private MinimalApplication() {}

  /**
   * Makes one call and records it.
   *
   * @param args the model server's base URL (default {@code https://api.openai.com/v1}) and the
   *     SQLite file to write (default {@code usage.db})
   */
  public static void main(String[] args) {
    String baseUrl = args.length > 0 ? args[0] : "https://api.openai.com/v1";
    Path database = Path.of(args.length > 1 ? args[1] : "usage.db");

    // One engine per application, shared by every client.
    AttributionEngine engine =
        AttributionEngine.builder()
            // A proxy or a local model server (vLLM, Ollama, LiteLLM) is not a known provider
            // host: map it to the provider whose API it speaks, or its calls go unrecorded (one
            // warning names the host and this call).
            .mapHost(URI.create(baseUrl).getAuthority(), "openai")
            // One budget per tenant, $500 a calendar month; prices are the bundled catalog.
            .budget(
                BudgetDefinition.builder("tenant-monthly")
                    .each(ScopeDimension.TENANT)
                    .limit("500.00")
                    .period(BudgetPeriod.calendarMonth(ZoneOffset.UTC))
                    .build())
            // Records go to your database; its JDBC driver (here org.xerial:sqlite-jdbc) is your
            // application's dependency. Each process needs its own spool directory.
            .addSink(
                JdbcUsageSink.sqlite(database)
                    .spoolDirectory(database.resolveSibling(database.getFileName() + ".spool"))
                    .build())
            .build();

    // The interceptor, added where the client is built.
    OpenAIClient client =
        OpenAIOkHttpClient.builder()
            .baseUrl(baseUrl)
            .apiKey(System.getenv().getOrDefault("OPENAI_API_KEY", "no-key-for-a-local-server"))
            .addInterceptor(AttributionOkHttp.interceptor(engine))
            .build();

    // Per request, usually in a request filter: who is calling, for which feature.
    AttributionContext who =
        AttributionContext.builder().tenantId("acme").userId("u-42").feature("greeting").build();
    try (AttributionScope scope = Attribution.openIsolated(who)) {
      ChatCompletion reply =
          client
              .chat()
              .completions()
              .create(
                  ChatCompletionCreateParams.builder()
                      .model("gpt-4o-mini")
                      .maxCompletionTokens(64)
                      .addUserMessage("Say hello.")
                      .build());
      System.out.println(
          scope.context().tenantId()
              + ": "
              + reply.choices().get(0).message().content().orElse(""));
    }

    // At shutdown: close the client, then the engine, which writes every queued record and closes
    // the sink. (An engine left open is drained by a shutdown hook; closing is the reliable way.)
    client.close();
    engine.close();
  }
}
