package dev.attribution.examples;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.attribution.api.BudgetEvent;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.budget.LoopGuard;
import dev.attribution.core.budget.Threshold;
import dev.attribution.okhttp.AttributionOkHttp;
import dev.attribution.report.ReviewResult;
import dev.attribution.sink.jdbc.JdbcUsageSink;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * The one-command demo: {@code ./mvnw -q -Pdemo -pl examples -am verify}.
 *
 * <p>It starts a fake OpenAI/Anthropic provider on loopback (or, with {@code OPENAI_API_KEY} set,
 * calls the real OpenAI API under a hard {@value DemoOptions#REAL_API_CAP_USD} USD cap), runs a
 * small help-desk SaaS whose request filter sets tenant, user and feature, plays two weeks of its
 * traffic through openai-java (sync, async, streaming) and a plain OkHttp client with the
 * attribution interceptor installed, writes every usage record to SQLite, and prints the weekly
 * cost review and the path of its HTML report.
 */
public final class Demo {

  /** The trial tenant's budget, the one the demo walks up its 50/80/100 % ladder. */
  static final String TRIAL_BUDGET = "trial-30d";

  /** Calls one agent thread may make within ten minutes before the loop guard stops it. */
  static final int LOOP_GUARD_CALLS = 25;

  /** The usage table the JDBC sink writes. */
  static final String TABLE = JdbcUsageSink.DEFAULT_TABLE;

  private Demo() {}

  /**
   * Runs the demo.
   *
   * @param args ignored; set {@code -Ddemo.short=true} for a shorter run and {@code OPENAI_API_KEY}
   *     to call the real OpenAI API
   * @throws Exception if the demo cannot start (a port, the output directory)
   */
  public static void main(String[] args) throws Exception {
    run(DemoOptions.fromEnvironment());
  }

  /** What a run produced. */
  record Result(
      Path database,
      Path htmlReport,
      long calls,
      int loopStops,
      int ladderBlocks,
      ReviewResult review) {}

  static Result run(DemoOptions options) throws Exception {
    PrintStream out = options.out();
    long t0 = System.nanoTime();
    prepare(options.outputDir());
    out.println();
    out.println("LLM cost attribution demo: a help-desk SaaS, two weeks of traffic in seconds");
    out.println("---------------------------------------------------------------------------");

    DemoClock clock =
        new DemoClock(Clock.systemUTC(), Instant.now().minus(Duration.ofDays(options.days())));
    Queue<BudgetEvent> events = new ConcurrentLinkedQueue<>();
    DemoTally tally = new DemoTally();
    long calls;
    int loopStops;
    int ladderBlocks;
    try (FakeProvider fake = FakeProvider.start()) {
      String openAiBase = options.realOpenAi() ? options.openAiBaseUrl() : fake.openAiBaseUrl();
      if (options.realOpenAi()) {
        out.println(
            "OPENAI_API_KEY is set: OpenAI calls go to api.openai.com as gpt-4o-mini, at most "
                + "64 output tokens each, under a hard cap of $"
                + DemoOptions.REAL_API_CAP_USD
                + ". Anthropic-style calls stay on the built-in fake.");
      } else {
        out.println(
            "Fake provider: OpenAI-style at "
                + fake.openAiBaseUrl()
                + ", Anthropic-style at "
                + fake.anthropicBaseUrl());
      }

      // 1. The engine, on the demo's clock: bundled prices; records to SQLite through the JDBC
      // sink plus a tally for the progress lines; the fake provider's loopback ports mapped to the
      // providers they mimic; the budgets and the loop guard.
      AttributionEngine.Builder builder =
          AttributionEngine.builder()
              .clock(clock)
              .mapHost(fake.anthropicHostPort(), "anthropic")
              .mapHost(
                  options.realOpenAi()
                      ? URI.create(openAiBase).getAuthority()
                      : fake.openAiHostPort(),
                  "openai")
              .addSink(
                  JdbcUsageSink.sqlite(options.database())
                      .table(TABLE)
                      .spoolDirectory(options.outputDir().resolve("spool"))
                      .build())
              .addSink(tally)
              .linger(Duration.ofMillis(50));
      budgets(builder, options, events);
      AttributionEngine engine = builder.build();

      // 2. The clients, with the interceptor installed as the README says.
      OpenAIClient openAi =
          OpenAIOkHttpClient.builder()
              .baseUrl(openAiBase)
              .apiKey(options.realOpenAi() ? options.openAiKey() : "sk-demo-0000000000000000")
              .maxRetries(2)
              .timeout(Duration.ofSeconds(60))
              .addInterceptor(AttributionOkHttp.interceptor(engine))
              .build();
      Dispatcher dispatcher = new Dispatcher();
      dispatcher.setMaxRequests(64);
      dispatcher.setMaxRequestsPerHost(32); // OkHttp's default of 5 would queue the agents
      OkHttpClient existing =
          new OkHttpClient.Builder()
              .readTimeout(Duration.ofSeconds(60)) // OkHttp's default 10 s cuts long generations
              .dispatcher(dispatcher)
              .build();
      OkHttpClient http = AttributionOkHttp.instrument(existing, engine);

      SaasService.ModelPolicy models =
          options.realOpenAi()
              ? new SaasService.ModelPolicy("gpt-4o-mini", 64)
              : SaasService.ModelPolicy.AS_REQUESTED;

      out.println("Two weeks of traffic, one line per day (cost as recorded, exact to 1e-9 USD):");
      TrafficDriver driver;
      try (SaasService service = new SaasService(openAi, http, fake.anthropicBaseUrl(), models)) {
        driver =
            new TrafficDriver(
                options,
                clock,
                service,
                fake,
                tally,
                events,
                () -> engine.flush(Duration.ofSeconds(10)));
        driver.run();
      } finally {
        openAi.close();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
        engine.close(); // writes every queued record, then closes the sinks
      }
      calls = engine.stats().calls();
      loopStops = driver.loopStops;
      ladderBlocks = driver.ladderBlocks;
    }

    out.printf(
        "%nRecorded %d calls into %s in %.1f s.%n%n",
        calls, options.database().toAbsolutePath(), (System.nanoTime() - t0) / 1e9);
    ReviewResult review = WeeklyReviewRunner.run(options);
    out.println();
    out.println("Usage database: " + options.database().toAbsolutePath());
    out.println("HTML report:    " + options.htmlReport().toAbsolutePath());
    out.println("Run the review again (paste it into a shell):");
    out.println("  " + WeeklyReviewRunner.rerunCommand(options));
    return new Result(
        options.database(), options.htmlReport(), calls, loopStops, ladderBlocks, review);
  }

  /**
   * The demo's budgets: a generous one per tenant, the trial tenant's small one (notify at 50 %,
   * downgrade at 80 %, block at 100 %), a loop guard for agent threads and, against the real API, a
   * hard cap on everything.
   */
  static void budgets(AttributionEngine.Builder b, DemoOptions options, Queue<BudgetEvent> events) {
    b.listener(events::add)
        .loopGuard(LoopGuard.of(LOOP_GUARD_CALLS, new BigDecimal("0.50"), Duration.ofMinutes(10)))
        // The demo's clock jumps hours between slots; keep reservations of jobs in flight.
        .reservationTimeout(Duration.ofDays(2))
        .budget(
            BudgetDefinition.builder("tenant-30d")
                .each(ScopeDimension.TENANT)
                .limit("25.00")
                .period(BudgetPeriod.rolling(Duration.ofDays(30)))
                .build())
        .budget(
            BudgetDefinition.builder(TRIAL_BUDGET)
                .fixed(ScopeDimension.TENANT, TrafficDriver.GLOBEX)
                .limit(trialLimit(options))
                .period(BudgetPeriod.rolling(Duration.ofDays(30)))
                .thresholds(
                    Threshold.notifyAt(50), Threshold.downgradeAt(80), Threshold.blockAt(100))
                .downgrade("gpt-4o", "gpt-4o-mini")
                .downgrade("claude-sonnet-4-5", "claude-haiku-4-5")
                .build());
    if (options.realOpenAi()) {
      b.budget(
          BudgetDefinition.builder("demo-hard-cap")
              .fixed(ScopeDimension.PROVIDER, "openai")
              .limit(DemoOptions.REAL_API_CAP_USD)
              .requestLimit(400L)
              .period(BudgetPeriod.lifetime())
              .thresholds(Threshold.blockAt(100))
              .build());
    }
  }

  private static BigDecimal trialLimit(DemoOptions options) {
    BigDecimal full = options.realOpenAi() ? new BigDecimal("0.05") : new BigDecimal("0.50");
    return full.multiply(BigDecimal.valueOf(options.volume()))
        .setScale(2, java.math.RoundingMode.UP);
  }

  /** Empties the output directory: each run writes a fresh database. */
  private static void prepare(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        files
            .sorted(Comparator.reverseOrder())
            .forEach(
                p -> {
                  try {
                    Files.delete(p);
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                });
      }
    }
    Files.createDirectories(dir);
  }
}
