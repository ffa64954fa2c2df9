package dev.attribution.core.internal.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.ContextSource;
import dev.attribution.api.budget.BudgetStatus;
import dev.attribution.api.budget.InMemoryBudgetStore;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.transport.CallRequest;
import dev.attribution.core.transport.LlmCall;
import dev.attribution.testing.MutableClock;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The zero-overshoot guarantee under 64 threads: on the budget engine alone, and through the whole
 * engine (request parsing, estimates, admission, settlement from the response) with the requests
 * that used to slip past it: several completions per request ({@code n}), bodies that cannot be
 * read, and streams that outlive their reservation.
 */
class BudgetConcurrencyTest {

  @Test
  void sixtyFourThreadsNeverOverspendAHardLimitWithUpperBoundEstimates() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-03-10T12:00:00Z"));
    BigDecimal limit = new BigDecimal("50.00");
    BudgetEngine engine =
        BudgetEngine.builder()
            .clock(clock)
            .listener(e -> {})
            .budget(
                BudgetDefinition.builder("hard")
                    .each(ScopeDimension.TENANT)
                    .limit(limit)
                    .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
                    .build())
            .budget(BudgetDefinition.builder("global").limit("1000000").build())
            .build();
    AttributionContext ctx = AttributionContext.builder().tenantId("acme").build();
    int threads = 64;
    int callsPerThread = 200;
    AtomicLong admitted = new AtomicLong();
    AtomicLong blocked = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(
          pool.submit(
              () -> {
                start.await();
                ThreadLocalRandom r = ThreadLocalRandom.current();
                for (int i = 0; i < callsPerThread; i++) {
                  // Worst case 0.01..0.50; the real cost is anywhere up to it.
                  BigDecimal estimate = BigDecimal.valueOf(r.nextInt(1, 51), 2);
                  Admission a =
                      engine.admit(AdmissionRequest.of(ctx, "openai", "m", null, estimate, 100));
                  if (a.decision().blocked()) {
                    blocked.incrementAndGet();
                    continue;
                  }
                  admitted.incrementAndGet();
                  if (r.nextInt(10) == 0) {
                    a.release(null);
                  } else {
                    BigDecimal actual =
                        estimate.multiply(BigDecimal.valueOf(r.nextInt(50, 101), 2));
                    a.settle(actual, 50);
                  }
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get(2, TimeUnit.MINUTES);
    }
    pool.shutdown();
    BudgetStatus s = engine.status("hard", "tenant=acme");
    BigDecimal overshoot = s.spent().subtract(limit).max(BigDecimal.ZERO);
    System.out.println(
        "64 threads: admitted="
            + admitted
            + " blocked="
            + blocked
            + " spent="
            + s.spent().toPlainString()
            + " limit="
            + limit.toPlainString()
            + " overshoot="
            + overshoot.toPlainString());
    assertThat(blocked.get()).as("the limit must actually be reached").isPositive();
    assertThat(overshoot).isEqualByComparingTo(BigDecimal.ZERO);
    assertThat(s.reserved()).isEqualByComparingTo(BigDecimal.ZERO);
    assertThat(engine.status("global", "global").spent()).isEqualByComparingTo(s.spent());
  }

  private static final BigDecimal ENGINE_LIMIT = new BigDecimal("5.00");

  @Test
  void sixtyFourThreadsNeverOverspendWithManyCompletionsUnreadableBodiesAndLongStreams()
      throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-03-10T12:00:00Z"));
    InMemoryBudgetStore store = InMemoryBudgetStore.create(clock);
    BudgetDefinition hard =
        BudgetDefinition.builder("hard")
            .each(ScopeDimension.TENANT)
            .limit(ENGINE_LIMIT)
            .period(BudgetPeriod.lifetime())
            .build();
    AttributionContext ctx = AttributionContext.builder().tenantId("acme").build();
    int threads = 64;
    int callsPerThread = 60;
    AtomicLong admitted = new AtomicLong();
    AtomicLong blocked = new AtomicLong();
    AtomicLong expired = new AtomicLong();
    AtomicLong[] admittedByKind = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
    BudgetStatus s;
    try (AttributionEngine engine =
        AttributionEngine.builder()
            .clock(clock)
            .budgetStore(store)
            .listener(e -> {})
            .reservationTimeout(Duration.ofSeconds(1))
            .budget(hard)
            .shutdownHook(false)
            .build()) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  ThreadLocalRandom r = ThreadLocalRandom.current();
                  for (int i = 0; i < callsPerThread; i++) {
                    int kind = r.nextInt(3);
                    int n = r.nextInt(1, 9);
                    int maxTokens = r.nextInt(50, 501);
                    byte[] body =
                        kind == 1
                            ? null
                            : ("{\"model\":\"gpt-4o\",\"max_tokens\":"
                                    + maxTokens
                                    + ",\"n\":"
                                    + n
                                    + (kind == 2 ? ",\"stream\":true" : "")
                                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                                .getBytes(StandardCharsets.UTF_8);
                    LlmCall call = engine.begin(request(body, ctx));
                    if (call.blocked() != null) {
                      blocked.incrementAndGet();
                      continue;
                    }
                    admitted.incrementAndGet();
                    admittedByKind[kind].incrementAndGet();
                    // The real output: anything up to every generation's cap (unreadable bodies:
                    // up to 2000 tokens, far below the reserve).
                    long out = r.nextLong(0, (kind == 1 ? 2000L : (long) n * maxTokens) + 1);
                    call.onResponse(200, h -> null);
                    if (kind == 2) {
                      byte[] sse = sse(out);
                      call.onStreamBytes(sse, 0, sse.length);
                      // The stream outlives its reservation, which the engine's sweep expires.
                      clock.advance(Duration.ofMillis(1500));
                      expired.addAndGet(store.expireReservations(clock.millis()));
                      call.completeStream(true);
                    } else {
                      byte[] json = json(out);
                      call.completeBody(json, json.length);
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(2, TimeUnit.MINUTES);
      }
      pool.shutdown();
      s = engine.budgetStatus("hard", "tenant=acme");
    }
    BigDecimal overshoot = s.spent().subtract(ENGINE_LIMIT).max(BigDecimal.ZERO);
    System.out.println(
        "64 threads through the engine: admitted="
            + admitted
            + " (n>1/unreadable/long streams "
            + admittedByKind[0]
            + "/"
            + admittedByKind[1]
            + "/"
            + admittedByKind[2]
            + ") blocked="
            + blocked
            + " expired reservations="
            + expired
            + " spent="
            + s.spent().toPlainString()
            + " limit="
            + ENGINE_LIMIT.toPlainString()
            + " overshoot="
            + overshoot.toPlainString());
    assertThat(blocked.get()).as("the limit must actually be reached").isPositive();
    assertThat(admittedByKind[1].get()).as("unreadable bodies were admitted too").isPositive();
    assertThat(admittedByKind[2].get()).as("long streams were admitted too").isPositive();
    assertThat(expired.get())
        .as("some reservations expired before their stream ended")
        .isPositive();
    assertThat(overshoot).isEqualByComparingTo(BigDecimal.ZERO);
    assertThat(s.reserved()).isEqualByComparingTo(BigDecimal.ZERO);
  }

  private static CallRequest request(byte[] body, AttributionContext ctx) {
    return new CallRequest(
        "POST",
        "https",
        "api.openai.com",
        443,
        "/v1/chat/completions",
        null,
        body,
        h -> null,
        ctx,
        ContextSource.SCOPE,
        1,
        "");
  }

  private static byte[] json(long out) {
    return ("{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"gpt-4o\",\"choices\":[],"
            + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":"
            + out
            + ",\"total_tokens\":"
            + (out + 1)
            + "}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] sse(long out) {
    return ("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\n"
            + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\","
            + "\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":"
            + out
            + ",\"total_tokens\":"
            + (out + 1)
            + "}}\n\n"
            + "data: [DONE]\n\n")
        .getBytes(StandardCharsets.UTF_8);
  }
}
