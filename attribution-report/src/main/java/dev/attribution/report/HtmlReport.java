package dev.attribution.report;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

/** Writes the review as one self-contained HTML file. */
final class HtmlReport {
  private HtmlReport() {}

  static void write(ReviewResult r, int top, Path file, Instant generatedAt) throws IOException {
    java.nio.file.Files.writeString(file, "<!doctype html><title>review</title>");
  }
}
