package dev.attribution.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attribution.api.InMemoryUsageSink;
import dev.attribution.api.OverflowSpool;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RecordPipelineTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final List<RecordPipeline> pipelines = new ArrayList<>();
  private final List<BlockingSink> blockers = new ArrayList<>();

  @AfterEach
  void cleanUp() {
    blockers.forEach(BlockingSink::release);
    pipelines.forEach(p -> p.close(WAIT));
  }

  private RecordPipeline track(RecordPipeline p) {
    pipelines.add(p);
    return p;
  }

  private BlockingSink blocking(String name) {
    BlockingSink s = new BlockingSink(name);
    blockers.add(s);
    return s;
  }

  private static UsageRecord record(int i) {
    return UsageRecord.builder()
        .startedAt(Instant.parse("2026-01-01T00:00:00Z").plusMillis(i))
        .provider("test")
        .attempt(i + 1)
        .build();
  }

  /** A sink whose export blocks until released, remembering that it was entered. */
  static final class BlockingSink implements UsageSink {
    private final String name;
    private final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch entered = new CountDownLatch(1);
    final List<UsageRecord> received = new CopyOnWriteArrayList<>();
    final Set<String> exportThreads = ConcurrentHashMap.newKeySet();

    BlockingSink(String name) {
      this.name = name;
    }

    @Override
    public void export(List<UsageRecord> batch) throws InterruptedException {
      exportThreads.add(Thread.currentThread().getName());
      entered.countDown();
      release.await();
      received.addAll(batch);
    }

    void release() {
      release.countDown();
    }

    @Override
    public String name() {
      return name;
    }
  }

  /** Counts lifecycle calls and keeps what it receives. */
  static final class CountingSink implements UsageSink {
    final List<UsageRecord> received = new CopyOnWriteArrayList<>();
    final AtomicInteger batches = new AtomicInteger();
    final AtomicInteger flushes = new AtomicInteger();
    final List<String> flushThreads = new CopyOnWriteArrayList<>();
    final AtomicInteger shutdowns = new AtomicInteger();
    private final long delayMillis;

    CountingSink(long delayMillis) {
      this.delayMillis = delayMillis;
    }

    @Override
    public void export(List<UsageRecord> batch) throws InterruptedException {
      if (delayMillis > 0) {
        Thread.sleep(delayMillis);
      }
      batches.incrementAndGet();
      received.addAll(batch);
    }

    @Override
    public void flush() {
      flushThreads.add(Thread.currentThread().getName());
      flushes.incrementAndGet();
    }

    @Override
    public void shutdown() {
      shutdowns.incrementAndGet();
    }

    @Override
    public String name() {
      return "counting";
    }
  }

  @Test
  void submitNeverBlocksTheCallerWhenTheSinkBlocksForever() throws Exception {
    BlockingSink sink = blocking("stuck");
    RecordPipeline p =
        track(RecordPipeline.builder().addSink(sink).queueCapacity(100).batchSize(10).build());
    int n = 100_000;
    UsageRecord r = record(0);

    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      p.submit(r);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(took).isLessThan(Duration.ofSeconds(5));
    assertThat(sink.entered.await(10, TimeUnit.SECONDS)).isTrue();
    PipelineStats stats = p.stats();
    assertThat(stats.accepted() + stats.dropped()).isEqualTo(n);
    // At most a full queue plus the one batch the worker holds got in.
    assertThat(stats.accepted()).isBetween(100L, 110L);
    assertThat(sink.exportThreads).containsExactly("attribution-export-stuck");
  }

  @Test
  void dropsAndCountsWhenTheQueueIsFull() throws Exception {
    BlockingSink sink = blocking("slow");
    RecordPipeline p =
        track(RecordPipeline.builder().addSink(sink).queueCapacity(10).batchSize(1).build());
    p.submit(record(0));
    assertThat(sink.entered.await(10, TimeUnit.SECONDS)).isTrue(); // worker holds record 0

    for (int i = 1; i <= 100; i++) {
      p.submit(record(i));
    }

    PipelineStats stats = p.stats();
    assertThat(stats.accepted()).isEqualTo(11);
    assertThat(stats.dropped()).isEqualTo(90);
    assertThat(stats.queued()).isEqualTo(10);
    sink.release();
    assertThat(p.flush(WAIT)).isTrue();
    assertThat(sink.received)
        .extracting(UsageRecord::attempt)
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    assertThat(p.stats()).isEqualTo(new PipelineStats(11, 11, 0, 90, 0, 0));
  }

  @Test
  void overflowGoesToTheSpoolInsteadOfBeingDropped() throws Exception {
    BlockingSink sink = blocking("slow");
    List<UsageRecord> spooled = new CopyOnWriteArrayList<>();
    RecordPipeline p =
        track(
            RecordPipeline.builder()
                .addSink(spooling(sink, spooled::add))
                .queueCapacity(10)
                .batchSize(1)
                .build());
    p.submit(record(0));
    assertThat(sink.entered.await(10, TimeUnit.SECONDS)).isTrue();

    for (int i = 1; i <= 100; i++) {
      p.submit(record(i));
    }

    assertThat(spooled)
        .extracting(UsageRecord::attempt)
        .hasSize(90)
        .startsWith(12, 13)
        .endsWith(101);
    assertThat(p.stats().spooled()).isEqualTo(90);
    assertThat(p.stats().dropped()).isZero();
  }

  @Test
  void aFailingSpoolCountsTheRecordAsDroppedWithoutThrowing() throws Exception {
    BlockingSink sink = blocking("slow");
    RecordPipeline p =
        track(
            RecordPipeline.builder()
                .addSink(
                    spooling(
                        sink,
                        r -> {
                          throw new IOException("disk full");
                        }))
                .queueCapacity(1)
                .batchSize(1)
                .build());
    p.submit(record(0));
    assertThat(sink.entered.await(10, TimeUnit.SECONDS)).isTrue();
    p.submit(record(1)); // queued
    p.submit(record(2)); // spool fails
    p.submit(record(3)); // spool fails

    assertThat(p.stats().dropped()).isEqualTo(2);
    assertThat(p.stats().spooled()).isZero();
  }

  @Test
  void aThrowingSinkDoesNotStopAnotherAndItsFailuresAreCounted() {
    UsageSink broken =
        new UsageSink() {
          @Override
          public void export(List<UsageRecord> batch) {
            throw new IllegalStateException("sink down");
          }

          @Override
          public void flush() throws Exception {
            throw new Exception("flush down");
          }

          @Override
          public void shutdown() {
            throw new NoClassDefFoundError("shutdown down");
          }

          @Override
          public String name() {
            return "broken";
          }
        };
    InMemoryUsageSink healthy = UsageSink.inMemory();
    RecordPipeline p =
        track(
            RecordPipeline.builder()
                .addSink(broken)
                .addSink(healthy)
                .batchSize(7)
                .linger(Duration.ofMillis(5))
                .build());

    for (int i = 0; i < 1000; i++) {
      p.submit(record(i));
    }

    assertThat(p.flush(WAIT)).isTrue();
    assertThat(healthy.records()).hasSize(1000);
    assertThat(healthy.records()).extracting(UsageRecord::attempt).isSorted();
    assertThat(p.statsBySink().get("broken")).isEqualTo(new PipelineStats(1000, 0, 1000, 0, 0, 0));
    assertThat(p.statsBySink().get("in-memory"))
        .isEqualTo(new PipelineStats(1000, 1000, 0, 0, 0, 0));
    assertThat(p.close(WAIT)).isTrue();
  }

  @Test
  void aSinkThrowingAnErrorKeepsItsWorkerAlive() {
    AtomicInteger calls = new AtomicInteger();
    UsageSink flaky =
        batch -> {
          if (calls.incrementAndGet() % 2 == 1) {
            throw new NoClassDefFoundError("optional dependency missing");
          }
        };
    RecordPipeline p =
        track(
            RecordPipeline.builder()
                .addSink(flaky)
                .batchSize(1)
                .linger(Duration.ofMillis(5))
                .build());
    for (int i = 0; i < 10; i++) {
      p.submit(record(i));
    }
    assertThat(p.flush(WAIT)).isTrue();
    PipelineStats s = p.stats();
    assertThat(s.exported() + s.failed()).isEqualTo(10);
    assertThat(s.failed()).isPositive();
    assertThat(s.exported()).isPositive();
  }

  @Test
  void aSlowSinkDoesNotDelayAnother() throws Exception {
    BlockingSink stuck = blocking("stuck");
    InMemoryUsageSink fast = UsageSink.inMemory();
    RecordPipeline p =
        track(
            RecordPipeline.builder()
                .addSink(stuck)
                .addSink(fast)
                .batchSize(10)
                .linger(Duration.ofMillis(20))
                .build());

    for (int i = 0; i < 50; i++) {
      p.submit(record(i));
    }

    assertThat(fast.awaitCount(50, WAIT)).hasSize(50);
    assertThat(stuck.entered.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(stuck.received).isEmpty();
  }

  @Test
  void flushReturnsOnlyAfterEverythingSubmittedWasExported() {
    CountingSink sink = new CountingSink(20);
    RecordPipeline p =
        track(
            RecordPipeline.builder()
                .addSink(sink)
                .batchSize(10)
                .linger(Duration.ofSeconds(30))
                .build());
    for (int i = 0; i < 35; i++) {
      p.submit(record(i));
    }

    long start = System.nanoTime();
    boolean drained = p.flush(WAIT);

    assertThat(drained).isTrue();
    assertThat(sink.received).hasSize(35);
    assertThat(sink.flushes.get()).isEqualTo(1);
    // On the worker, between batches: a sink's flush never races its export.
    assertThat(sink.flushThreads).containsExactly("attribution-export-counting");
    // The 30 s linger must not hold back a flush.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(p.stats()).isEqualTo(new PipelineStats(35, 35, 0, 0, 0, 0));
  }

  @Test
  void flushReportsFalseWhenASinkCannotFinishInTime() {
    BlockingSink sink = blocking("stuck");
    RecordPipeline p = track(RecordPipeline.builder().addSink(sink).build());
    p.submit(record(0));
    assertThat(p.flush(Duration.ofMillis(200))).isFalse();
  }

  @Test
  void closeDrainsEverythingThenFlushesAndShutsDownEachSinkOnce() {
    CountingSink sink = new CountingSink(1);
    RecordPipeline p =
        RecordPipeline.builder()
            .addSink(sink)
            .batchSize(100)
            .linger(Duration.ofSeconds(30))
            .build();
    for (int i = 0; i < 1000; i++) {
      p.submit(record(i));
    }

    long start = System.nanoTime();
    p.close();
    p.close();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(sink.received).hasSize(1000);
    assertThat(sink.flushes.get()).isEqualTo(1);
    assertThat(sink.shutdowns.get()).isEqualTo(1);
    assertThat(p.stats()).isEqualTo(new PipelineStats(1000, 1000, 0, 0, 0, 0));
    assertThat(workerThreadsNamed("attribution-export-counting")).isZero();
  }

  @Test
  void closeOfAnIdlePipelineIsPromptDespiteALongLinger() {
    CountingSink sink = new CountingSink(0);
    RecordPipeline p =
        RecordPipeline.builder().addSink(sink).linger(Duration.ofSeconds(30)).build();
    p.submit(record(0));
    assertThat(p.flush(WAIT)).isTrue(); // the worker is now idle in its 30 s poll

    long start = System.nanoTime();
    assertThat(p.close(WAIT)).isTrue();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(sink.shutdowns.get()).isEqualTo(1);
    assertThat(p.stats()).isEqualTo(new PipelineStats(1, 1, 0, 0, 0, 0));
  }

  @Test
  void closeGivesUpAfterItsTimeoutWhenASinkNeverReturns() {
    BlockingSink sink = blocking("stuck");
    RecordPipeline p =
        RecordPipeline.builder().addSink(sink).queueCapacity(100).batchSize(1).build();
    for (int i = 0; i < 20; i++) {
      p.submit(record(i));
    }

    long start = System.nanoTime();
    boolean drained = p.close(Duration.ofMillis(300));

    assertThat(drained).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    PipelineStats s = p.stats();
    assertThat(s.accepted()).isEqualTo(20);
    assertThat(s.exported()).isZero();
    // Nothing vanishes from the books: what was not exported is failed or dropped.
    assertThat(s.failed() + s.dropped()).isEqualTo(20);
    assertThat(s.queued()).isZero();
  }

  @Test
  void recordsSubmittedAfterCloseAreDroppedAndCounted() {
    CountingSink sink = new CountingSink(0);
    InMemoryUsageSink second = UsageSink.inMemory();
    RecordPipeline p = RecordPipeline.builder().addSink(sink).addSink(second).build();
    p.submit(record(0));
    p.close();

    for (int i = 1; i <= 5; i++) {
      p.submit(record(i));
    }

    assertThat(sink.received).hasSize(1);
    assertThat(second.records()).hasSize(1);
    assertThat(p.statsBySink().get("counting").dropped()).isEqualTo(5);
    assertThat(p.stats().dropped()).isEqualTo(10);
    assertThat(p.flush(Duration.ofMillis(100))).isTrue();
  }

  @Test
  void submitOfNullIsIgnored() {
    CountingSink sink = new CountingSink(0);
    RecordPipeline p = track(RecordPipeline.builder().addSink(sink).build());
    submitUnchecked(p, null);
    assertThat(p.stats().accepted()).isZero();
  }

  @SuppressWarnings("NullAway")
  private static void submitUnchecked(RecordPipeline p, UsageRecord r) {
    p.submit(r);
  }

  @Test
  void workersAreNamedAfterTheirSinksAndDistinctForSameNamedSinks() throws Exception {
    BlockingSink a = blocking("db");
    BlockingSink b = blocking("db");
    RecordPipeline p = track(RecordPipeline.builder().addSink(a).addSink(b).build());
    p.submit(record(0));
    assertThat(a.entered.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(b.entered.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(a.exportThreads).containsExactly("attribution-export-db");
    assertThat(b.exportThreads).containsExactly("attribution-export-db-2");
    assertThat(p.statsBySink()).containsOnlyKeys("db");
    assertThat(p.statsBySink().get("db").accepted()).isEqualTo(2);
  }

  @Test
  void invalidSettingsFailAtBuildTimeNamingTheSetting() {
    assertThatThrownBy(() -> RecordPipeline.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("sink");
    assertThatThrownBy(() -> RecordPipeline.builder().queueCapacity(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("queueCapacity");
    assertThatThrownBy(() -> RecordPipeline.builder().batchSize(0))
        .hasMessageContaining("batchSize");
    assertThatThrownBy(() -> RecordPipeline.builder().linger(Duration.ZERO))
        .hasMessageContaining("linger");
    assertThatThrownBy(() -> RecordPipeline.builder().shutdownTimeout(Duration.ofSeconds(-1)))
        .hasMessageContaining("shutdownTimeout");
    assertThatThrownBy(
            () ->
                RecordPipeline.builder()
                    .addSink(UsageSink.noop())
                    .queueCapacity(10)
                    .batchSize(11)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("batchSize");
  }

  private static long workerThreadsNamed(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(name) && t.isAlive())
        .count();
  }

  /** {@code sink} with {@code spool} as its overflow spool, as the JDBC sink offers its own. */
  private static UsageSink spooling(UsageSink sink, OverflowSpool spool) {
    return new UsageSink() {
      @Override
      public void export(List<UsageRecord> batch) throws Exception {
        sink.export(batch);
      }

      @Override
      public String name() {
        return sink.name();
      }

      @Override
      public OverflowSpool overflowSpool() {
        return spool;
      }
    };
  }
}
