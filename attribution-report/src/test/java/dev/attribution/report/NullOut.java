package dev.attribution.report;

import java.io.OutputStream;
import java.io.PrintStream;

/** A terminal that discards what it is given. */
final class NullOut {
  static final PrintStream STREAM = new PrintStream(OutputStream.nullOutputStream());

  private NullOut() {}
}
