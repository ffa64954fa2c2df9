package dev.attribution.sink.otlp.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.common.ComponentLoader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JdkSenderOnlyTest {

  /** Stands in for the OkHttp sender provider another dependency might bring. */
  static final class OkHttpHttpSenderProvider {}

  private final ComponentLoader real = ComponentLoader.forClassLoader(getClass().getClassLoader());

  @Test
  void hidesEverySenderButTheJdkOne() throws Exception {
    Class<?> spi = Class.forName(JdkSenderOnly.SENDER_SPI);
    Object jdk = real.load(spi).iterator().next();
    ComponentLoader both =
        new ComponentLoader() {
          @Override
          @SuppressWarnings("unchecked")
          public <T> Iterable<T> load(Class<T> spiClass) {
            return (List<T>) List.of(new OkHttpHttpSenderProvider(), jdk);
          }
        };

    List<String> seen = names(new JdkSenderOnly(both).load(spi));
    assertThat(seen).containsExactly(JdkSenderOnly.JDK_SENDER);
    assertThat(names(new JdkSenderOnly(both).load(Runnable.class))).hasSize(2);
  }

  @Test
  void failsAtStartWhenTheJdkSenderIsMissing() {
    ComponentLoader none =
        new ComponentLoader() {
          @Override
          public <T> Iterable<T> load(Class<T> spiClass) {
            return List.of();
          }
        };
    assertThatThrownBy(() -> JdkSenderOnly.requireJdkSender(new JdkSenderOnly(none)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("opentelemetry-exporter-sender-jdk");
  }

  private static List<String> names(Iterable<?> providers) {
    List<String> out = new ArrayList<>();
    providers.forEach(p -> out.add(p.getClass().getName()));
    return out;
  }
}
