package dev.attribution.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.attribution.api.BudgetAction;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link UsageSink} must show. A sink's test extends this class and implements
 * {@link #createSink()} and {@link #readBack()}; each test gets a fresh sink whose stored records
 * {@link #readBack()} returns.
 *
 * <p>The contract: a batch exported is read back in full with every field (context, provider,
 * models, every token category, exact cost including a {@code null} cost for an unpriced model,
 * status, attributes; a {@code null} provider, HTTP status, dry-run action or deployment comes back
 * {@code null}, never as a stand-in such as 0 or {@code "unknown"}); an empty batch is a no-op; a
 * sink that promises idempotence on the record id ({@link #idempotentOnRecordId()}) stores a
 * replayed record once; {@code flush()} and {@code shutdown()} drain; a second {@code shutdown()}
 * is safe; a record with hostile text survives (exactly, or cut to a documented length) or is
 * rejected with a clear message and never corrupts or loses its neighbours; amounts keep all nine
 * decimals from one billionth to nearly a billion.
 *
 * <p>A sink that keeps less than the record (e.g. durations in milliseconds) says so in {@link
 * #expectedReadBack(UsageRecord)}; the override is the written list of what the sink loses.
 */
public abstract class UsageSinkContractTest {

  private @Nullable UsageSink sink;

  private boolean shutDown;

  /** Creates the contract's state; subclasses set up their backend in {@link #createSink()}. */
  protected UsageSinkContractTest() {}

  /** A new sink whose storage starts empty (or is namespaced so this test sees only its own). */
  protected abstract UsageSink createSink() throws Exception;

  /**
   * Every record the sink made readable since {@link #createSink()}, in any order. Called after
   * {@code flush()} or {@code shutdown()}; a sink that exports asynchronously waits here until what
   * it accepted is visible.
   */
  protected abstract List<UsageRecord> readBack() throws Exception;

  /** Whether exporting a record whose id was exported before leaves one copy (default false). */
  protected boolean idempotentOnRecordId() {
    return false;
  }

  /**
   * What {@link #readBack()} returns for {@code written}: by default the record itself. A sink that
   * keeps less overrides this to apply exactly its documented losses, nothing more.
   */
  protected UsageRecord expectedReadBack(UsageRecord written) {
    return written;
  }

  /**
   * The sink under test, made by {@link #createSink()} on first use in a test (after the subclass's
   * own {@code @BeforeEach} methods, so they can prepare the backend).
   */
  protected UsageSink sink() throws Exception {
    UsageSink s = sink;
    if (s == null) {
      s = createSink();
      sink = s;
    }
    return s;
  }

  /** Shuts the sink down unless the test did. */
  @AfterEach
  protected void shutDownSinkUnderTest() throws Exception {
    UsageSink s = sink;
    sink = null;
    if (s != null && !shutDown) {
      s.shutdown();
    }
    shutDown = false;
  }

  /** Shuts the sink down and remembers that it did. */
  protected void shutdownSink() throws Exception {
    shutDown = true;
    sink().shutdown();
  }

  @Test
  void aBatchIsReadBackInFullWithEveryField() throws Exception {
    List<UsageRecord> written = new ArrayList<>(UsageRecords.many(20, 11));
    written.add(UsageRecords.unpriced(UsageRecords.T0.plusSeconds(1)));
    written.add(UsageRecords.minimal(UsageRecords.T0.plusSeconds(2)));
    sink().export(List.copyOf(written));
    sink().flush();

    assertReadBackExactly(written);
    UsageRecord unpriced =
        byId(readBack()).get(written.get(written.size() - 2).id()); // unknown cost stays unknown
    assertThat(unpriced).isNotNull();
    assertThat(unpriced.cost()).as("an unknown cost is null, never zero").isNull();
  }

  @Test
  void unknownValuesComeBackNullAndTypedValuesComeBackTyped() throws Exception {
    List<UsageRecord> written = new ArrayList<>();
    written.add(UsageRecords.unknowns(UsageRecords.T0, null));
    int s = 1;
    for (BudgetAction a : BudgetAction.values()) {
      if (a != BudgetAction.NONE) {
        written.add(UsageRecords.unknowns(UsageRecords.T0.plusSeconds(s++), a));
      }
    }
    sink().export(List.copyOf(written));
    sink().flush();

    assertReadBackExactly(written);
    Map<UUID, UsageRecord> read = byId(readBack());
    UsageRecord none = read.get(written.get(0).id());
    assertThat(none).isNotNull();
    assertThat(none.provider()).as("unrecognised: no provider, never \"unknown\"").isNull();
    assertThat(none.httpStatus()).as("no response: null, never 0").isNull();
    assertThat(none.cost()).as("unpriced: null, never zero").isNull();
    assertThat(none.dryRunAction()).isNull();
    assertThat(none.deployment()).isNull();
    UsageRecord blocked = read.get(written.get(written.size() - 1).id());
    assertThat(blocked.dryRunAction()).isEqualTo(BudgetAction.BLOCK);
    assertThat(blocked.deployment()).isEqualTo("prod-block");
  }

  @Test
  void anEmptyBatchIsANoOp() throws Exception {
    assertThatCode(() -> sink().export(List.of())).doesNotThrowAnyException();
    sink().flush();
    assertThat(readBack()).isEmpty();

    UsageRecord after = UsageRecords.full(1, new Random(5));
    sink().export(List.of(after));
    sink().flush();
    assertReadBackExactly(List.of(after));
  }

  @Test
  void aReplayedRecordIsStoredOnceWhereTheSinkPromisesIt() throws Exception {
    assumeThat(idempotentOnRecordId()).as("sink promises idempotence on the record id").isTrue();
    List<UsageRecord> first = UsageRecords.many(3, 21);
    sink().export(first);
    List<UsageRecord> replay = new ArrayList<>(first);
    UsageRecord extra = UsageRecords.full(99, new Random(22));
    replay.add(extra);
    sink().export(replay);
    sink().export(List.of(first.get(0)));
    sink().flush();

    List<UsageRecord> all = new ArrayList<>(first);
    all.add(extra);
    assertReadBackExactly(all);
  }

  @Test
  void flushDrainsWhatWasExported() throws Exception {
    List<UsageRecord> written = UsageRecords.many(200, 31);
    for (int i = 0; i < written.size(); i += 50) {
      sink().export(written.subList(i, i + 50));
    }
    sink().flush();
    assertReadBackExactly(written);
  }

  @Test
  void shutdownDrainsWhatWasExported() throws Exception {
    List<UsageRecord> written = UsageRecords.many(120, 41);
    for (int i = 0; i < written.size(); i += 40) {
      sink().export(written.subList(i, i + 40));
    }
    shutdownSink(); // no flush first: shutdown alone must not lose what export accepted
    assertReadBackExactly(written);
  }

  @Test
  void shuttingDownTwiceIsSafe() throws Exception {
    sink().export(List.of(UsageRecords.full(1, new Random(51))));
    shutdownSink();
    assertThatCode(sink()::shutdown).doesNotThrowAnyException();
    assertThatCode(sink()::flush).doesNotThrowAnyException();
  }

  @Test
  void amountsKeepAllNineDecimalsFromOneBillionthToNearlyABillion() throws Exception {
    UsageRecord extremes = UsageRecords.moneyExtremes(UsageRecords.T0);
    sink().export(List.of(extremes));
    sink().flush();

    UsageRecord read = byId(readBack()).get(extremes.id());
    assertThat(read).as("record read back").isNotNull();
    assertThat(read.cost()).isNotNull();
    assertThat(read.cost().input()).isEqualByComparingTo(UsageRecords.SMALLEST);
    assertThat(read.cost().output()).isEqualByComparingTo(UsageRecords.LARGEST);
    assertThat(read.cost().total()).isEqualByComparingTo(extremes.cost().total());
    assertThat(read.computedCost()).isEqualByComparingTo(UsageRecords.SMALLEST);
    assertThat(read.providerReportedCost()).isEqualByComparingTo(UsageRecords.LARGEST);
    assertThat(read.charge()).isEqualByComparingTo(UsageRecords.LARGEST);
    assertThat(read).isEqualTo(expectedReadBack(extremes));
  }

  @Test
  void hostileTextSurvivesOrIsRejectedClearlyAndNeverHarmsItsNeighbours() throws Exception {
    Instant t = UsageRecords.T0.truncatedTo(ChronoUnit.MICROS);
    UsageRecord before = UsageRecords.full(1, new Random(61));
    UsageRecord hostile = UsageRecords.hostile(t.plusSeconds(1));
    UsageRecord after = UsageRecords.full(2, new Random(62));

    Exception rejected = null;
    try {
      sink().export(List.of(before, hostile, after));
    } catch (Exception e) {
      rejected = e;
    }
    if (rejected != null) {
      // Rejected: the reason is stated, and the neighbours go through on their own.
      assertThat(rejected.getMessage()).as("rejection message").isNotBlank();
      sink().export(List.of(before, after));
    }
    sink().flush();

    Map<UUID, UsageRecord> read = byId(readBack());
    assertThat(read.get(before.id())).as("neighbour before").isEqualTo(expectedReadBack(before));
    assertThat(read.get(after.id())).as("neighbour after").isEqualTo(expectedReadBack(after));
    UsageRecord stored = read.get(hostile.id());
    if (rejected == null) {
      assertThat(stored).as("hostile record, exported without complaint, is stored").isNotNull();
      assertSurvived(expectedReadBack(hostile), stored);
    }
    assertThat(read.keySet())
        .as("nothing but the exported records")
        .containsOnly(before.id(), hostile.id(), after.id());
  }

  /**
   * Asserts the hostile record came back: each text field equal to what was written, or a prefix of
   * it (a sink may cut to its column length), never anything that was not written.
   */
  private static void assertSurvived(UsageRecord written, UsageRecord read) {
    List<Function<UsageRecord, @Nullable String>> fields =
        List.of(
            UsageRecord::requestedModel,
            UsageRecord::responseModel,
            UsageRecord::route,
            UsageRecord::routeRule,
            UsageRecord::priceVersion,
            UsageRecord::errorType,
            UsageRecord::errorMessage,
            UsageRecord::providerRequestId,
            UsageRecord::budgetName,
            UsageRecord::deployment);
    for (int i = 0; i < fields.size(); i++) {
      String w = fields.get(i).apply(written);
      String r = fields.get(i).apply(read);
      assertThat(w).as("fixture field %d", i).isNotNull();
      assertThat(r).as("text field %d read back", i).isNotNull();
      assertThat(w.startsWith(r))
          .as("text field %d: %s must be %s or a prefix of it", i, describe(r), describe(w))
          .isTrue();
      assertThat(r).as("text field %d keeps something", i).isNotEmpty();
    }
    assertThat(read.context()).isEqualTo(written.context());
    assertThat(read.attributes().keySet()).isEqualTo(written.attributes().keySet());
    written
        .attributes()
        .forEach(
            (k, v) ->
                assertThat(v.startsWith(String.valueOf(read.attributes().get(k))))
                    .as(
                        "attribute %s: %s must be %s or a prefix of it",
                        describe(k), describe(read.attributes().get(k)), describe(v))
                    .isTrue());
    assertThat(read.cost()).isEqualTo(written.cost());
    assertThat(read.usage()).isEqualTo(written.usage());
    assertThat(read.status()).isEqualTo(written.status());
  }

  private static String describe(@Nullable String s) {
    if (s == null) {
      return "null";
    }
    String shown = s.length() > 60 ? s.substring(0, 60) + "... (" + s.length() + " chars)" : s;
    return '"' + shown.replace("\u0000", "\\u0000") + '"';
  }

  /**
   * Asserts {@link #readBack()} holds exactly {@code written} (as the sink keeps them), no more.
   */
  protected void assertReadBackExactly(List<UsageRecord> written) throws Exception {
    List<UsageRecord> read = new ArrayList<>(readBack());
    List<UsageRecord> expected = new ArrayList<>();
    for (UsageRecord r : written) {
      expected.add(expectedReadBack(r));
    }
    Comparator<UsageRecord> byId = Comparator.comparing(UsageRecord::id);
    read.sort(byId);
    expected.sort(byId);
    assertThat(read).extracting(UsageRecord::id).containsExactlyElementsOf(ids(expected));
    for (int i = 0; i < read.size(); i++) {
      assertThat(read.get(i)).as("record %s", read.get(i).id()).isEqualTo(expected.get(i));
    }
  }

  private static List<UUID> ids(List<UsageRecord> records) {
    return records.stream().map(UsageRecord::id).toList();
  }

  private static Map<UUID, UsageRecord> byId(List<UsageRecord> records) {
    Map<UUID, UsageRecord> m = new LinkedHashMap<>();
    for (UsageRecord r : records) {
      assertThat(m.put(r.id(), r)).as("record %s read back twice", r.id()).isNull();
    }
    return m;
  }
}
