/**
 * Test support shared by the transport adapters' tests: {@link dev.attribution.contract.Loopback}
 * and {@link dev.attribution.contract.RecordContract}.
 */
@NullMarked
package dev.attribution.contract;

import org.jspecify.annotations.NullMarked;
