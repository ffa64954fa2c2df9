package dev.attribution.core.internal.budget;

import dev.attribution.api.AttributionContext;
import dev.attribution.core.pricing.UnpricedPolicy;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What admission needs to know about a call before it is sent. Immutable.
 *
 * <p>{@link #estimatedCost()} must be an upper bound of what the call can cost (input priced in
 * full, output at the request's max tokens) for the hard-cap guarantee of {@link BudgetEngine} to
 * hold; {@code null} means the model has no price (see {@link UnpricedPolicy}).
 */
public final class AdmissionRequest {

  private final AttributionContext context;
  private final String provider;
  private final String model;
  private final @Nullable String keyFingerprint;
  private final @Nullable BigDecimal estimatedCost;
  private final long estimatedTokens;
  final boolean readmission;
  final boolean unreadable;
  final @Nullable Function<String, @Nullable BigDecimal> estimator;
  final @Nullable Refinement refinement;

  /**
   * The same call with its input tokens counted exactly, asked for only when this request's
   * estimate (an upper bound) and {@code floorCost}/{@code floorTokens} (the estimate with no input
   * at all) would be decided differently.
   */
  record Refinement(
      @Nullable BigDecimal floorCost, long floorTokens, Supplier<AdmissionRequest> exact) {}

  AdmissionRequest(
      AttributionContext context,
      String provider,
      String model,
      @Nullable String keyFingerprint,
      @Nullable BigDecimal estimatedCost,
      long estimatedTokens,
      boolean readmission,
      boolean unreadable,
      @Nullable Function<String, @Nullable BigDecimal> estimator,
      @Nullable Refinement refinement) {
    this.context = Objects.requireNonNull(context, "context");
    this.provider = check("provider", provider);
    this.model = check("model", model);
    this.keyFingerprint = keyFingerprint;
    if (estimatedCost != null && estimatedCost.signum() < 0) {
      throw new IllegalArgumentException(
          "estimatedCost must not be negative, was " + estimatedCost.toPlainString());
    }
    if (estimatedTokens < 0) {
      throw new IllegalArgumentException(
          "estimatedTokens must not be negative, was " + estimatedTokens);
    }
    this.estimatedCost = estimatedCost;
    this.estimatedTokens = estimatedTokens;
    this.readmission = readmission;
    this.unreadable = unreadable;
    this.estimator = estimator;
    this.refinement = refinement;
  }

  private static String check(String field, @Nullable String v) {
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank");
    }
    return v;
  }

  /**
   * A request.
   *
   * @param context who the call is for
   * @param provider the provider, e.g. {@code openai}
   * @param model the requested model
   * @param keyFingerprint fingerprint of the API key, or {@code null} when unknown
   * @param estimatedCost worst-case cost in the budgets' currency, or {@code null} when unpriced
   * @param estimatedTokens worst-case tokens (input plus max output), {@code >= 0}
   * @throws IllegalArgumentException naming the bad field
   */
  public static AdmissionRequest of(
      AttributionContext context,
      String provider,
      String model,
      @Nullable String keyFingerprint,
      @Nullable BigDecimal estimatedCost,
      long estimatedTokens) {
    return new AdmissionRequest(
        context,
        provider,
        model,
        keyFingerprint,
        estimatedCost,
        estimatedTokens,
        false,
        false,
        null,
        null);
  }

  /**
   * This request for a call whose body could not be read (too large, one-shot, not the provider's
   * format), so no estimate is possible: under hard budgets the engine reserves its {@linkplain
   * BudgetEngine.Builder#unreadableRequestReserve unreadable-request reserve} or blocks it.
   */
  public AdmissionRequest asUnreadable() {
    return new AdmissionRequest(
        context,
        provider,
        model,
        keyFingerprint,
        null,
        estimatedTokens,
        readmission,
        true,
        null,
        null);
  }

  /**
   * This request with a way to estimate the same call on another model of the same provider
   * (returning {@code null} when unpriced): used to admit a call on its downgrade target when the
   * requested model's worst case no longer fits a hard cap.
   */
  public AdmissionRequest withEstimator(Function<String, @Nullable BigDecimal> estimator) {
    return new AdmissionRequest(
        context,
        provider,
        model,
        keyFingerprint,
        estimatedCost,
        estimatedTokens,
        readmission,
        unreadable,
        Objects.requireNonNull(estimator, "estimator"),
        refinement);
  }

  /**
   * This request, whose estimate was made from a cheap upper bound of the input tokens (see {@code
   * TokenEstimator.upperBound}), with the way to make it exact. The engine decides on the bound
   * when the bound and the floor (the same call with no input) would be decided alike, which is
   * almost always; otherwise it asks {@code exact} (which tokenises) and decides on that. Either
   * way settlement replaces the reservation by the real cost.
   *
   * @param floorCost the estimate with zero input tokens, or {@code null} when unpriced
   * @param floorTokens the token estimate with zero input tokens
   * @param exact the same call with exactly counted input; called at most once, on the calling
   *     thread
   */
  public AdmissionRequest withExactOnDemand(
      @Nullable BigDecimal floorCost, long floorTokens, Supplier<AdmissionRequest> exact) {
    return new AdmissionRequest(
        context,
        provider,
        model,
        keyFingerprint,
        estimatedCost,
        estimatedTokens,
        readmission,
        unreadable,
        estimator,
        new Refinement(floorCost, floorTokens, Objects.requireNonNull(exact, "exact")));
  }

  /**
   * As {@code of(..).withEstimator(estimator).withExactOnDemand(floorCost, floorTokens, exact)}, in
   * one object: budgets admit every call this way.
   */
  public static AdmissionRequest of(
      AttributionContext context,
      String provider,
      String model,
      @Nullable String keyFingerprint,
      @Nullable BigDecimal estimatedCost,
      long estimatedTokens,
      Function<String, @Nullable BigDecimal> estimator,
      @Nullable BigDecimal floorCost,
      long floorTokens,
      Supplier<AdmissionRequest> exact) {
    return new AdmissionRequest(
        context,
        provider,
        model,
        keyFingerprint,
        estimatedCost,
        estimatedTokens,
        false,
        false,
        Objects.requireNonNull(estimator, "estimator"),
        new Refinement(floorCost, floorTokens, Objects.requireNonNull(exact, "exact")));
  }

  /** This request for another provider, model and estimate, marked as a re-admission. */
  AdmissionRequest with(
      String newProvider, String newModel, @Nullable BigDecimal cost, long tokens) {
    return new AdmissionRequest(
        context,
        newProvider,
        newModel,
        keyFingerprint,
        unreadable ? null : cost,
        tokens,
        true,
        unreadable,
        estimator,
        null);
  }

  /** Whether the request body could not be read, so the call has no estimate. */
  public boolean unreadable() {
    return unreadable;
  }

  /** Who the call is for. */
  public AttributionContext context() {
    return context;
  }

  /** The provider, e.g. {@code openai}. */
  public String provider() {
    return provider;
  }

  /** The requested model. */
  public String model() {
    return model;
  }

  /** The API key fingerprint, or {@code null}. */
  public @Nullable String keyFingerprint() {
    return keyFingerprint;
  }

  /** The worst-case cost, or {@code null} when the model is unpriced. */
  public @Nullable BigDecimal estimatedCost() {
    return estimatedCost;
  }

  /** The worst-case token count. */
  public long estimatedTokens() {
    return estimatedTokens;
  }

  @Override
  public String toString() {
    return "AdmissionRequest{"
        + context
        + " provider="
        + provider
        + " model="
        + model
        + " estimatedCost="
        + (estimatedCost == null ? "unpriced" : estimatedCost.toPlainString())
        + " estimatedTokens="
        + estimatedTokens
        + '}';
  }
}
