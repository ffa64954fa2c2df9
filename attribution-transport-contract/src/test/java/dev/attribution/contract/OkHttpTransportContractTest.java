package dev.attribution.contract;

import dev.attribution.okhttp.AttributionOkHttp;
import okhttp3.OkHttpClient;

/**
 * The contract for the OkHttp adapter as applications install it ({@code
 * AttributionOkHttp.instrument}, which also captures the scope where a call is created), against
 * the bare interceptor as the reference.
 */
class OkHttpTransportContractTest extends TransportContractTest {

  @Override
  protected void perform(Loopback h, Exchange e) throws Exception {
    sendAll(AttributionOkHttp.instrument(new OkHttpClient(), h.engine), h, e);
  }
}
