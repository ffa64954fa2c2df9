package dev.attribution.examples.minimal;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
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

  /**
   * Makes one call and records it.
   *
   * @param args the model server's base URL (default {@code https://api.openai.com/v1}) and the
   *     SQLite file to write (default {@code usage.db})
   */
  public static void main(String[] args) {
    String baseUrl = args.length > 0 ? args[0] : "https://api.openai.com/v1";
    Path database = Path.of(args.length > 1 ? args[1] : "usage.db");

    // One engine per application, shared by every client; prices are the bundled catalog.
    AttributionEngine engine =
        AttributionEngine.builder()
            // A local server or proxy is no known provider host: say whose API it speaks.
            .mapHost(URI.create(baseUrl).getAuthority(), "openai")
            .budget(
                BudgetDefinition.builder("tenant-monthly") // $500 per tenant per month
                    .each(ScopeDimension.TENANT)
                    .limit("500.00")
                    .period(BudgetPeriod.calendarMonth(ZoneOffset.UTC))
                    .build())
            // Your JDBC driver (here sqlite-jdbc); one spool directory per process.
            .addSink(
                JdbcUsageSink.sqlite(database)
                    .spoolDirectory(database.resolveSibling("usage.spool"))
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
      var params =
          ChatCompletionCreateParams.builder().model("gpt-4o-mini").addUserMessage("Hi").build();
      var reply = client.chat().completions().create(params).choices().get(0).message();
      System.out.println(scope.context().tenantId() + ": " + reply.content().orElse(""));
    }

    // At shutdown: the client, then the engine, which writes every queued record.
    client.close();
    engine.close();
  }
}
