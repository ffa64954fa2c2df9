package dev.attribution.okhttp5test;

import dev.attribution.contract.Exchange;
import dev.attribution.contract.Loopback;
import dev.attribution.contract.TransportContractTest;
import dev.attribution.okhttp.AttributionOkHttp;
import okhttp3.OkHttpClient;

/** The transport contract on OkHttp 5: the published interceptor, unchanged, records alike. */
class OkHttp5TransportContractTest extends TransportContractTest {

  @Override
  protected void perform(Loopback h, Exchange e) throws Exception {
    sendAll(AttributionOkHttp.instrument(new OkHttpClient(), h.engine), h, e);
  }
}
