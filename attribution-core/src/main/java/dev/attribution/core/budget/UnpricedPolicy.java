package dev.attribution.core.budget;

/**
 * What admission does with a call whose model has no price, i.e. whose cost estimate is {@code
 * null}.
 */
public enum UnpricedPolicy {
  /**
   * The default: the call goes ahead and reserves no money (token and request limits still apply);
   * an {@link dev.attribution.api.BudgetEvent.Type#UNPRICED_MODEL} event fires once per model.
   */
  ALLOW,

  /**
   * The call reserves the engine's configured fallback estimate ({@link
   * BudgetEngine.Builder#unpricedPolicy(UnpricedPolicy, java.math.BigDecimal)}) as if it were the
   * model's worst case.
   */
  FALLBACK_RATE,

  /** The call is blocked before it is sent. */
  BLOCK
}
