package dev.attribution.report;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** One finding of the review, with the numbers behind it. Immutable. */
public final class Finding {
  private final FindingKind kind;
  private final String subject;
  private final String summary;
  private final BigDecimal amount;
  private final Map<String, String> numbers;

  Finding(
      FindingKind kind,
      String subject,
      String summary,
      BigDecimal amount,
      Map<String, String> numbers) {
    this.kind = kind;
    this.subject = subject;
    this.summary = summary;
    this.amount = amount;
    this.numbers = Collections.unmodifiableMap(new LinkedHashMap<>(numbers));
  }

  /** Which check found it. */
  public FindingKind kind() {
    return kind;
  }

  /** What it is about, e.g. {@code tenant acme} or {@code thread t-42}. */
  public String subject() {
    return subject;
  }

  /** One sentence saying what was found and what to do about it. */
  public String summary() {
    return summary;
  }

  /** The money involved (scale 9), used to rank findings; zero when unknown. */
  public BigDecimal amount() {
    return amount;
  }

  /** The numbers behind the finding, label to formatted value, in display order. */
  public Map<String, String> numbers() {
    return numbers;
  }

  @Override
  public String toString() {
    return kind + " " + subject + ": " + summary + " " + numbers;
  }
}
