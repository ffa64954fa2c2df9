package dev.attribution.api;

import dev.attribution.testing.UsageSinkContractTest;
import java.util.List;

/**
 * The sink contract against the API module's reference sink. It runs here because attribution-api
 * cannot depend on the kit that depends on it.
 */
class InMemoryUsageSinkContractTest extends UsageSinkContractTest {

  @Override
  protected UsageSink createSink() {
    return UsageSink.inMemory();
  }

  @Override
  protected List<UsageRecord> readBack() throws Exception {
    return ((InMemoryUsageSink) sink()).records();
  }
}
