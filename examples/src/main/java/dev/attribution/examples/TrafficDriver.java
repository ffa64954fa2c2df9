package dev.attribution.examples;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetEvent;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * Plays two weeks of a small SaaS's traffic against {@link SaasService}, the way its web front end
 * would: HTTP requests carrying who is calling in headers. Four tenants use six features; on a few
 * days something notable happens (an upstream error, a runaway agent, an abandoned stream, a trial
 * tenant walking its budget ladder). The clock moves through each simulated day in slots; a slot's
 * requests run concurrently.
 */
final class TrafficDriver {

  static final String ACME = "acme";
  static final String INITECH = "initech";
  static final String UMBRELLA = "umbrella";
  static final String GLOBEX = "globex";

  /** Slots per simulated day; the day's traffic spans 12 hours before its end. */
  private static final int SLOTS = 6;

  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("EEE dd MMM", Locale.ENGLISH).withZone(ZoneOffset.UTC);

  private final DemoOptions options;
  private final DemoClock clock;
  private final SaasService service;
  private final @Nullable FakeProvider fake;
  private final DemoTally tally;
  private final Queue<BudgetEvent> events;
  private final Runnable flush;
  private final PrintStream out;
  private final HttpClient web =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final ExecutorService browsers = Executors.newFixedThreadPool(4);
  private final SplittableRandom random = new SplittableRandom(20261129L);
  private int ticket = 4100;
  private final List<String> notes = Collections.synchronizedList(new ArrayList<>());

  /** Outcome counters the demo prints at the end. */
  int loopStops;

  int ladderBlocks;

  TrafficDriver(
      DemoOptions options,
      DemoClock clock,
      SaasService service,
      @Nullable FakeProvider fake,
      DemoTally tally,
      Queue<BudgetEvent> events,
      Runnable flush) {
    this.options = options;
    this.clock = clock;
    this.service = service;
    this.fake = fake;
    this.tally = tally;
    this.events = events;
    this.flush = flush;
    this.out = options.out();
  }

  /** One request of the front end. */
  private record Call(
      String tenant,
      String user,
      String feature,
      String path,
      String body,
      @Nullable String trafficClass) {}

  /** Runs every simulated day, printing one progress line per day. */
  void run() throws InterruptedException, IOException {
    try {
      runDays();
    } finally {
      browsers.shutdownNow();
    }
  }

  private void runDays() throws InterruptedException, IOException {
    Instant now = clock.realNow();
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    int days = options.days();
    for (int d = days - 1; d >= 0; d--) {
      // Business hours (08:00-20:00 UTC) of each calendar day; today up to now.
      Instant midnight = today.minusDays(d).atStartOfDay(ZoneOffset.UTC).toInstant();
      Instant dayStart = midnight.plus(Duration.ofHours(8));
      Instant dayEnd = midnight.plus(Duration.ofHours(20));
      if (d == 0) {
        dayEnd = now.minus(Duration.ofMinutes(1));
        dayStart = dayEnd.minus(Duration.ofHours(12));
        if (dayStart.isBefore(midnight)) {
          dayStart = midnight.isBefore(dayEnd) ? midnight : dayEnd;
        }
      }
      Duration slotLength = Duration.between(dayStart, dayEnd).dividedBy(SLOTS + 1);
      List<Call> calls = plan(d);
      Collections.shuffle(calls, new Random(random.nextLong()));
      for (int s = 0; s < SLOTS; s++) {
        clock.set(dayStart.plus(slotLength.multipliedBy(s)));
        List<Call> slot = calls.subList(calls.size() * s / SLOTS, calls.size() * (s + 1) / SLOTS);
        runConcurrently(slot);
      }
      clock.set(dayStart.plus(slotLength.multipliedBy(SLOTS)));
      specials(d);
      service.awaitJobs();
      flush.run();
      report(dayStart, d);
    }
  }

  /** The ordinary traffic of day {@code d} days ago; the last week is busier than the first. */
  private List<Call> plan(int d) {
    boolean lastWeek = d < 7;
    List<Call> calls = new ArrayList<>();
    // acme: an enterprise customer whose support volume grows 50 % in the last week.
    add(calls, ACME, "support-chat", lastWeek ? 9 : 6);
    add(calls, ACME, "ticket-triage", 6);
    add(calls, ACME, "summarize", 3);
    add(calls, ACME, "weekly-digest", 1);
    // initech: a pro customer with one very busy day two days ago (a cost spike).
    add(calls, INITECH, "support-chat", d == 2 ? 14 : 3);
    add(calls, INITECH, "ticket-triage", 3);
    add(calls, INITECH, "beta-writer", 2);
    add(calls, INITECH, "summarize", 1);
    // umbrella: a small customer trying the research agent every other day.
    add(calls, UMBRELLA, "support-chat", 2);
    add(calls, UMBRELLA, "ticket-triage", 2);
    if (d % 2 == 0) {
      add(calls, UMBRELLA, "research-agent", 1);
    }
    // globex: a trial tenant on a small budget, busier every day of the last half-week.
    add(calls, GLOBEX, "support-chat", d <= 3 ? 9 : 3);
    add(calls, GLOBEX, "ticket-triage", 2);
    add(calls, GLOBEX, "summarize", 1);
    if (d % 3 == 0) {
      calls.add(call(GLOBEX, "support-chat", AttributionContext.TRAFFIC_CRITICAL));
    }
    if (options.realOpenAi()) {
      calls.removeIf(c -> c.feature().equals("beta-writer"));
    }
    return calls;
  }

  private void add(List<Call> calls, String tenant, String feature, int perDay) {
    for (int i = 0; i < options.scaled(perDay); i++) {
      calls.add(call(tenant, feature, null));
    }
  }

  private Call call(String tenant, String feature, @Nullable String trafficClass) {
    int n = ++ticket;
    String user = tenant.charAt(0) + "-user-" + (1 + random.nextInt(6));
    String path;
    String body;
    switch (feature) {
      case "support-chat":
        path = "/api/chat";
        body = Prompts.question(random, n);
        break;
      case "ticket-triage":
        path = "/api/triage";
        body = Prompts.ticket(random, n);
        break;
      case "summarize":
        path = "/api/summarize";
        body = Prompts.document(random, n);
        break;
      case "weekly-digest":
        path = "/api/digest";
        body = Prompts.activity(random, n);
        break;
      case "beta-writer":
        path = "/api/draft";
        body = Prompts.question(random, n);
        break;
      case "research-agent":
        path = "/api/agent?steps=" + (3 + random.nextInt(4));
        body = "Compare our churn with last quarter's.";
        break;
      default:
        throw new IllegalArgumentException("unknown feature " + feature);
    }
    return new Call(tenant, user, feature, path, body, trafficClass);
  }

  /** The notable events, each at a fixed day of the two weeks. */
  private void specials(int d) throws InterruptedException, IOException {
    if (d == 5 && fake != null && !options.realOpenAi()) {
      fake.failNext("gpt-4o", 500);
      HttpResponse<String> r = send(call(ACME, "support-chat", null));
      note(
          "the provider answered 500 to acme's support chat; openai-java retried (HTTP "
              + r.statusCode()
              + "), both attempts recorded");
      fake.failNext("claude-haiku-4-5", 529);
      HttpResponse<String> t = send(call(INITECH, "ticket-triage", null));
      note(
          "Anthropic-style 529 overloaded on initech's triage: the service answered "
              + t.statusCode());
    }
    if (d == 4) {
      HttpResponse<String> r =
          send(
              new Call(
                  UMBRELLA,
                  "u-user-1",
                  "research-agent",
                  "/api/agent?steps=1000",
                  "Keep retrying the CRM export tool until it works.",
                  null));
      if (r.body().contains("loop guard")) {
        loopStops++;
      }
      note("umbrella's agent looped: " + r.body());
    }
    if (d == 3) {
      Call c = call(ACME, "summarize", null);
      HttpResponse<String> r =
          send(
              new Call(
                  c.tenant(), c.user(), c.feature(), c.path() + "?abandon=true", c.body(), null));
      note(
          "an acme user closed the page mid-stream ("
              + r.statusCode()
              + "): recorded as cancelled");
    }
    if (d == 0) {
      // globex goes over its trial budget: keep calling until the budget blocks.
      int sent = 0;
      for (int i = 0; i < 400 && ladderBlocks == 0; i++) {
        String cls = i % 2 == 0 ? null : AttributionContext.TRAFFIC_CRITICAL;
        HttpResponse<String> r = send(call(GLOBEX, "support-chat", cls));
        sent++;
        if (r.statusCode() == 429) {
          ladderBlocks++;
        }
      }
      note("globex kept chatting: blocked after " + sent + " more requests");
    }
  }

  private void runConcurrently(List<Call> slot) throws InterruptedException {
    List<Callable<HttpResponse<String>>> tasks = new ArrayList<>();
    for (Call c : slot) {
      tasks.add(() -> send(c));
    }
    for (Future<HttpResponse<String>> f : browsers.invokeAll(tasks)) {
      try {
        f.get();
      } catch (ExecutionException e) {
        note("a request failed: " + e.getCause());
      }
    }
  }

  private HttpResponse<String> send(Call c) throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(service.baseUri() + c.path()))
            .timeout(Duration.ofSeconds(60))
            .header(SaasService.TENANT, c.tenant())
            .header(SaasService.USER, c.user())
            .header(SaasService.FEATURE, c.feature())
            .POST(HttpRequest.BodyPublishers.ofString(c.body()));
    if (c.trafficClass() != null) {
      b.header(SaasService.TRAFFIC_CLASS, c.trafficClass());
    }
    return web.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private void note(String line) {
    notes.add(line);
  }

  private void report(Instant day, int d) {
    DemoTally.Day t = tally.drain();
    StringBuilder tenants = new StringBuilder();
    for (Map.Entry<String, BigDecimal> e : t.costByTenant().entrySet()) {
      tenants
          .append(tenants.length() == 0 ? "" : "  ")
          .append(e.getKey())
          .append(' ')
          .append(money(e.getValue()));
    }
    out.printf(
        Locale.ROOT,
        "  %s  %4d calls  %9s   %s%n",
        d == 0 ? "today     " : DAY.format(day),
        t.calls(),
        money(t.cost()),
        tenants);
    List<String> flags = new ArrayList<>();
    if (t.downgraded() > 0) {
      flags.add(t.downgraded() + " downgraded");
    }
    if (t.blocked() > 0) {
      flags.add(t.blocked() + " blocked");
    }
    if (t.failed() > 0) {
      flags.add(t.failed() + " upstream errors");
    }
    if (t.cancelled() > 0) {
      flags.add(t.cancelled() + " cancelled");
    }
    for (BudgetEvent e; (e = events.poll()) != null; ) {
      String line = describe(e);
      if (line != null) {
        out.println("      ! " + line);
      }
    }
    synchronized (notes) {
      for (String n : notes) {
        out.println("      - " + n);
      }
      notes.clear();
    }
    if (!flags.isEmpty()) {
      out.println("      = " + String.join(", ", flags));
    }
  }

  private static @Nullable String describe(BudgetEvent e) {
    switch (e.type()) {
      case THRESHOLD_CROSSED:
        return "budget "
            + e.budgetName()
            + " ("
            + e.scopeKey()
            + ") crossed "
            + (e.thresholdPercent() == null
                ? "?"
                : e.thresholdPercent().stripTrailingZeros().toPlainString())
            + "%: "
            + e.action().wireName();
      case DOWNGRADED:
        return "budget " + e.budgetName() + ": " + e.message();
      case BLOCKED:
        return e.budgetName() == null || e.budgetName().equals("loop-guard")
            ? null
            : "budget " + e.budgetName() + " (" + e.scopeKey() + ") now blocks calls";
      case LOOP_STOPPED:
        return "loop guard stopped thread " + e.context().threadId();
      case UNPRICED_MODEL:
        return "model " + e.model() + " has no price: recorded as unpriced, not as free";
      default:
        return null;
    }
  }

  static String money(BigDecimal amount) {
    return "$" + amount.setScale(4, RoundingMode.HALF_UP).toPlainString();
  }
}
