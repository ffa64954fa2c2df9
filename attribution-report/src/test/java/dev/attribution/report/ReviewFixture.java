package dev.attribution.report;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.LocalDate;
import java.util.List;

/** A SQLite usage database in a temporary folder, filled with crafted rows. */
final class ReviewFixture {
  final Path dir;
  final String url;
  final ByteArrayOutputStream terminal = new ByteArrayOutputStream();

  ReviewFixture(Path dir) throws Exception {
    this.dir = dir;
    this.url = "jdbc:sqlite:" + dir.resolve("usage.db");
    try (Connection c = DriverManager.getConnection(url)) {
      UsageRows.createTable(c, "sqlite");
    }
  }

  ReviewFixture insert(List<UsageRows.Call> calls) throws Exception {
    try (Connection c = DriverManager.getConnection(url)) {
      UsageRows.insert(c, calls);
    }
    return this;
  }

  ReviewResult review(LocalDate from, LocalDate to) throws Exception {
    return review(ReviewOptions.builder().url(url).from(from).to(to));
  }

  ReviewResult review(ReviewOptions.Builder options) throws Exception {
    terminal.reset();
    try (PrintStream out = new PrintStream(terminal, true, StandardCharsets.UTF_8)) {
      return WeeklyReview.run(options.build(), out);
    }
  }

  String terminalText() {
    return terminal.toString(StandardCharsets.UTF_8);
  }
}
