package dev.attribution.report;

/** The playbook checks the weekly review runs. */
public enum FindingKind {
  /** A day, or a tenant, far above its usual spend. */
  COST_SPIKE("Cost spike"),
  /** A thread with many calls or much spend in a short window. */
  LOOPING_THREAD("Looping thread"),
  /** A feature whose prompts produce far more output than input. */
  HIGH_OUTPUT_RATIO("High output-to-input ratio"),
  /** Large, repeated input with a low cached share: context that should be cached. */
  UNCACHED_CONTEXT("Repeated context not cached"),
  /** An expensive model producing very short, classification-like outputs. */
  EXPENSIVE_MODEL_SHORT_OUTPUT("Expensive model for short outputs"),
  /** A tenant whose cost exceeds what its plan pays. */
  TENANT_OVER_PLAN("Tenant costs more than its plan pays"),
  /** Calls to models without a price: their cost is unknown, not zero. */
  UNPRICED_MODEL("Unpriced model");

  private final String title;

  FindingKind(String title) {
    this.title = title;
  }

  /** A short human title. */
  public String title() {
    return title;
  }
}
