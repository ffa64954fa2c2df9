package dev.attribution.examples;

import java.util.SplittableRandom;

/** Text the demo's users send: questions, tickets, documents, and each tenant's knowledge base. */
final class Prompts {

  private static final String[] TOPICS = {
    "refund for a duplicate charge", "exporting invoices as CSV", "resetting two-factor login",
    "changing the billing e-mail", "a failed webhook delivery", "adding seats to the plan",
    "an order stuck in shipping", "the API rate limit", "single sign-on with Okta",
    "deleting an old workspace", "a missing PDF receipt", "moving data to the EU region"
  };

  private static final String[] HANDBOOK = {
    "Refunds are issued to the original payment method within five business days.",
    "Enterprise accounts have a named success manager and a four-hour response target.",
    "Invoices are generated on the first day of each month and can be exported as CSV or PDF.",
    "Two-factor authentication can be reset only after identity verification by a human agent.",
    "Webhooks are retried with exponential backoff for up to twenty-four hours.",
    "Data residency in the EU region is available on the Business and Enterprise plans.",
    "Seats can be added at any time and are prorated to the end of the billing period."
  };

  private Prompts() {}

  /**
   * The tenant's help-center handbook, sent as the system prompt of every support chat. It is the
   * same for every chat of a tenant, so the provider caches it after the first call.
   */
  static String knowledgeBase(String tenant) {
    StringBuilder sb =
        new StringBuilder("You are the support assistant of ")
            .append(tenant)
            .append(". Answer only from this handbook.\n");
    int i = 0;
    while (sb.length() < 5200) {
      sb.append("Section ").append(++i).append(". ").append(HANDBOOK[i % HANDBOOK.length]);
      sb.append(" (").append(tenant).append(" policy ").append(i).append(")\n");
    }
    return sb.toString();
  }

  static String question(SplittableRandom random, int n) {
    return "Ticket #" + n + ": I need help with " + topic(random) + ". " + filler(random, 20, 120);
  }

  static String ticket(SplittableRandom random, int n) {
    return "Ticket #"
        + n
        + " from a customer about "
        + topic(random)
        + ". "
        + filler(random, 10, 60);
  }

  static String document(SplittableRandom random, int n) {
    return "Call transcript #" + n + " about " + topic(random) + ". " + filler(random, 300, 1400);
  }

  static String activity(SplittableRandom random, int n) {
    return "Account activity #" + n + ": " + filler(random, 200, 800);
  }

  private static String topic(SplittableRandom random) {
    return TOPICS[random.nextInt(TOPICS.length)];
  }

  private static String filler(SplittableRandom random, int minWords, int maxWords) {
    int words = random.nextInt(minWords, maxWords);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      String w = HANDBOOK[random.nextInt(HANDBOOK.length)].split(" ")[random.nextInt(6)];
      sb.append(i == 0 ? "" : " ").append(w.toLowerCase(java.util.Locale.ROOT));
    }
    return sb.append('.').toString();
  }
}
