package dev.attribution.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PropagationTest {

  private static final AttributionContext REQUEST =
      AttributionContext.builder().tenantId("acme").feature("search").tag("plan", "pro").build();

  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);

  @AfterEach
  void stopPools() throws InterruptedException {
    pool.shutdownNow();
    scheduler.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(Attribution.current()).isEqualTo(AttributionContext.empty());
  }

  @Test
  void wrappedRunnableRunsInTheCapturedContextOnAnotherThread() throws Exception {
    AtomicReference<AttributionContext> seen = new AtomicReference<>();
    Runnable task;
    try (AttributionScope scope = Attribution.open(REQUEST)) {
      task = Attribution.wrap((Runnable) () -> seen.set(Attribution.current()));
      assertThat(scope.context()).isEqualTo(REQUEST);
    }
    pool.submit(task).get(10, TimeUnit.SECONDS);
    assertThat(seen.get()).isEqualTo(REQUEST);
  }

  @Test
  void unwrappedRunnableDoesNotSeeTheContext() throws Exception {
    AtomicReference<AttributionContext> seen = new AtomicReference<>();
    try (AttributionScope scope = Attribution.open(REQUEST)) {
      pool.submit(() -> seen.set(Attribution.current())).get(10, TimeUnit.SECONDS);
      assertThat(scope.context()).isEqualTo(REQUEST);
    }
    assertThat(seen.get()).isEqualTo(AttributionContext.empty());
  }

  @Test
  void wrappedCallableRunsInTheCapturedContext() throws Exception {
    Callable<AttributionContext> task;
    try (AttributionScope scope = Attribution.open(REQUEST)) {
      task = Attribution.wrap((Callable<AttributionContext>) Attribution::current);
      assertThat(scope.context()).isEqualTo(REQUEST);
    }
    assertThat(pool.submit(task).get(10, TimeUnit.SECONDS)).isEqualTo(REQUEST);
  }

  @Test
  void wrappedPlainExecutorRunsEachTaskInItsSubmittersContext() throws Exception {
    Executor plain = command -> new Thread(command, "plain-executor").start();
    Executor wrapped = Attribution.wrap(plain);
    CompletableFuture<AttributionContext> seen = new CompletableFuture<>();
    try (AttributionScope scope = Attribution.open(REQUEST)) {
      wrapped.execute(() -> seen.complete(Attribution.current()));
      assertThat(scope.context()).isEqualTo(REQUEST);
    }
    assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo(REQUEST);
  }

  @Test
  void wrappedExecutorServiceCarriesContextThroughSubmitForms() throws Exception {
    ExecutorService wrapped = Attribution.wrap(pool);
    AtomicReference<AttributionContext> fromRunnable = new AtomicReference<>();
    AtomicReference<AttributionContext> fromExecute = new AtomicReference<>();
    CountDownLatch executed = new CountDownLatch(1);
    Future<AttributionContext> fromCallable;
    Future<String> fromRunnableWithResult;
    try (AttributionScope scope = Attribution.open(REQUEST)) {
      fromCallable = wrapped.submit(Attribution::current);
      Future<?> f = wrapped.submit(() -> fromRunnable.set(Attribution.current()));
      fromRunnableWithResult =
          wrapped.submit(() -> fromRunnable.compareAndSet(null, Attribution.current()), "done");
      wrapped.execute(
          () -> {
            fromExecute.set(Attribution.current());
            executed.countDown();
          });
      f.get(10, TimeUnit.SECONDS);
      assertThat(scope.context()).isEqualTo(REQUEST);
    }
    assertThat(fromCallable.get(10, TimeUnit.SECONDS)).isEqualTo(REQUEST);
    assertThat(fromRunnableWithResult.get(10, TimeUnit.SECONDS)).isEqualTo("done");
    assertThat(fromRunnable.get()).isEqualTo(REQUEST);
    assertThat(executed.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(fromExecute.get()).isEqualTo(REQUEST);
  }

  @Test
  void wrappedExecutorServiceCarriesContextThroughInvokeAllAndInvokeAny() throws Exception {
    ExecutorService wrapped = Attribution.wrap(pool);
    List<Callable<AttributionContext>> tasks =
        List.of(Attribution::current, Attribution::current, Attribution::current);
    List<Future<AttributionContext>> all;
    AttributionContext any;
    AttributionContext anyTimed;
    try (AttributionScope scope = Attribution.open(REQUEST)) {
      all = wrapped.invokeAll(tasks);
      any = wrapped.invokeAny(tasks);
      anyTimed = wrapped.invokeAny(tasks, 10, TimeUnit.SECONDS);
      assertThat(scope.context()).isEqualTo(REQUEST);
    }
    for (Future<AttributionContext> f : all) {
      assertThat(f.get()).isEqualTo(REQUEST);
    }
    assertThat(any).isEqualTo(REQUEST);
    assertThat(anyTimed).isEqualTo(REQUEST);
  }

  @Test
  void wrapOfAnExecutorServiceTypedAsExecutorStillWrapsIt() throws Exception {
    Executor wrapped = Attribution.wrap((Executor) scheduler);
    assertThat(wrapped).isInstanceOf(ScheduledExecutorService.class);
    assertThat(Attribution.wrap(Attribution.wrap(pool))).isInstanceOf(ContextExecutorService.class);
  }

  @Test
  void scheduledTasksRunInTheSchedulersContext() throws Exception {
    ScheduledExecutorService wrapped = Attribution.wrap(scheduler);
    AtomicReference<AttributionContext> fromRunnable = new AtomicReference<>();
    ScheduledFuture<AttributionContext> fromCallable;
    ScheduledFuture<?> runnableFuture;
    try (AttributionScope scope = Attribution.open(REQUEST)) {
      fromCallable = wrapped.schedule(Attribution::current, 10, TimeUnit.MILLISECONDS);
      runnableFuture =
          wrapped.schedule(
              () -> fromRunnable.set(Attribution.current()), 10, TimeUnit.MILLISECONDS);
      assertThat(scope.context()).isEqualTo(REQUEST);
    }
    assertThat(fromCallable.get(10, TimeUnit.SECONDS)).isEqualTo(REQUEST);
    runnableFuture.get(10, TimeUnit.SECONDS);
    assertThat(fromRunnable.get()).isEqualTo(REQUEST);
  }

  @Test
  void fixedRateTaskRunsInTheContextEveryTime() throws Exception {
    ScheduledExecutorService wrapped = Attribution.wrap(scheduler);
    List<AttributionContext> runs = new CopyOnWriteArrayList<>();
    CountDownLatch fiveRuns = new CountDownLatch(5);
    ScheduledFuture<?> rate;
    ScheduledFuture<?> delay;
    List<AttributionContext> delayRuns = new CopyOnWriteArrayList<>();
    CountDownLatch threeDelayRuns = new CountDownLatch(3);
    try (AttributionScope scope = Attribution.open(REQUEST)) {
      rate =
          wrapped.scheduleAtFixedRate(
              () -> {
                runs.add(Attribution.current());
                // A scope leaked by one run must not show up in the next.
                Attribution.open(AttributionContext.builder().userId("leak").build());
                fiveRuns.countDown();
              },
              0,
              5,
              TimeUnit.MILLISECONDS);
      delay =
          wrapped.scheduleWithFixedDelay(
              () -> {
                delayRuns.add(Attribution.current());
                threeDelayRuns.countDown();
              },
              0,
              5,
              TimeUnit.MILLISECONDS);
      assertThat(scope.context()).isEqualTo(REQUEST);
    }
    assertThat(fiveRuns.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(threeDelayRuns.await(10, TimeUnit.SECONDS)).isTrue();
    rate.cancel(false);
    delay.cancel(false);
    assertThat(runs).hasSizeGreaterThanOrEqualTo(5).allMatch(REQUEST::equals);
    assertThat(delayRuns).hasSizeGreaterThanOrEqualTo(3).allMatch(REQUEST::equals);
  }

  @Test
  void completableFutureChainKeepsTheContextThroughAWrappedExecutor() throws Exception {
    Executor wrapped = Attribution.wrap(pool);
    CompletableFuture<List<AttributionContext>> chain;
    try (AttributionScope scope = Attribution.open(REQUEST)) {
      chain =
          CompletableFuture.supplyAsync(
                  () -> new CopyOnWriteArrayList<>(List.of(Attribution.current())), wrapped)
              .thenApplyAsync(
                  seen -> {
                    seen.add(Attribution.current());
                    return seen;
                  },
                  wrapped)
              .thenComposeAsync(
                  seen ->
                      CompletableFuture.supplyAsync(
                          () -> {
                            seen.add(Attribution.current());
                            return (List<AttributionContext>) seen;
                          },
                          wrapped),
                  wrapped);
      assertThat(scope.context()).isEqualTo(REQUEST);
    }
    assertThat(chain.get(10, TimeUnit.SECONDS)).hasSize(3).allMatch(REQUEST::equals);
  }

  @Test
  void forgottenScopeDoesNotLeakIntoTheNextTaskOnAReusedPoolThread() throws Exception {
    ExecutorService single = Executors.newSingleThreadExecutor();
    try {
      ExecutorService wrapped = Attribution.wrap(single);
      AttributionContext first = AttributionContext.builder().tenantId("first").build();
      AttributionContext second = AttributionContext.builder().tenantId("second").build();
      AtomicReference<Thread> thread1 = new AtomicReference<>();
      Future<?> task1;
      try (AttributionScope scope = Attribution.open(first)) {
        task1 =
            wrapped.submit(
                () -> {
                  thread1.set(Thread.currentThread());
                  // Forgets to close: this scope must not survive the task.
                  Attribution.open(
                      AttributionContext.builder().userId("leaked").tag("x", "1").build());
                });
        assertThat(scope.context()).isEqualTo(first);
      }
      task1.get(10, TimeUnit.SECONDS);

      AtomicReference<Thread> thread2 = new AtomicReference<>();
      Future<AttributionContext> seen;
      try (AttributionScope scope = Attribution.open(second)) {
        seen =
            wrapped.submit(
                () -> {
                  thread2.set(Thread.currentThread());
                  return Attribution.current();
                });
        assertThat(scope.context()).isEqualTo(second);
      }
      assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo(second);
      assertThat(thread2.get()).isSameAs(thread1.get());

      // The pool thread itself ends clean: an unwrapped task sees nothing.
      assertThat(single.submit(Attribution::current).get(10, TimeUnit.SECONDS))
          .isEqualTo(AttributionContext.empty());
    } finally {
      single.shutdownNow();
    }
  }
}
