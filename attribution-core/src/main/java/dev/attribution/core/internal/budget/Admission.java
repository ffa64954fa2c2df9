package dev.attribution.core.internal.budget;

import java.math.BigDecimal;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * One admitted (or refused) call: its {@link Decision} and its reservation, which must be ended by
 * exactly one of {@link #settle} or {@link #release}. Both are idempotent: the first call takes
 * effect, later ones (of either kind) do nothing. A reservation not ended within the engine's
 * reservation timeout is charged in full; ending it later replaces that charge by the real one.
 * Thread-safe; never throws from {@link #settle} or {@link #release}.
 *
 * <p>After a {@link dev.attribution.api.BudgetAction#DOWNGRADE DOWNGRADE}, call {@link
 * #readmit(String, BigDecimal, long)} with the downgraded model's estimate: it releases this
 * reservation and admits the call afresh (budgets scoped on the model then see the new model, and
 * the smaller estimate is what stays reserved). A blocked admission holds nothing; settling it does
 * nothing.
 */
public final class Admission {

  private final BudgetEngine engine;
  private final AdmissionRequest request;
  private final Decision decision;
  private final @Nullable String reservationId;
  private final long reservedNanos;
  private final long reservedTokens;
  private final AtomicBoolean ended = new AtomicBoolean();

  Admission(
      BudgetEngine engine,
      AdmissionRequest request,
      Decision decision,
      @Nullable String reservationId,
      long reservedNanos) {
    this(engine, request, decision, reservationId, reservedNanos, request.estimatedTokens());
  }

  Admission(
      BudgetEngine engine,
      AdmissionRequest request,
      Decision decision,
      @Nullable String reservationId,
      long reservedNanos,
      long reservedTokens) {
    this.engine = engine;
    this.request = request;
    this.decision = decision;
    this.reservationId = reservationId;
    this.reservedNanos = reservedNanos;
    this.reservedTokens = reservedTokens;
  }

  @Nullable String reservationId() {
    return reservationId;
  }

  long reservedNanos() {
    return reservedNanos;
  }

  /** What to do with the call. */
  public Decision decision() {
    return decision;
  }

  /** The request this admission answered. */
  public AdmissionRequest request() {
    return request;
  }

  /** Whether a reservation is held (the call was admitted and matched at least one budget). */
  public boolean hasReservation() {
    return reservationId != null;
  }

  /** Whether neither {@link #settle} nor {@link #release} has been called yet. */
  public boolean isOpen() {
    return !ended.get();
  }

  /**
   * Replaces the reservation by the call's real cost.
   *
   * @param actualCost what the call cost, in the budgets' currency; {@code null} when unknown
   *     (unpriced model), which charges the reserved estimate
   * @param actualTokens tokens the call used (input plus output); negative when unknown (its usage
   *     could not be read), which charges the most tokens any of its budgets reserved
   * @return {@code true} if this call took effect, {@code false} if the admission was already ended
   */
  public boolean settle(@Nullable BigDecimal actualCost, long actualTokens) {
    if (!ended.compareAndSet(false, true)) {
      return false;
    }
    long nanos = actualCost == null ? reservedNanos : Money.toNanos(actualCost);
    long tokens = actualTokens < 0 ? Math.max(0, reservedTokens) : actualTokens;
    engine.finish(this, reservationId, nanos, tokens, 1);
    return true;
  }

  /**
   * Ends the reservation of a call that failed or was cancelled.
   *
   * @param billed what the provider bills for it, if known (charged as spend); {@code null} or zero
   *     charges nothing
   * @return {@code true} if this call took effect, {@code false} if the admission was already ended
   */
  public boolean release(@Nullable BigDecimal billed) {
    if (!ended.compareAndSet(false, true)) {
      return false;
    }
    long nanos = billed == null ? 0 : Money.toNanos(billed);
    engine.finish(this, reservationId, nanos, 0, nanos > 0 ? 1 : 0);
    return true;
  }

  /**
   * Releases this admission (charging nothing) and admits the same call with another model and
   * estimate, e.g. the downgraded model from {@link Decision#targetModel()}. The loop guard does
   * not count the re-admission as another call.
   *
   * @param model the model now to be used
   * @param estimatedCost its worst-case cost, or {@code null} when unpriced
   * @param estimatedTokens its worst-case tokens
   * @return the new admission, whose decision may differ (it may even block)
   */
  public Admission readmit(String model, @Nullable BigDecimal estimatedCost, long estimatedTokens) {
    return readmit(request.provider(), model, estimatedCost, estimatedTokens);
  }

  /** As {@link #readmit(String, BigDecimal, long)}, also changing the provider. */
  public Admission readmit(
      String provider, String model, @Nullable BigDecimal estimatedCost, long estimatedTokens) {
    AdmissionRequest next = request.with(provider, model, estimatedCost, estimatedTokens);
    release(null);
    return engine.admit(next);
  }

  @Override
  public String toString() {
    return "Admission{" + decision + (isOpen() ? " open" : " ended") + '}';
  }
}
