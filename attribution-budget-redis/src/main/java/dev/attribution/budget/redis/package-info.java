/**
 * A {@link dev.attribution.api.budget.BudgetStore} on Redis, so every replica of a service enforces
 * one shared budget.
 *
 * <p>Entry point: {@link dev.attribution.budget.redis.RedisBudgetStore#builder()}. Jedis is a
 * {@code provided} dependency: the application brings its own.
 */
@NullMarked
package dev.attribution.budget.redis;

import org.jspecify.annotations.NullMarked;
