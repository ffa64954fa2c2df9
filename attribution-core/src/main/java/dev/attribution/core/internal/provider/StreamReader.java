package dev.attribution.core.internal.provider;

/**
 * Follows one streamed response as the application reads it and collects its usage, with memory
 * independent of the stream's length. Not thread-safe: one reader per stream, fed from the reading
 * thread. Created by {@link ProviderDialect#newStream(Endpoint)}.
 */
public interface StreamReader {

  /** Consumes {@code len} bytes the application read, however they were chunked. Never throws. */
  void feed(byte[] buf, int off, int len);

  /** Ends the stream and returns what was collected. Safe to call more than once. */
  ParsedResponse finish();
}
