package dev.attribution.core.internal.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attribution.api.BudgetAction;
import dev.attribution.api.BudgetEvent;
import dev.attribution.api.budget.BudgetStore;
import dev.attribution.api.budget.ReserveResult;
import dev.attribution.api.budget.SlotCharge;
import dev.attribution.api.budget.SlotKey;
import dev.attribution.api.budget.SlotState;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.pricing.UnpricedPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What budgets do when a part fails (the seed source, a listener, the store) or a call's cost has
 * no upper bound (an unpriced model, an unreadable request body).
 */
class BudgetFailureModesTest extends BudgetEngineFixture {

  @Test
  void failingSeedSourceStartsFromZero() {
    BudgetEngine e =
        engine(perTenant("10").build())
            .seedFrom(
                request -> {
                  throw new IllegalStateException("db down");
                })
            .build();
    assertThat(e.status("per-tenant", "tenant=acme").spent()).isEqualByComparingTo("0");
  }

  @Test
  void unpricedPolicies() {
    AdmissionRequest unpriced = AdmissionRequest.of(ACME, "openai", "new-model", null, null, 100);
    BudgetEngine allow = engine(perTenant("10").build()).build();
    Admission a = allow.admit(unpriced);
    assertThat(a.decision().action()).isEqualTo(BudgetAction.NONE);
    allow.admit(unpriced);
    assertThat(count(BudgetEvent.Type.UNPRICED_MODEL)).isEqualTo(1);
    // Unpriced under a hard cap: the unreadable-request reserve is held, and an unknown cost
    // charges it.
    assertThat(allow.status("per-tenant", "tenant=acme").reserved()).isEqualByComparingTo("2.00");
    a.settle(null, 100);
    assertThat(allow.status("per-tenant", "tenant=acme").spent()).isEqualByComparingTo("1.00");

    BudgetEngine fallback =
        engine(perTenant("10").build())
            .unpricedPolicy(UnpricedPolicy.FALLBACK_RATE, usd("3"))
            .build();
    Admission f = fallback.admit(unpriced);
    assertThat(fallback.status("per-tenant", "tenant=acme").reserved()).isEqualByComparingTo("3");
    f.settle(null, 100);
    assertThat(fallback.status("per-tenant", "tenant=acme").spent()).isEqualByComparingTo("3");

    BudgetEngine block =
        engine(perTenant("10").build()).unpricedPolicy(UnpricedPolicy.BLOCK).build();
    Admission b = block.admit(unpriced);
    assertThat(b.decision().blocked()).isTrue();
    assertThat(b.decision().reason()).contains("new-model", "no price");

    BudgetEngine observe =
        engine(perTenant("10").build()).unpricedPolicy(UnpricedPolicy.BLOCK).dryRun(true).build();
    Admission o = observe.admit(unpriced);
    assertThat(o.decision().action()).isEqualTo(BudgetAction.NONE);
    assertThat(o.decision().intendedAction()).isEqualTo(BudgetAction.BLOCK);
    assertThat(o.decision().dryRun()).isTrue();
  }

  @Test
  void failingListenerNeverAffectsTheCall() {
    BudgetEngine e =
        BudgetEngine.builder()
            .clock(clock)
            .budget(perTenant("10").build())
            .listener(
                ev -> {
                  throw new IllegalStateException("listener bug");
                })
            .build();
    e.admit(call(ACME, "9")).settle(usd("9"), 1);
    assertThat(e.admit(call(ACME, "5")).decision().blocked()).isTrue();
    assertThat(e.listenerFailures()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void failingStoreFailsOpenByDefaultAndClosedOnRequest() {
    BudgetStore broken = brokenStore(false);
    BudgetEngine open = engine(perTenant("10").build()).store(broken).build();
    Admission a = open.admit(call(ACME, "1"));
    assertThat(a.decision().action()).isEqualTo(BudgetAction.NONE);
    assertThat(a.decision().reason()).contains("budget store unavailable");
    assertThat(a.settle(usd("1"), 1)).isTrue();
    BudgetEngine closed = engine(perTenant("10").build()).store(broken).failClosed(true).build();
    assertThat(closed.admit(call(ACME, "1")).decision().blocked()).isTrue();
    assertThat(closed.storeFailures()).isEqualTo(1);
  }

  private static BudgetStore brokenStore(boolean failsClosed) {
    return new BudgetStore() {
      @Override
      public ReserveResult reserve(String id, List<SlotCharge> c, long now, long exp) {
        throw new IllegalStateException("store down");
      }

      @Override
      public boolean settle(String id, long n, long t, long r, long now) {
        throw new IllegalStateException("store down");
      }

      @Override
      public int expireReservations(long now) {
        return 0;
      }

      @Override
      public SlotState state(SlotKey key, long b, long now) {
        return SlotState.EMPTY;
      }

      @Override
      public void addSpent(SlotKey k, long n, long t, long r, long b, long e, long now) {}

      @Override
      public void topUp(SlotKey key, long nanos, long e, long now) {}

      @Override
      public boolean failsClosed() {
        return failsClosed;
      }
    };
  }

  @Test
  void storeThatFailsClosedBlocksHardCappedCallsWithoutASecondSwitch() {
    BudgetEngine e = engine(perTenant("10").build()).store(brokenStore(true)).build();
    Admission a = e.admit(call(ACME, "1"));
    assertThat(a.decision().blocked()).isTrue();
    assertThat(a.decision().reason()).contains("budget store unavailable");
    // Soft budgets only observe: an outage does not block them.
    BudgetEngine soft = engine(perTenant("10").soft(true).build()).store(brokenStore(true)).build();
    assertThat(soft.admit(call(ACME, "1")).decision().blocked()).isFalse();
    assertThatThrownBy(
            () ->
                engine(perTenant("10").build()).store(brokenStore(true)).failClosed(false).build())
        .hasMessageContaining("failClosed")
        .hasMessageContaining("fails closed");
  }

  @Test
  void unreadableRequestReservesTheConservativeAmountUnderHardCapsOnly() {
    BudgetDefinition soft = BudgetDefinition.builder("watch").limit("100").soft(true).build();
    BudgetEngine e = engine(perTenant("10").build(), soft).build();
    AdmissionRequest unreadable =
        AdmissionRequest.of(ACME, "openai", "gpt-4o", null, usd("0.001"), 10).asUnreadable();
    Admission a = e.admit(unreadable);
    assertThat(a.decision().blocked()).isFalse();
    assertThat(e.status("per-tenant", "tenant=acme").reserved()).isEqualByComparingTo("1.00");
    assertThat(e.status("watch", "global").reserved()).isEqualByComparingTo("0");
    a.settle(usd("0.40"), 10);
    assertThat(e.status("per-tenant", "tenant=acme").spent()).isEqualByComparingTo("0.40");

    // Near the cap, an unreadable call no longer fits although its body claims to be tiny.
    e.admit(call(ACME, "9.2")).settle(usd("9.2"), 1);
    assertThat(e.admit(unreadable).decision().blocked()).isTrue();
    assertThat(e.admit(call(ACME, "0.1")).decision().blocked()).isFalse();
  }

  @Test
  void unreadableRequestReserveIsConfigurableAndCanBlockOutright() {
    BudgetEngine custom =
        engine(perTenant("10").build()).unreadableRequestReserve(usd("4")).build();
    AdmissionRequest unreadable =
        AdmissionRequest.of(ACME, "openai", "gpt-4o", null, null, 10).asUnreadable();
    custom.admit(unreadable);
    assertThat(custom.status("per-tenant", "tenant=acme").reserved()).isEqualByComparingTo("4");

    BudgetEngine strict = engine(perTenant("10").build()).blockUnreadableRequests(true).build();
    Admission b = strict.admit(unreadable);
    assertThat(b.decision().blocked()).isTrue();
    assertThat(b.decision().reason()).contains("could not be read", "per-tenant");
    // Without a hard budget there is nothing to protect.
    BudgetEngine none =
        engine(BudgetDefinition.builder("watch").limit("1").soft(true).build())
            .blockUnreadableRequests(true)
            .build();
    assertThat(none.admit(unreadable).decision().blocked()).isFalse();
    assertThatThrownBy(() -> engine().unreadableRequestReserve(usd("-1")))
        .hasMessageContaining("unreadableRequestReserve");
  }
}
