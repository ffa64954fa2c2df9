package dev.attribution.report;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Two weeks of a small SaaS's traffic, deterministic: five tenants, five features, three models,
 * with one tenant growing fast, a spike day, a looping agent thread, a budget ladder, failures and
 * an unpriced model, so every section of the report has something to show.
 */
final class SampleWeeks {
  private SampleWeeks() {}

  static List<UsageRows.Call> calls(LocalDate lastDay) {
    Random rnd = new Random(42);
    List<UsageRows.Call> out = new ArrayList<>();
    String[] tenants = {"acme", "globex", "initech", "umbrella", "hooli"};
    int[] weight = {30, 20, 12, 8, 5};
    LocalDate first = lastDay.minusDays(13);
    for (LocalDate d = first; !d.isAfter(lastDay); d = d.plusDays(1)) {
      boolean currentWeek = !d.isBefore(lastDay.minusDays(6));
      boolean spikeDay = d.equals(lastDay.minusDays(2));
      Instant base = d.atStartOfDay(ZoneOffset.UTC).toInstant();
      for (int t = 0; t < tenants.length; t++) {
        int n = weight[t] + rnd.nextInt(6);
        if (currentWeek && t == 1) {
          n *= 3; // globex triples this week
        }
        if (spikeDay && t == 0) {
          n *= 6;
        }
        for (int i = 0; i < n; i++) {
          Instant at = base.plusSeconds(3600L * 7 + rnd.nextInt(3600 * 14));
          UsageRows.Call c = UsageRows.at(at).tenant(tenants[t]);
          c.user = "u" + rnd.nextInt(12);
          int kind = rnd.nextInt(10);
          if (kind < 4) {
            c.feature("support-chat")
                .model("openai", "gpt-4o")
                .tokens(1800 + rnd.nextInt(600), 1400, 250 + rnd.nextInt(200));
          } else if (kind < 6) {
            c.feature("ticket-triage")
                .model("openai", "gpt-4o")
                .tokens(400 + rnd.nextInt(100), 0, 3 + rnd.nextInt(5));
          } else if (kind < 8) {
            c.feature("doc-summary")
                .model("anthropic", "claude-sonnet-4")
                .tokens(4000 + rnd.nextInt(2000), 0, 400 + rnd.nextInt(200));
          } else if (kind < 9) {
            c.feature("email-draft")
                .model("openai", "gpt-4o-mini")
                .tokens(120 + rnd.nextInt(40), 0, 900 + rnd.nextInt(300));
          } else {
            c.feature("code-review")
                .model("openai", "gpt-4o")
                .tokens(2500, 2000, 1200)
                .reasoning(600)
                .cacheWrite(300);
          }
          if (rnd.nextInt(60) == 0) {
            c.status("upstream_error").tokens(0, 0, 0);
          }
          out.add(c);
        }
      }
    }
    // A looping agent thread this week.
    Instant loopStart =
        lastDay.minusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(50_000);
    for (int i = 0; i < 40; i++) {
      UsageRows.Call c =
          UsageRows.at(loopStart.plusSeconds(i * 9L))
              .tenant("initech")
              .thread("agent-7f3a")
              .feature("research-agent")
              .model("openai", "gpt-4o")
              .tokens(3000 + i * 150, 0, 300);
      if (i >= 36) {
        c.status("blocked").budget("block", "loop-guard", "100");
      }
      out.add(c);
    }
    // hooli walks its budget ladder: notify, downgrade, block.
    Instant ladder = lastDay.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(30_000);
    for (int i = 0; i < 30; i++) {
      UsageRows.Call c =
          UsageRows.at(ladder.plusSeconds(i * 60L)).tenant("hooli").feature("support-chat");
      if (i < 10) {
        c.model("openai", "gpt-4o")
            .tokens(2000, 0, 300)
            .budget("notify", "hooli-monthly", String.valueOf(55 + i * 2));
      } else if (i < 22) {
        c.model("openai", "gpt-4o-mini")
            .tokens(2000, 0, 300)
            .budget("downgrade", "hooli-monthly", String.valueOf(81 + i - 10));
      } else {
        c.status("blocked").budget("block", "hooli-monthly", "100");
      }
      out.add(c);
    }
    // A model without a price.
    for (int i = 0; i < 6; i++) {
      out.add(
          UsageRows.at(lastDay.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(40_000 + i))
              .tenant("acme")
              .feature("experiments")
              .model("openai", "gpt-5-preview-x")
              .tokens(800, 0, 200));
    }
    return out;
  }
}
