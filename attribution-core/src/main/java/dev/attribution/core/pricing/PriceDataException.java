package dev.attribution.core.pricing;

/**
 * Price data could not be used: unreadable, not valid JSON/YAML, or with malformed entries. The
 * message says which source and why. Thrown at start-up and by reloads (which keep the old prices).
 */
public final class PriceDataException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** A failure described by {@code message}. */
  public PriceDataException(String message) {
    super(message);
  }

  /** A failure described by {@code message}, caused by {@code cause}. */
  public PriceDataException(String message, Throwable cause) {
    super(message, cause);
  }
}
