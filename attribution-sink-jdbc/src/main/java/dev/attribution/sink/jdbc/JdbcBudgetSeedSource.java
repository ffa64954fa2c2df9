package dev.attribution.sink.jdbc;

import dev.attribution.api.budget.BudgetSeedSource;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.api.budget.ScopePart;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Seeds budgets from the usage table, so a restart does not reset a running period: for each
 * budget, the spend recorded since the period started, per scope value.
 *
 * <pre>{@code
 * BudgetEngine budgets = BudgetEngine.builder()
 *     .budgets(definitions)
 *     .seedFrom(JdbcBudgetSeedSource.of(jdbcSink.queries()))
 *     .build();
 * }</pre>
 *
 * <p>Scope dimensions map to columns (tenant, user, assistant, thread, feature, traffic class,
 * provider, effective model, key fingerprint). Tags live in a JSON column and cannot be grouped
 * portably: a budget scoped by a tag is not seeded (it starts from zero, with a warning from the
 * budget engine). Only rows in the budget's currency count.
 */
public final class JdbcBudgetSeedSource implements BudgetSeedSource {

  private final UsageQueries queries;

  private JdbcBudgetSeedSource(UsageQueries queries) {
    this.queries = queries;
  }

  /** A seed source over {@code queries} (e.g. {@link JdbcUsageSink#queries()}). */
  public static JdbcBudgetSeedSource of(UsageQueries queries) {
    return new JdbcBudgetSeedSource(Objects.requireNonNull(queries, "queries"));
  }

  static @Nullable Dimension column(ScopeDimension d) {
    switch (d) {
      case TENANT:
        return Dimension.TENANT;
      case USER:
        return Dimension.USER;
      case ASSISTANT:
        return Dimension.ASSISTANT;
      case THREAD:
        return Dimension.THREAD;
      case FEATURE:
        return Dimension.FEATURE;
      case TRAFFIC_CLASS:
        return Dimension.TRAFFIC_CLASS;
      case PROVIDER:
        return Dimension.PROVIDER;
      case MODEL:
        return Dimension.EFFECTIVE_MODEL;
      case KEY:
        return Dimension.KEY_FINGERPRINT;
      default:
        return null;
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalStateException when the database cannot be read, or the budget is scoped by a
   *     tag; the engine logs it and starts that budget from zero
   */
  @Override
  public Map<List<String>, BigDecimal> spentByScope(Request request) {
    List<Dimension> groupBy = new ArrayList<>();
    Map<Dimension, String> filters = new EnumMap<>(Dimension.class);
    filters.put(Dimension.CURRENCY, request.currency());
    for (ScopePart part : request.scope()) {
      Dimension column = column(part.dimension());
      if (column == null) {
        throw new IllegalStateException(
            "budget '"
                + request.budgetName()
                + "' is scoped by "
                + part.label()
                + ", which the usage table cannot group by; it is not seeded");
      }
      if (part.fixedValue() != null) {
        filters.put(column, part.fixedValue());
      } else {
        groupBy.add(column);
      }
    }
    Map<List<@Nullable String>, BigDecimal> spend;
    try {
      spend = queries.spendSince(request.from(), groupBy, filters);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "could not read spend for budget '" + request.budgetName() + "': " + e.getMessage(), e);
    }
    Map<List<String>, BigDecimal> out = new HashMap<>();
    for (Map.Entry<List<@Nullable String>, BigDecimal> e : spend.entrySet()) {
      List<String> values = new ArrayList<>();
      int g = 0;
      boolean complete = true;
      for (ScopePart part : request.scope()) {
        String v = part.fixedValue() != null ? part.fixedValue() : e.getKey().get(g++);
        if (v == null) {
          complete = false; // calls without that dimension are not covered by the budget
          break;
        }
        values.add(v);
      }
      if (complete) {
        out.merge(List.copyOf(values), e.getValue(), BigDecimal::add);
      }
    }
    return out;
  }
}
