package dev.attribution.sink.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.BudgetAction;
import dev.attribution.api.CallStatus;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.sink.jdbc.internal.Rollups;
import dev.attribution.sink.jdbc.internal.UsageTable;
import dev.attribution.testing.UsageRecords;
import dev.attribution.testing.UsageSinkContractTest;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every supported database must show: the shared {@link UsageSinkContractTest} plus
 * what only a database sink does. Each dialect's test extends this and supplies a data source; each
 * test uses its own table, dropped afterwards.
 */
abstract class JdbcSinkContractTest extends UsageSinkContractTest {

  @TempDir Path spoolDir;

  String table;
  private final List<JdbcUsageSink> sinks = new ArrayList<>();

  abstract DataSource dataSource();

  abstract SqlDialect expectedDialect();

  @BeforeEach
  void uniqueTable() {
    table = "t_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
  }

  @Override
  protected UsageSink createSink() {
    return track(builder(dataSource()).build());
  }

  @Override
  protected List<UsageRecord> readBack() throws Exception {
    return UsageQueries.create(dataSource(), expectedDialect(), table).records(all().build());
  }

  @Override
  protected boolean idempotentOnRecordId() {
    return true; // ON CONFLICT DO NOTHING (MERGE on H2): replays after a lost commit are expected
  }

  /**
   * The sink keeps durations in whole milliseconds (latency_ms, ttfb_ms) and stores U+0000 and lone
   * surrogates as U+FFFD (PostgreSQL cannot store NUL, no database stores half a surrogate pair;
   * every dialect does the same). Longer text is cut to the column, which the contract allows for
   * without being told.
   */
  @Override
  protected UsageRecord expectedReadBack(UsageRecord written) {
    UsageRecord.Builder b =
        written.toBuilder().latency(Duration.ofMillis(written.latency().toMillis()));
    if (written.timeToFirstByte() != null) {
      b.timeToFirstByte(Duration.ofMillis(written.timeToFirstByte().toMillis()));
    }
    b.serverHost(stored(written.serverHost()))
        .requestedModel(stored(written.requestedModel()))
        .effectiveModel(stored(written.effectiveModel()))
        .responseModel(stored(written.responseModel()))
        .route(stored(written.route()))
        .routeRule(stored(written.routeRule()))
        .priceVersion(stored(written.priceVersion()))
        .errorType(stored(written.errorType()))
        .errorMessage(stored(written.errorMessage()))
        .providerRequestId(stored(written.providerRequestId()))
        .budgetName(stored(written.budgetName()))
        .deployment(stored(written.deployment()))
        .keyFingerprint(stored(written.keyFingerprint()));
    Map<String, String> attributes = new HashMap<>();
    written.attributes().forEach((k, v) -> attributes.put(stored(k), stored(v)));
    return b.attributes(attributes).build();
  }

  private static String stored(String s) {
    return s == null ? null : Columns.storable(s);
  }

  @AfterEach
  void dropTable() throws SQLException {
    for (JdbcUsageSink s : sinks) {
      s.shutdown();
    }
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS " + table);
      s.execute("DROP TABLE IF EXISTS " + table + "_schema_version");
      for (String suffix :
          List.of(Rollups.DAILY, Rollups.DAILY_THREAD, Rollups.DAILY_USER, Rollups.DAILY_ZONE)) {
        s.execute("DROP TABLE IF EXISTS " + table + suffix);
      }
    }
  }

  JdbcUsageSink.Builder builder(DataSource ds) {
    return JdbcUsageSink.builder(ds)
        .table(table)
        .spoolDirectory(spoolDir)
        .retry(Duration.ofMillis(50), Duration.ofMillis(200));
  }

  JdbcUsageSink track(JdbcUsageSink s) {
    sinks.add(s);
    return s;
  }

  long rowCount() throws SQLException {
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*), COUNT(DISTINCT id) FROM " + table)) {
      rs.next();
      assertThat(rs.getLong(1)).as("rows equal distinct ids").isEqualTo(rs.getLong(2));
      return rs.getLong(1);
    }
  }

  UsageQuery.Builder all() {
    return UsageQuery.builder(Instant.parse("2000-01-01T00:00:00Z"), UsageQueries.END_OF_TIME);
  }

  /** What version 2 makes of a version-1 row, read back. */
  private UsageRecord upgraded(UsageRecord v1) {
    return expectedReadBack(OldSchemaRows.dryRunMoved(v1));
  }

  private void assertUpgraded(List<UsageRecord> v1, JdbcUsageSink sink) throws Exception {
    Map<UUID, UsageRecord> read = new HashMap<>();
    for (UsageRecord r : sink.queries().records(all().build())) {
      read.put(r.id(), r);
    }
    for (UsageRecord old : v1) {
      UsageRecord got = read.get(old.id());
      UsageRecord want = upgraded(old);
      assertThat(got).as("row %s after the upgrade", old.id()).isNotNull();
      if (old.attributes().containsKey("large")) {
        // The hostile row: its long text was cut to its columns by version 1 already.
        assertThat(got.dryRunAction()).isEqualTo(want.dryRunAction());
        assertThat(got.attributes()).isEqualTo(want.attributes());
        assertThat(got.httpStatus()).isEqualTo(want.httpStatus());
      } else {
        assertThat(got).as("row %s after the upgrade", old.id()).isEqualTo(want);
      }
    }
    UsageRecord unrecognised = read.get(v1.get(0).id());
    assertThat(unrecognised.provider()).as("'unknown' became NULL").isNull();
    assertThat(unrecognised.operation()).as("'unknown' became NULL").isNull();
    assertThat(unrecognised.httpStatus()).as("0 became NULL").isNull();
    assertNoSentinelLeft();
  }

  private void assertNoSentinelLeft() throws SQLException {
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT COUNT(*) FROM "
                    + table
                    + " WHERE provider = 'unknown' OR operation = 'unknown' OR http_status = 0")) {
      rs.next();
      assertThat(rs.getLong(1)).as("rows still holding a sentinel").isZero();
    }
  }

  private void assertOperationUpgraded(List<UsageRecord> v3, JdbcUsageSink sink) throws Exception {
    Map<UUID, UsageRecord> read = new HashMap<>();
    for (UsageRecord r : sink.queries().records(all().build())) {
      read.put(r.id(), r);
    }
    for (UsageRecord r : v3) {
      assertThat(read.get(r.id()))
          .as("row %s after the upgrade", r.id())
          .isEqualTo(expectedReadBack(r));
    }
    assertThat(read.get(v3.get(0).id()).operation()).as("'unknown' became NULL").isNull();
    assertThat(read.get(v3.get(3).id()).operation()).isEqualTo("chat");
    assertNoSentinelLeft();
  }

  /** Exports {@code fresh} to the upgraded table and reads it back as written. */
  private void assertWritesAfterTheUpgrade(JdbcUsageSink sink, UsageRecord fresh) throws Exception {
    sink.export(List.of(fresh));
    assertThat(
            sink.queries().records(all().build()).stream().filter(r -> r.id().equals(fresh.id())))
        .containsExactly(expectedReadBack(fresh));
  }

  @Test
  void upgradesAVersion3TableTurningTheUnknownOperationIntoNull() throws Exception {
    List<UsageRecord> v3 = OldSchemaRows.version3Records();
    OldSchemaRows old = tableAt(3, v3);
    JdbcUsageSink sink = track(builder(dataSource()).build());
    assertThat(old.version()).isEqualTo(SchemaManager.LATEST_VERSION);
    assertOperationUpgraded(v3, sink);
    assertWritesAfterTheUpgrade(sink, UsageRecords.unknowns(UsageRecords.T0.plusSeconds(60), null));
  }

  @Test
  void aVersion4MigrationStoppedAfterItsSchemaChangeCompletesOnTheNextStart() throws Exception {
    List<UsageRecord> v3 = OldSchemaRows.version3Records();
    assertOperationUpgraded(v3, startAfterAStoppedMigration(3, v3));
  }

  /**
   * A table at {@code version} holding {@code rows}, the next version's migration killed after its
   * DDL (committed on its own in MySQL and H2) and before its first data change, then a sink
   * started on it, which must finish the migration.
   */
  private JdbcUsageSink startAfterAStoppedMigration(int version, List<UsageRecord> rows)
      throws SQLException {
    OldSchemaRows old = tableAt(version, rows);
    old.applyDdlOf(version + 1);
    assertThat(old.version()).isEqualTo(version);

    JdbcUsageSink sink = track(builder(dataSource()).build());
    assertThat(old.version()).isEqualTo(SchemaManager.LATEST_VERSION);
    return sink;
  }

  private OldSchemaRows tableAt(int version, List<UsageRecord> rows) throws SQLException {
    return OldSchemaRows.tableAt(dataSource(), expectedDialect(), table, version, rows);
  }

  @Test
  void upgradesAVersion1TableAndItsRowsInPlace() throws Exception {
    List<UsageRecord> old = OldSchemaRows.version1Records();
    OldSchemaRows v1 = tableAt(1, old);
    JdbcUsageSink sink = track(builder(dataSource()).build());
    assertThat(v1.version()).isEqualTo(SchemaManager.LATEST_VERSION);
    assertWritesAfterTheUpgrade(
        sink, UsageRecords.unknowns(UsageRecords.T0.plusSeconds(60), BudgetAction.BLOCK));
    assertUpgraded(old, sink);
  }

  @Test
  void aMigrationStoppedAfterItsSchemaChangesCompletesOnTheNextStart() throws Exception {
    List<UsageRecord> old = OldSchemaRows.version1Records();
    assertUpgraded(old, startAfterAStoppedMigration(1, old));
  }

  @Test
  void aUsageTableDroppedWithoutItsVersionTableIsCreatedAgainOnTheNextStart() throws Exception {
    track(builder(dataSource()).build()).shutdown();
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE " + table); // "start again", forgetting <table>_schema_version
    }

    JdbcUsageSink sink = track(builder(dataSource()).build());
    sink.export(List.of(UsageRecords.minimal(UsageRecords.T0)));

    assertThat(rowCount()).isEqualTo(1); // written, not spooled behind "table does not exist"
    assertThat(sink.stats().spooled()).isZero();
  }

  @Test
  void detectsDialect() {
    JdbcUsageSink sink = track(builder(dataSource()).build());
    assertThat(sink.dialect()).isEqualTo(expectedDialect());
  }

  @Test
  void roundTripsEveryColumn() throws Exception {
    JdbcUsageSink sink = track(builder(dataSource()).build());
    List<UsageRecord> written = new ArrayList<>(UsageRecords.many(50, 1));
    written.add(UsageRecords.minimal(UsageRecords.T0));
    sink.export(written);

    List<UsageRecord> read = sink.queries().records(all().build());

    written.sort(Comparator.comparing(UsageRecord::startedAt).thenComparing(UsageRecord::id));
    assertThat(read).hasSize(written.size());
    for (int i = 0; i < read.size(); i++) {
      assertThat(read.get(i)).as("record %d", i).isEqualTo(written.get(i));
    }
    assertThat(sink.stats().written()).isEqualTo(written.size());
    assertThat(sink.stats().dropped()).isZero();
  }

  @Test
  void unknownCostIsStoredAsNullNeverZero() throws Exception {
    JdbcUsageSink sink = track(builder(dataSource()).build());
    UsageRecord unpriced = UsageRecords.unpriced(UsageRecords.T0);
    UsageRecord priced = UsageRecords.full(1, new Random(3));
    sink.export(List.of(unpriced, priced));
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT cost_total, cost_input, cost_output, cost_tools, cost_other, currency,"
                    + " cost_source, input_tokens FROM "
                    + table
                    + " WHERE effective_model = 'in-house-7b'")) {
      assertThat(rs.next()).isTrue();
      for (int i = 1; i <= 6; i++) {
        assertThat(rs.getObject(i)).as("column %d", i).isNull();
      }
      assertThat(rs.getString(7)).isEqualTo("unpriced");
      assertThat(rs.getLong(8)).isEqualTo(100);
    }
    UsageRecord read =
        sink.queries().records(all().build()).stream()
            .filter(r -> "in-house-7b".equals(r.effectiveModel()))
            .findFirst()
            .orElseThrow();
    assertThat(read.cost()).isNull();
    assertThat(read).isEqualTo(unpriced);
    // Sums count only known costs: the unknown one adds nothing and breaks nothing.
    List<UsageSummary> total = sink.queries().aggregate(all().build());
    assertThat(total.get(0).requests()).isEqualTo(2);
    assertThat(total.get(0).unknownCostRequests()).isEqualTo(1);
    assertThat(total.get(0).cost()).isEqualByComparingTo(priced.cost().total());
  }

  @Test
  void storesCacheWriteAsSumOfBothLifetimes() throws Exception {
    JdbcUsageSink sink = track(builder(dataSource()).build());
    UsageRecord r = UsageRecords.full(1, new Random(7));
    sink.export(List.of(r));
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT cache_write_tokens, cost_total, tenant_id FROM " + table)) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).isEqualTo(r.usage().cacheWriteTokens());
      assertThat(rs.getString(3)).isEqualTo(r.tenantId());
    }
  }

  @Test
  void createsSchemaOnceWhenManyInstancesStartTogether() throws Exception {
    int n = 6;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Integer>> results = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      results.add(
          pool.submit(
              () -> {
                go.await();
                SchemaManager m =
                    new SchemaManager(
                        dataSource(), expectedDialect(), table, java.time.Clock.systemUTC());
                m.migrate();
                return m.currentVersion();
              }));
    }
    go.countDown();
    for (Future<Integer> f : results) {
      assertThat(f.get()).isEqualTo(SchemaManager.LATEST_VERSION);
    }
    pool.shutdown();
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table + "_schema_version")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(SchemaManager.LATEST_VERSION);
    }
    JdbcUsageSink sink = track(builder(dataSource()).build());
    sink.export(UsageRecords.many(3, 2));
    assertThat(rowCount()).isEqualTo(3);
  }

  @Test
  void writesNothingTwiceWhenBatchesAreReplayed() throws Exception {
    JdbcUsageSink sink = track(builder(dataSource()).build());
    List<UsageRecord> batch = UsageRecords.many(200, 3);
    sink.export(batch);
    sink.export(batch);
    sink.export(batch.subList(50, 120));
    assertThat(rowCount()).isEqualTo(200);
  }

  @Test
  void skipsSchemaCreationWhenSwitchedOff() throws Exception {
    JdbcUsageSink sink = track(builder(dataSource()).createSchema(false).build());
    try (Connection c = dataSource().getConnection()) {
      assertThat(tableExists(c)).isFalse();
    }
    sink.export(UsageRecords.many(2, 4));
    assertThat(sink.stats().written()).isZero();
    assertThat(sink.stats().spooled()).isEqualTo(2);
  }

  private boolean tableExists(Connection c) {
    try (Statement s = c.createStatement()) {
      s.executeQuery("SELECT COUNT(*) FROM " + table).close();
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  @Test
  void spoolsWhileDatabaseIsDownAndReplaysInFullWhenItReturns() throws Exception {
    FlakyDataSource flaky = new FlakyDataSource(dataSource());
    JdbcUsageSink sink = track(builder(flaky).build());
    List<UsageRecord> records = UsageRecords.many(3000, 5);
    sink.export(records.subList(0, 1000));
    flaky.down.set(true);
    for (int i = 1000; i < 3000; i += 250) {
      sink.export(records.subList(i, i + 250));
    }
    assertThat(sink.stats().spooled()).isEqualTo(2000);
    flaky.down.set(false);
    awaitReplayed(sink, 2000);
    assertThat(rowCount()).isEqualTo(3000);
    assertThat(sink.stats().spoolBytes()).isZero();
    assertThat(sink.stats().dropped()).isZero();
  }

  @Test
  void replaysSpoolLeftByAPreviousRunOnStart() throws Exception {
    FlakyDataSource flaky = new FlakyDataSource(dataSource());
    JdbcUsageSink first = builder(flaky).build();
    flaky.down.set(true);
    List<UsageRecord> records = UsageRecords.many(500, 6);
    first.export(records);
    first.shutdown(); // database still down: the spool stays on disk
    assertThat(rowCount()).isZero();

    JdbcUsageSink second = track(builder(dataSource()).build());
    awaitReplayed(second, 500);
    assertThat(rowCount()).isEqualTo(500);
  }

  @Test
  void countsDropsWhenSpoolIsDisabled() throws Exception {
    FlakyDataSource flaky = new FlakyDataSource(dataSource());
    JdbcUsageSink sink = track(builder(flaky).disableSpool().build());
    flaky.down.set(true);
    sink.export(UsageRecords.many(10, 8));
    assertThat(sink.stats().dropped()).isEqualTo(10);
  }

  @Test
  void countsDropsWhenSpoolIsFull() throws Exception {
    FlakyDataSource flaky = new FlakyDataSource(dataSource());
    JdbcUsageSink sink = track(builder(flaky).spoolMaxBytes(64 * 1024).build());
    flaky.down.set(true);
    sink.export(UsageRecords.many(200, 9)); // about 2 KB each: far more than 64 KiB
    JdbcSinkStats st = sink.stats();
    assertThat(st.dropped()).isPositive();
    assertThat(st.spooled() + st.dropped()).isEqualTo(200);
    assertThat(st.spoolBytes()).isLessThanOrEqualTo(64 * 1024);
  }

  @Test
  void aggregatesEqualTheSumsWrittenToTheLastUnit() throws Exception {
    JdbcUsageSink sink = track(builder(dataSource()).build());
    List<UsageRecord> records = UsageRecords.many(2000, 10);
    for (int i = 0; i < records.size(); i += 500) {
      sink.export(records.subList(i, i + 500));
    }
    UsageQueries q = sink.queries();

    // Grand total.
    List<UsageSummary> total = q.aggregate(all().build());
    assertThat(total).hasSize(1);
    assertThat(total.get(0).requests()).isEqualTo(2000);
    assertThat(total.get(0).cost()).isEqualTo(sum(records, UsageRecord::cost));
    assertThat(total.get(0).charge()).isEqualTo(sumCharge(records));
    assertThat(total.get(0).errors())
        .isEqualTo(records.stream().filter(r -> r.status() != CallStatus.OK).count());
    assertThat(total.get(0).inputTokens())
        .isEqualTo(records.stream().mapToLong(r -> r.usage().inputTokens()).sum());

    // Per tenant and day.
    Map<List<Object>, BigDecimal> expected = new HashMap<>();
    Map<List<Object>, Long> expectedCount = new HashMap<>();
    for (UsageRecord r : records) {
      List<Object> k =
          List.of(r.startedAt().truncatedTo(ChronoUnit.DAYS), r.tenantId(), r.context().feature());
      expected.merge(k, r.cost().total(), BigDecimal::add);
      expectedCount.merge(k, 1L, Long::sum);
    }
    List<UsageSummary> rows =
        q.aggregate(
            all().groupBy(Dimension.TENANT, Dimension.FEATURE).bucket(TimeBucket.DAY).build());
    assertThat(rows).hasSize(expected.size());
    for (UsageSummary s : rows) {
      List<Object> k = List.of(s.bucket(), s.get(Dimension.TENANT), s.get(Dimension.FEATURE));
      assertThat(s.cost()).as("cost of %s", k).isEqualTo(expected.get(k));
      assertThat(s.requests()).as("count of %s", k).isEqualTo(expectedCount.get(k));
    }

    // Weekly (ISO, Monday) and monthly buckets, filtered.
    Map<Instant, BigDecimal> weekly = new HashMap<>();
    for (UsageRecord r : records) {
      if ("acme".equals(r.tenantId()) && "gpt-4o".equals(r.effectiveModel())) {
        LocalDate d = r.startedAt().atOffset(ZoneOffset.UTC).toLocalDate();
        Instant monday =
            d.minusDays(d.getDayOfWeek().getValue() - 1L).atStartOfDay().toInstant(ZoneOffset.UTC);
        weekly.merge(monday, r.cost().total(), BigDecimal::add);
      }
    }
    Map<Instant, BigDecimal> weeklyRead =
        q
            .aggregate(
                all()
                    .where(Dimension.TENANT, "acme")
                    .where(Dimension.EFFECTIVE_MODEL, "gpt-4o")
                    .bucket(TimeBucket.WEEK)
                    .build())
            .stream()
            .collect(Collectors.toMap(UsageSummary::bucket, UsageSummary::cost));
    assertThat(weeklyRead).isEqualTo(weekly);
    assertThat(q.aggregate(all().bucket(TimeBucket.MONTH).build()))
        .extracting(UsageSummary::bucket)
        .containsExactly(
            Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-04-01T00:00:00Z"));
    assertThat(
            q.aggregate(all().bucket(TimeBucket.HOUR).build()).stream()
                .mapToLong(UsageSummary::requests)
                .sum())
        .isEqualTo(2000);

    // Top 2 tenants by cost.
    Map<String, BigDecimal> byTenant = new HashMap<>();
    records.forEach(r -> byTenant.merge(r.tenantId(), r.cost().total(), BigDecimal::add));
    List<String> top2 =
        byTenant.entrySet().stream()
            .sorted(Map.Entry.<String, BigDecimal>comparingByValue().reversed())
            .limit(2)
            .map(Map.Entry::getKey)
            .collect(Collectors.toList());
    assertThat(q.aggregate(all().groupBy(Dimension.TENANT).top(2, Metric.COST).build()))
        .extracting(s -> s.get(Dimension.TENANT))
        .containsExactlyElementsOf(top2);

    // Spend since a point in time, per tenant, for one feature (budget seeding).
    Instant since = Instant.parse("2026-03-20T00:00:00Z");
    Map<List<String>, BigDecimal> seed = new HashMap<>();
    for (UsageRecord r : records) {
      if (!r.startedAt().isBefore(since) && "chat".equals(r.context().feature())) {
        seed.merge(Arrays.asList(r.tenantId()), r.cost().total(), BigDecimal::add);
      }
    }
    assertThat(q.spendSince(since, List.of(Dimension.TENANT), Map.of(Dimension.FEATURE, "chat")))
        .isEqualTo(seed);
  }

  private static BigDecimal sum(
      List<UsageRecord> records,
      java.util.function.Function<UsageRecord, dev.attribution.api.CostBreakdown> f) {
    return records.stream()
        .map(r -> f.apply(r).total())
        .reduce(BigDecimal.ZERO.setScale(9), BigDecimal::add);
  }

  private static BigDecimal sumCharge(List<UsageRecord> records) {
    return records.stream()
        .map(UsageRecord::charge)
        .filter(java.util.Objects::nonNull)
        .reduce(BigDecimal.ZERO.setScale(9), BigDecimal::add);
  }

  /**
   * The daily rollups equal the same sums over the records, in a zone whose days are not UTC's,
   * through replayed batches, concurrent writers and unknown values, and again after a rebuild (the
   * path the version-5 migration takes for rows already in the table).
   */
  @Test
  void dailyRollupsEqualTheRecordsThroughReplaysConcurrentWritersAndARebuild() throws Exception {
    ZoneId zone = ZoneId.of("Asia/Kolkata");
    JdbcUsageSink sink = track(builder(dataSource()).rollupZone(zone).build());
    Random rnd = new Random(11);
    List<UsageRecord> records = new ArrayList<>();
    for (UsageRecord r : UsageRecords.many(1200, 5)) {
      UsageRecord.Builder b = r.toBuilder();
      if (rnd.nextInt(4) == 0) {
        b.charge(null);
      }
      if (rnd.nextInt(3) == 0) {
        b.budgetPercent(BigDecimal.valueOf(rnd.nextInt(20_000), 2));
      } else if (rnd.nextInt(3) == 0) {
        b.budgetPercent(null).budgetName(null).budgetAction(BudgetAction.NONE);
      }
      records.add(b.build());
    }
    Instant at = Instant.parse("2026-03-10T18:29:59.999999Z"); // 23:59:59.999999 in Kolkata
    for (int i = 0; i < 20; i++) {
      records.add(UsageRecords.unpriced(at.plusSeconds(i)));
      records.add(UsageRecords.unknowns(at.minusSeconds(i), null));
      records.add(UsageRecords.minimal(at.plusSeconds(3600L * i)));
    }
    java.util.Collections.shuffle(records, rnd);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        List<UsageRecord> part =
            records.subList(w * records.size() / 4, (w + 1) * records.size() / 4);
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < part.size(); i += 97) {
                    List<UsageRecord> batch = part.subList(i, Math.min(part.size(), i + 97));
                    sink.export(batch);
                    sink.export(batch.subList(0, batch.size() / 2)); // a replay: no second count
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    // The same record twice in one batch is one call.
    UsageRecord twice = UsageRecords.full(5000, rnd);
    sink.export(List.of(twice, twice));
    records.add(twice);
    sink.flush();
    assertThat(rowCount()).isEqualTo(records.size());
    assertThat(sink.stats().rollupFailures()).isZero();
    assertRollupsEqual(records, zone);

    try (Connection c = dataSource().getConnection()) {
      assertThat(Rollups.zone(c, table)).isEqualTo(zone);
      assertThat(Rollups.rebuild(c, expectedDialect(), table, zone)).isEqualTo(records.size());
    }
    assertRollupsEqual(records, zone);
  }

  private void assertRollupsEqual(List<UsageRecord> records, ZoneId zone) throws SQLException {
    Map<List<Object>, List<Object>> main = new HashMap<>();
    Map<List<Object>, List<Object>> threads = new HashMap<>();
    for (UsageRecord r : records) {
      long day = LocalDate.ofInstant(r.startedAt(), zone).toEpochDay();
      BigDecimal cost = r.cost() == null ? null : r.cost().total();
      BigDecimal charge = r.charge();
      List<Object> k =
          Arrays.asList(
              day,
              r.tenantId(),
              r.context().feature(),
              r.effectiveModel() != null ? r.effectiveModel() : r.requestedModel(),
              r.provider(),
              r.status().wireName(),
              r.budgetAction().wireName(),
              r.budgetName(),
              r.costSource().wireName(),
              r.cost() == null ? null : r.cost().currency(),
              r.priceVersion());
      List<Object> old =
          main.getOrDefault(k, Arrays.asList(0L, 0L, null, null, 0L, 0L, null, null));
      main.put(
          k,
          Arrays.asList(
              (Long) old.get(0) + 1,
              (Long) old.get(1) + r.usage().inputTokens(),
              plus((BigDecimal) old.get(2), cost),
              plus((BigDecimal) old.get(3), charge),
              (Long) old.get(4) + (cost == null ? 0 : 1),
              (Long) old.get(5) + (charge == null ? 0 : 1),
              charge == null ? old.get(6) : plus((BigDecimal) old.get(6), cost),
              max((BigDecimal) old.get(7), r.budgetPercent())));
      List<Object> tk = Arrays.asList(day, r.context().threadId());
      List<Object> t = threads.getOrDefault(tk, Arrays.asList(0L, null, 0L));
      threads.put(
          tk,
          Arrays.asList(
              (Long) t.get(0) + 1,
              plus((BigDecimal) t.get(1), cost),
              (Long) t.get(2) + r.usage().outputTokens()));
    }
    SqlDialect d = expectedDialect();
    Map<List<Object>, List<Object>> mainRead = new HashMap<>();
    Map<List<Object>, List<Object>> threadsRead = new HashMap<>();
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement()) {
      try (ResultSet rs =
          s.executeQuery(
              "SELECT epoch_day, tenant_id, feature, model, provider, status, budget_action,"
                  + " budget_name, cost_source, currency, price_version, calls, input_tokens,"
                  + " cost_total, charge_total, priced_calls, charged_calls, charged_cost,"
                  + " max_budget_percent FROM "
                  + table
                  + Rollups.DAILY)) {
        while (rs.next()) {
          List<Object> k = new ArrayList<>();
          k.add(rs.getLong(1));
          for (int i = 2; i <= 11; i++) {
            k.add(rs.getString(i));
          }
          mainRead.put(
              k,
              Arrays.asList(
                  rs.getLong(12),
                  rs.getLong(13),
                  UsageTable.readMoney(d, rs, 14),
                  UsageTable.readMoney(d, rs, 15),
                  rs.getLong(16),
                  rs.getLong(17),
                  UsageTable.readMoney(d, rs, 18),
                  UsageTable.readMoney(d, rs, 19)));
        }
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT epoch_day, thread_id, calls, cost_total, output_tokens FROM "
                  + table
                  + Rollups.DAILY_THREAD)) {
        while (rs.next()) {
          threadsRead.put(
              Arrays.asList(rs.getLong(1), rs.getString(2)),
              Arrays.asList(rs.getLong(3), UsageTable.readMoney(d, rs, 4), rs.getLong(5)));
        }
      }
    }
    assertThat(mainRead).isEqualTo(scaled(main));
    assertThat(threadsRead).isEqualTo(scaled(threads));
  }

  /** {@code m} with every amount at the stored scale, as the database returns it. */
  private static Map<List<Object>, List<Object>> scaled(Map<List<Object>, List<Object>> m) {
    Map<List<Object>, List<Object>> out = new HashMap<>();
    m.forEach(
        (k, v) ->
            out.put(
                k,
                v.stream()
                    .map(o -> o instanceof BigDecimal ? ((BigDecimal) o).setScale(9) : o)
                    .collect(Collectors.toList())));
    return out;
  }

  private static BigDecimal plus(BigDecimal a, BigDecimal b) {
    return a == null ? b : b == null ? a : a.add(b);
  }

  private static BigDecimal max(BigDecimal a, BigDecimal b) {
    return a == null ? b : b == null ? a : a.max(b);
  }

  static void awaitReplayed(JdbcUsageSink sink, long n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (sink.stats().replayed() < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(sink.stats().replayed()).isGreaterThanOrEqualTo(n);
  }

  // ---- Hostile review of the daily rollups: each test compares the rollups the sink kept with
  // the rollups rebuilt from the rows it stored (equal iff every rollup sum is the rows' sum). ----

  /** The three rollup tables' rows, as text, in key order. */
  private List<List<String>> rollupRows() throws SQLException {
    List<List<String>> out = new ArrayList<>();
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement()) {
      for (String suffix : List.of(Rollups.DAILY, Rollups.DAILY_THREAD, Rollups.DAILY_USER)) {
        try (ResultSet rs =
            s.executeQuery("SELECT * FROM " + table + suffix + " ORDER BY epoch_day, k")) {
          int n = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            List<String> row = new ArrayList<>();
            row.add(suffix);
            for (int i = 1; i <= n; i++) {
              Object o = rs.getObject(i);
              row.add(
                  o == null
                      ? null
                      : o instanceof BigDecimal
                          ? ((BigDecimal) o).stripTrailingZeros().toPlainString()
                          : o.toString().trim());
            }
            out.add(row);
          }
        }
      }
    }
    return out;
  }

  /** The rollups as the sink kept them equal the rollups rebuilt from the stored rows. */
  private void assertRollupsMatchTheRows() throws SQLException {
    List<List<String>> kept = rollupRows();
    try (Connection c = dataSource().getConnection()) {
      Rollups.rebuild(c, expectedDialect(), table, Rollups.zone(c, table));
    }
    List<List<String>> rebuilt = rollupRows();
    List<String> onlyKept = new ArrayList<>();
    for (List<String> r : kept) {
      if (!rebuilt.contains(r)) {
        onlyKept.add(String.join(",", r));
      }
    }
    List<String> onlyRebuilt = new ArrayList<>();
    for (List<String> r : rebuilt) {
      if (!kept.contains(r)) {
        onlyRebuilt.add(String.join(",", r));
      }
    }
    assertThat(onlyKept)
        .as("rollup rows the sink kept that the rows do not give (rows give: %s)", onlyRebuilt)
        .isEmpty();
    assertThat(onlyRebuilt).as("rollup rows the rows give that the sink did not keep").isEmpty();
  }

  /** Flushes until the table holds {@code n} rows (a failed batch is spooled and replayed). */
  private void awaitRows(JdbcUsageSink sink, long n) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (rowCount() < n && System.nanoTime() < deadline) {
      sink.flush();
      Thread.sleep(100);
    }
    assertThat(rowCount()).isEqualTo(n);
  }

  /**
   * The same records exported by two threads at once (an exporter retrying a batch, or a replay
   * beside a live write): each call is one row and must be counted once in the rollups.
   */
  @Test
  void aRecordWrittenByTwoWritersAtOnceIsCountedOnceInTheRollups() throws Exception {
    JdbcUsageSink sink = track(builder(dataSource()).build());
    List<UsageRecord> records = UsageRecords.many(400, 7);
    int per = 40;
    java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < records.size(); i += per) {
                    barrier.await();
                    sink.export(records.subList(i, Math.min(records.size(), i + per)));
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    awaitRows(sink, records.size());
    assertRollupsMatchTheRows();
  }

  /**
   * A rebuild (or any transaction) holding the zone row longer than the write timeout makes the
   * writer wait and time out: that is the transaction's failure, to be retried, not a rollup
   * failure that writes the calls without their rollups.
   */
  @Test
  void aZoneRowHeldPastTheWriteTimeoutDoesNotLeaveTheRollupsShort() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(expectedDialect() != SqlDialect.SQLITE);
    JdbcUsageSink sink = track(builder(dataSource()).writeTimeout(Duration.ofSeconds(1)).build());
    List<UsageRecord> records = UsageRecords.many(20, 3);
    sink.export(records.subList(0, 1));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Connection hold = dataSource().getConnection()) {
      hold.setAutoCommit(false);
      try (Statement s = hold.createStatement()) {
        s.executeUpdate("UPDATE " + table + Rollups.DAILY_ZONE + " SET zone = zone");
      }
      Future<?> f =
          pool.submit(
              () -> {
                sink.export(records.subList(1, records.size()));
                return null;
              });
      Thread.sleep(3000);
      hold.commit();
      f.get();
    } finally {
      pool.shutdown();
    }
    awaitRows(sink, records.size());
    assertThat(sink.stats().rollupFailures()).as("rollup failures").isZero();
    assertRollupsMatchTheRows();
  }

  /**
   * A sink that does not create the schema, started while the table was at version 4, keeps writing
   * after version 5 is applied (by a DBA or another instance's start): its calls must reach the
   * rollups, or the review reads every call for ever.
   */
  @Test
  void aSinkStartedBeforeVersion5AddsToTheRollupsOnceTheyExist() throws Exception {
    List<UsageRecord> records = UsageRecords.many(30, 5);
    JdbcUsageSink first = track(builder(dataSource()).build());
    first.export(records.subList(0, 1));
    first.flush();
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement()) {
      for (String suffix :
          List.of(Rollups.DAILY, Rollups.DAILY_THREAD, Rollups.DAILY_USER, Rollups.DAILY_ZONE)) {
        s.execute("DROP TABLE " + table + suffix);
      }
      s.execute("DELETE FROM " + table + "_schema_version WHERE version = 5");
    }
    JdbcUsageSink old = track(builder(dataSource()).createSchema(false).build());
    old.export(records.subList(1, 10)); // version 4: no rollups
    JdbcUsageSink upgrader = track(builder(dataSource()).build()); // applies version 5
    upgrader.export(records.subList(10, 20));
    old.export(records.subList(20, 30));
    old.flush();
    upgrader.flush();
    assertThat(rowCount()).isEqualTo(30);
    assertRollupsMatchTheRows();
  }

  /**
   * A record replayed with the same id but other values (a re-priced or corrected copy): the usage
   * row and the rollups must keep the same copy.
   */
  @Test
  void aRecordReplayedWithOtherValuesKeepsRowAndRollupsTogether() throws Exception {
    JdbcUsageSink sink = track(builder(dataSource()).build());
    UsageRecord r = UsageRecords.full(1, new Random(1));
    sink.export(List.of(r));
    sink.flush();
    UsageRecord other =
        r.toBuilder().charge(new BigDecimal("7.5")).budgetPercent(new BigDecimal("99")).build();
    sink.export(List.of(other));
    sink.export(List.of(r, other));
    sink.flush();
    assertThat(rowCount()).isEqualTo(1);
    assertRollupsMatchTheRows();
  }

  /** Rebuilds running while two threads write: no batch is half counted, none twice. */
  @Test
  void rebuildsWhileTheSinkWritesLeaveTheRollupsEqualToTheRows() throws Exception {
    ZoneId zone = ZoneId.of("America/New_York");
    JdbcUsageSink sink = track(builder(dataSource()).rollupZone(zone).build());
    List<UsageRecord> records = UsageRecords.many(600, 13);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        List<UsageRecord> part = records.subList(w * 300, (w + 1) * 300);
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < part.size(); i += 20) {
                    sink.export(part.subList(i, Math.min(part.size(), i + 20)));
                  }
                  return null;
                }));
      }
      for (int r = 0; r < 4; r++) {
        try (Connection c = dataSource().getConnection()) {
          Rollups.rebuild(c, expectedDialect(), table, r % 2 == 0 ? ZoneId.of("UTC") : zone);
        }
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    awaitRows(sink, records.size());
    assertThat(sink.stats().rollupFailures()).isZero();
    assertRollupsMatchTheRows();
  }

  /**
   * The version-5 fill of a table that has rows equals what the sink kept while writing them, in a
   * zone not UTC's; and a migration stopped after the fill but before version 5 was recorded
   * (MySQL/MariaDB and H2 commit the fill on its own) is redone exactly once.
   */
  @Test
  void theVersion5FillEqualsTheRollupsKeptWhileWritingAndIsRedoneExactlyOnce() throws Exception {
    ZoneId zone = ZoneId.of("Australia/Lord_Howe"); // a half-hour DST shift
    JdbcUsageSink first = track(builder(dataSource()).rollupZone(zone).build());
    List<UsageRecord> records = new ArrayList<>(UsageRecords.many(300, 17));
    Instant shift = Instant.parse("2026-04-04T14:59:59.999999Z"); // Lord Howe: 02:00 -> 01:30
    for (int i = 0; i < 30; i++) {
      records.add(UsageRecords.unpriced(shift.plusSeconds(60L * i - 900)));
    }
    for (int i = 0; i < records.size(); i += 50) {
      first.export(records.subList(i, Math.min(records.size(), i + 50)));
    }
    first.flush();
    List<List<String>> kept = rollupRows();
    // A crash after the fill committed, before version 5 was recorded.
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("DELETE FROM " + table + "_schema_version WHERE version = 5");
    }
    track(builder(dataSource()).rollupZone(ZoneId.of("UTC")).build()).flush();
    assertThat(rollupRows()).as("redone after a crash").isEqualTo(kept);
    // A version-4 table: no rollups at all.
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement()) {
      for (String suffix :
          List.of(Rollups.DAILY, Rollups.DAILY_THREAD, Rollups.DAILY_USER, Rollups.DAILY_ZONE)) {
        s.execute("DROP TABLE " + table + suffix);
      }
      s.execute("DELETE FROM " + table + "_schema_version WHERE version = 5");
    }
    track(builder(dataSource()).rollupZone(zone).build()).flush();
    assertThat(rollupRows()).as("filled from a version-4 table").isEqualTo(kept);
  }

  /**
   * Rollup keys from hostile text: NUL and lone surrogates (stored as U+FFFD), text cut at its
   * column without splitting an emoji, trailing spaces and case variants: the rollup row of each
   * call is the row its stored values give.
   */
  @Test
  void hostileKeyTextRollsUpAsItIsStored() throws Exception {
    JdbcUsageSink sink = track(builder(dataSource()).build());
    String emoji = "\uD83D\uDE00";
    List<String> texts =
        List.of(
            "x".repeat(254) + emoji + "tail",
            "x".repeat(127) + emoji,
            "nul\u0000 lone\uD800 low\uDC00",
            "nul\uFFFD lone\uFFFD low\uFFFD",
            "gpt-4o ",
            "gpt-4o",
            "GPT-4O",
            UsageRecords.tenKilobytes(emoji),
            "\u202Eevil '; --");
    List<UsageRecord> records = new ArrayList<>();
    Random rnd = new Random(3);
    for (int i = 0; i < 90; i++) {
      String t = texts.get(i % texts.size());
      UsageRecord.Builder b = UsageRecords.full(i, rnd).toBuilder();
      switch (i / texts.size() % 5) {
        case 0:
          b.effectiveModel(t);
          break;
        case 1:
          b.priceVersion(t);
          break;
        case 2:
          b.budgetName(t);
          break;
        case 3:
          b.provider(t);
          break;
        default:
          b.effectiveModel(null).requestedModel(t);
      }
      records.add(b.build());
    }
    for (int i = 0; i < records.size(); i += 7) {
      sink.export(records.subList(i, Math.min(records.size(), i + 7)));
    }
    sink.flush();
    assertThat(rowCount()).isEqualTo(records.size());
    assertThat(sink.stats().rollupFailures()).isZero();
    assertRollupsMatchTheRows();
  }

  /**
   * A table with one call centuries away from the rest (a clock bug, milliseconds read as seconds):
   * building its rollups (the version-5 fill at start-up, or --rebuild-rollups) must take the time
   * of its rows, not one query per empty day in between.
   */
  @Test
  void aRebuildSkipsTheEmptyDaysBetweenFarApartCalls() throws Exception {
    JdbcUsageSink sink = track(builder(dataSource()).build());
    sink.export(
        List.of(
            UsageRecords.minimal(UsageRecords.T0),
            UsageRecords.minimal(Instant.parse("2500-01-01T00:00:00Z"))));
    sink.flush();
    assertThat(rowCount()).isEqualTo(2);
    long t0 = System.nanoTime();
    try (Connection c = dataSource().getConnection()) {
      assertThat(Rollups.rebuild(c, expectedDialect(), table, ZoneId.of("UTC"))).isEqualTo(2);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
  }

  /**
   * A zone row Java cannot read (written by hand): a rollup failure, so the calls are written and
   * counted without their rollups; the export never throws.
   */
  @Test
  void anUnreadableZoneRowCostsTheRollupsNotTheCalls() throws Exception {
    JdbcUsageSink sink = track(builder(dataSource()).build());
    List<UsageRecord> records = UsageRecords.many(10, 21);
    sink.export(records.subList(0, 5));
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE " + table + Rollups.DAILY_ZONE + " SET zone = 'Mars/Olympus'");
    }
    sink.export(records.subList(5, 10));
    sink.flush();
    assertThat(rowCount()).isEqualTo(10);
    assertThat(sink.stats().rollupFailures()).isEqualTo(1);
  }
}
