/**
 * Test support shared by the transport adapters' tests: {@link
 * dev.attribution.contract.TransportContractTest} (which every adapter's test extends), the shared
 * {@link dev.attribution.contract.Exchange}s, {@link dev.attribution.contract.Loopback} and {@link
 * dev.attribution.contract.RecordContract}.
 */
@NullMarked
package dev.attribution.contract;

import org.jspecify.annotations.NullMarked;
