/**
 * The application-facing API of the attribution library: who a call is for ({@link
 * dev.attribution.api.AttributionContext}), how that travels with the work ({@link
 * dev.attribution.api.Attribution}), what is recorded per call ({@link
 * dev.attribution.api.UsageRecord}) and the plug-in points ({@link dev.attribution.api.UsageSink},
 * {@link dev.attribution.api.BudgetListener}, {@link dev.attribution.api.CredentialResolver}).
 *
 * <p>Budget-store SPI types are in {@code dev.attribution.api.budget}.
 */
@NullMarked
package dev.attribution.api;

import org.jspecify.annotations.NullMarked;
