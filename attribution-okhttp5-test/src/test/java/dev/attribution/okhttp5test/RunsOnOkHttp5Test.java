package dev.attribution.okhttp5test;

import static org.assertj.core.api.Assertions.assertThat;

import okhttp3.OkHttp;
import org.junit.jupiter.api.Test;

/** Guards the point of this module: the scanned interceptor suite really ran on OkHttp 5. */
class RunsOnOkHttp5Test {

  @Test
  void okHttpOnTheClasspathIsVersion5() {
    assertThat(OkHttp.VERSION).startsWith("5.");
  }
}
