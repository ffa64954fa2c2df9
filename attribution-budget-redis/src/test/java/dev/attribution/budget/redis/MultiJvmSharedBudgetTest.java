package dev.attribution.budget.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.BudgetEvent;
import dev.attribution.api.budget.SlotKey;
import dev.attribution.api.budget.SlotState;
import dev.attribution.core.budget.BudgetPeriod;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three application instances in separate JVMs share one budget through Redis under 64 concurrent
 * callers in total (22 + 21 + 21). Spend must never pass the hard cap; every settled cent must be
 * in Redis; each threshold event must reach a listener once across the three JVMs.
 */
class MultiJvmSharedBudgetTest {

  private static final int[] THREADS = {22, 21, 21};
  private static final long UNIT = 1_000_000_000L;
  private final String prefix = RedisTestSupport.uniquePrefix("multijvm");

  @AfterEach
  void deleteKeys() {
    RedisTestSupport.deleteKeys(prefix);
  }

  @Test
  void threeJvmsNeverSpendPastTheSharedCap() throws Exception {
    Result r = runInstances("-");
    long cap = SharedBudgetChild.LIMIT.movePointRight(9).longValueExact();
    long overshoot = Math.max(0, r.spentNanos - cap);
    System.out.printf(
        "no lease: spent %s of %s USD, overshoot %s USD, admitted %d, blocked %d%n",
        BigDecimal.valueOf(r.spentNanos, 9),
        SharedBudgetChild.LIMIT,
        BigDecimal.valueOf(overshoot, 9),
        r.sum("admitted"),
        r.sum("blocked"));
    assertThat(overshoot).isZero();
    assertThat(r.spentNanos).isEqualTo(r.sum("settledNanos"));
    assertThat(r.sum("unexpected")).isZero();
    assertThat(r.sum("storeFailures")).isZero();
    assertThat(r.sum("blocked")).isPositive();
    // Nearly all of the budget is used: what is left is less than the largest estimate.
    assertThat(cap - r.spentNanos)
        .isLessThan(SharedBudgetChild.MAX_ESTIMATE.movePointRight(9).longValueExact());
    assertEventsOnceAcrossInstances(r);
  }

  @Test
  void threeJvmsWithLeasesStayWithinTheStatedBound() throws Exception {
    BigDecimal lease = new BigDecimal("0.50");
    Result r = runInstances(lease.toPlainString());
    long cap = SharedBudgetChild.LIMIT.movePointRight(9).longValueExact();
    long overshoot = Math.max(0, r.spentNanos - cap);
    long idleBound =
        THREADS.length * lease.movePointRight(9).longValueExact()
            + SharedBudgetChild.MAX_ESTIMATE.movePointRight(9).longValueExact();
    System.out.printf(
        "lease %s: spent %s of %s USD, overshoot %s USD (bound 0), unused %s USD (bound %s),"
            + " local admissions %d of %d, leases %d%n",
        lease,
        BigDecimal.valueOf(r.spentNanos, 9),
        SharedBudgetChild.LIMIT,
        BigDecimal.valueOf(overshoot, 9),
        BigDecimal.valueOf(cap - r.spentNanos, 9),
        BigDecimal.valueOf(idleBound, 9),
        r.sum("localAdmissions"),
        r.sum("admitted"),
        r.sum("leaseGrants"));
    assertThat(overshoot).isZero();
    assertThat(r.spentNanos).isEqualTo(r.sum("settledNanos"));
    assertThat(cap - r.spentNanos).isLessThanOrEqualTo(idleBound);
    assertThat(r.sum("localAdmissions")).isGreaterThan(r.sum("admitted") / 2);
    assertThat(r.sum("storeFailures")).isZero();
    assertEventsOnceAcrossInstances(r);
  }

  private static void assertEventsOnceAcrossInstances(Result r) {
    assertThat(r.sum(SharedBudgetChild.eventKey(BudgetEvent.Type.THRESHOLD_CROSSED, 50)))
        .isEqualTo(1);
    assertThat(r.sum(SharedBudgetChild.eventKey(BudgetEvent.Type.THRESHOLD_CROSSED, 80)))
        .isEqualTo(1);
    assertThat(r.sum(SharedBudgetChild.eventKey(BudgetEvent.Type.BLOCKED, 100))).isEqualTo(1);
  }

  private Result runInstances(String lease) throws Exception {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("java.class.path");
    long start = System.currentTimeMillis() + 2500;
    List<Process> procs = new ArrayList<>();
    for (int threads : THREADS) {
      procs.add(
          new ProcessBuilder(
                  java,
                  "-Xmx256m",
                  "-XX:+UseSerialGC",
                  "-XX:TieredStopAtLevel=1",
                  "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                  "-cp",
                  cp,
                  SharedBudgetChild.class.getName(),
                  prefix,
                  Integer.toString(threads),
                  lease,
                  Long.toString(start),
                  "20000")
              .redirectErrorStream(true)
              .start());
    }
    Result r = new Result();
    for (Process p : procs) {
      StringBuilder all = new StringBuilder();
      try (BufferedReader in =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          all.append(line).append('\n');
          if (line.startsWith("RESULT")) {
            r.add(line);
          }
        }
      }
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(all.toString()).isZero();
      System.out.print(all);
    }
    assertThat(r.instances).isEqualTo(THREADS.length);
    try (RedisBudgetStore s =
        RedisBudgetStore.builder()
            .client(RedisTestSupport.client(), true)
            .keyPrefix(prefix)
            .build()) {
      long now = System.currentTimeMillis();
      BudgetPeriod day = BudgetPeriod.calendarDay(ZoneOffset.UTC);
      SlotState st =
          s.state(new SlotKey(SharedBudgetChild.BUDGET, "global", day.startMillis(now)), 0, now);
      assertThat(st.reservedNanos()).as("reservations left open").isZero();
      r.spentNanos = st.spentNanos();
    }
    return r;
  }

  /** Sums of the children's RESULT fields. */
  static final class Result {
    final Map<String, Long> sums = new HashMap<>();
    int instances;
    long spentNanos;

    void add(String line) {
      instances++;
      for (String f : line.substring("RESULT".length()).trim().split(" ")) {
        int eq = f.lastIndexOf('=');
        sums.merge(f.substring(0, eq), Long.parseLong(f.substring(eq + 1)), Long::sum);
      }
    }

    long sum(String field) {
      return sums.getOrDefault(field, 0L);
    }
  }
}
