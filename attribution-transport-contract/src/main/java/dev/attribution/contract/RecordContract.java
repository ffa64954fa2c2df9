package dev.attribution.contract;

import dev.attribution.api.UsageRecord;
import java.util.Arrays;
import java.util.List;

/**
 * The transport contract: the same exchange gives the same record whichever client made it. Two
 * records agree when their {@link #comparable} projections are equal.
 */
public final class RecordContract {

  private RecordContract() {}

  /**
   * Everything a record says about a call that does not depend on timing or identity: context,
   * provider, operation, models, every token category, cost and its source, status, error, budget
   * action, key fingerprint and attributes.
   */
  public static List<Object> comparable(UsageRecord r) {
    return Arrays.asList(
        r.context(),
        r.contextSource(),
        r.provider(),
        r.operation(),
        r.serverHost(),
        r.requestedModel(),
        r.effectiveModel(),
        r.responseModel(),
        r.streaming(),
        r.attempt(),
        r.usage(),
        r.usageEstimated(),
        r.cost(),
        r.computedCost(),
        r.providerReportedCost(),
        r.charge(),
        r.costSource(),
        r.priceVersion(),
        r.status(),
        r.httpStatus(),
        r.errorType(),
        r.errorMessage(),
        r.providerRequestId(),
        r.budgetAction(),
        r.dryRunAction(),
        r.deployment(),
        r.keyFingerprint(),
        r.attributes());
  }
}
