package dev.attribution.sink.jdbc;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.HexFormat;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/** A minimal unpooled DataSource over a JDBC URL, for the embedded SQLite default. */
final class DriverManagerDataSource implements DataSource {

  private final String url;

  DriverManagerDataSource(String url) {
    this.url = url;
  }

  /** The first 8 hex digits of the URL's SHA-256: tells databases apart without naming them. */
  String urlHash() {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(url.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  /**
   * Fails when no JDBC driver on the class path accepts the URL: without it every record would
   * spool, waiting for a database that can never be reached, with only a warning in the log.
   *
   * @throws IllegalStateException naming the missing dependency
   */
  void requireDriver() {
    try {
      DriverManager.getDriver(url);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "no JDBC driver for "
              + url.substring(0, url.indexOf(':', "jdbc:".length()) + 1)
              + " on the class path: add org.xerial:sqlite-jdbc to your application's"
              + " dependencies (the sink declares it optional)",
          e);
    }
  }

  @Override
  public Connection getConnection() throws SQLException {
    return DriverManager.getConnection(url);
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return DriverManager.getConnection(url, username, password);
  }

  @Override
  public @Nullable PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(@Nullable PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("not a wrapper for " + iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }

  @Override
  public String toString() {
    return "DriverManagerDataSource{" + url + "}";
  }
}
