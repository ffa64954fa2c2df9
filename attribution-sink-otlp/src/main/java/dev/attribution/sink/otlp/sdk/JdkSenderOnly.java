package dev.attribution.sink.otlp.sdk;

import io.opentelemetry.common.ComponentLoader;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ComponentLoader} that lets the OTLP exporters see only the JDK HTTP sender, so an OkHttp
 * sender that some other dependency put on the class path is never chosen.
 */
final class JdkSenderOnly implements ComponentLoader {

  /** The exporters' sender SPI (an internal OpenTelemetry type, referenced by name only). */
  static final String SENDER_SPI = "io.opentelemetry.exporter.internal.http.HttpSenderProvider";

  /** The provider in {@code opentelemetry-exporter-sender-jdk}. */
  static final String JDK_SENDER =
      "io.opentelemetry.exporter.sender.jdk.internal.JdkHttpSenderProvider";

  private final ComponentLoader delegate;

  JdkSenderOnly(ComponentLoader delegate) {
    this.delegate = delegate;
  }

  static ComponentLoader loader(ClassLoader classLoader) {
    return new JdkSenderOnly(ComponentLoader.forClassLoader(classLoader));
  }

  @Override
  public <T> Iterable<T> load(Class<T> spiClass) {
    Iterable<T> all = delegate.load(spiClass);
    if (!SENDER_SPI.equals(spiClass.getName())) {
      return all;
    }
    List<T> jdkOnly = new ArrayList<>();
    for (T provider : all) {
      if (JDK_SENDER.equals(provider.getClass().getName())) {
        jdkOnly.add(provider);
      }
    }
    return jdkOnly;
  }

  /** Fails at start-up, saying which artifact to add, when the JDK sender is not available. */
  static void requireJdkSender(ComponentLoader loader) {
    Class<?> spi;
    try {
      spi = Class.forName(SENDER_SPI, false, JdkSenderOnly.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(
          "OtlpSdk needs io.opentelemetry:opentelemetry-exporter-otlp on the class path", e);
    }
    if (!loader.load(spi).iterator().hasNext()) {
      throw new IllegalStateException(
          "OtlpSdk needs io.opentelemetry:opentelemetry-exporter-sender-jdk on the class path"
              + " (it never uses the OkHttp sender)");
    }
  }
}
