package dev.attribution.api;

import java.lang.System.Logger.Level;
import org.jspecify.annotations.Nullable;

/**
 * Where the API module's few warnings go: to SLF4J, like every other module of the library, when
 * SLF4J is on the class path (it always is next to attribution-core), otherwise to the JDK's
 * platform logging ({@link System.Logger}). The API module keeps no run-time dependency: SLF4J is
 * looked up once, reflectively, and only then touched.
 */
final class ApiLog {

  private static final boolean SLF4J = slf4jPresent();

  private ApiLog() {}

  /** Logs {@code message} at WARN under {@code loggerName}, with {@code where}'s stack if any. */
  static void warn(String loggerName, String message, @Nullable Throwable where) {
    if (SLF4J) {
      Slf4j.warn(loggerName, message, where);
    } else {
      System.getLogger(loggerName).log(Level.WARNING, message, where);
    }
  }

  private static boolean slf4jPresent() {
    try {
      Class.forName("org.slf4j.LoggerFactory", false, ApiLog.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Loaded only when SLF4J is present, so the API module runs without it. */
  private static final class Slf4j {
    static void warn(String loggerName, String message, @Nullable Throwable where) {
      org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(loggerName);
      if (where == null) {
        log.warn(message);
      } else {
        log.warn(message, where);
      }
    }
  }
}
