package io.webhookdispatcher.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Renders JMH's JSON results as the Markdown table of {@code BENCHMARKS.md}, with the targets. */
final class ResultsTable {
  private ResultsTable() {}

  static String render(JsonNode results) {
    List<String> rows = new ArrayList<>();
    rows.add("| Measurement | Result | Target | Met |");
    rows.add("|---|---:|---|---|");

    Optional<Double> bareMac = score(results, "SigningBenchmark.bareMac", null);
    for (String method : List.of("signerPerDelivery", "signerReused", "bareMac")) {
      score(results, "SigningBenchmark." + method, null)
          .ifPresent(
              value -> {
                String share =
                    bareMac.map(mac -> String.format(Locale.ROOT, " (%.0f%% of bare Mac)", 100 * value / mac))
                        .orElse("");
                boolean target = method.equals("signerReused");
                rows.add(
                    row(
                        "Signing, 1 KiB message: " + method,
                        String.format(Locale.ROOT, "%,.0f signatures/s%s", value, share),
                        target ? "≥ 80% of bare Mac" : "",
                        target ? met(bareMac.map(mac -> value / mac >= 0.8)) : ""));
              });
    }
    for (String database : List.of("h2", "postgresql")) {
      score(results, "PublishBenchmark.publishOne", database)
          .ifPresent(value -> rows.add(row("Publish, one per transaction, " + database, perSecond(value, "messages"), "", "")));
      score(results, "PublishBenchmark.publishBatchInHostTransaction", database)
          .ifPresent(value -> rows.add(row("Publish, 50 per host transaction, " + database, perSecond(value, "messages"), "", "")));
    }
    Optional<Double> ourPostgres = deliveriesPerSecond(results, "DispatchBenchmark.drainBacklog", "postgresql");
    Optional<Double> dbScheduler = deliveriesPerSecond(results, "PeerBenchmark.drainBacklog", "db-scheduler");
    deliveriesPerSecond(results, "DispatchBenchmark.drainBacklog", "h2")
        .ifPresent(value -> rows.add(row("End to end, this dispatcher, H2 file", perSecond(value, "deliveries"), "≥ 30,000/s", met(Optional.of(value >= 30_000)))));
    ourPostgres.ifPresent(
        value ->
            rows.add(
                row(
                    "End to end, this dispatcher, PostgreSQL",
                    perSecond(value, "deliveries"),
                    "≥ 20,000/s and ≥ 4× db-scheduler",
                    met(dbScheduler.map(peer -> value >= 20_000 && value >= 4 * peer)))));
    dbScheduler.ifPresent(value -> rows.add(row("End to end, db-scheduler (lock-and-fetch), PostgreSQL", perSecond(value, "deliveries"), "", "")));
    deliveriesPerSecond(results, "PeerBenchmark.drainBacklog", "plain-outbox")
        .ifPresent(value -> rows.add(row("End to end, plain outbox with JDK HttpClient, PostgreSQL", perSecond(value, "deliveries"), "", "")));
    for (JsonNode result : results) {
      if (!result.path("benchmark").asText().endsWith("LatencyBenchmark.publishAtSteadyRate")) {
        continue;
      }
      double p99 = secondaryMax(result, "p99Millis");
      double received = secondaryMean(result, "receivedPercent");
      rows.add(
          row(
              String.format(
                  Locale.ROOT,
                  "Publish-to-receipt latency at %s messages/s to %s endpoint(s), %s",
                  result.path("params").path("rate").asText(),
                  result.path("params").path("endpoints").asText(),
                  result.path("params").path("database").asText()),
              received < 100
                  ? String.format(
                      Locale.ROOT,
                      "falls behind: published %,.0f/s, but only %.1f%% of the deliveries arrived"
                          + " within 30 s after publishing stopped, so no percentile is meaningful",
                      secondaryMean(result, "publishedPerSecond"),
                      received)
                  : String.format(
                      Locale.ROOT,
                      "p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms (published %,.0f/s; mean p50, worst iteration for the rest)",
                      secondaryMean(result, "p50Millis"),
                      p99,
                      secondaryMax(result, "p999Millis"),
                      secondaryMax(result, "maxMillis"),
                      secondaryMean(result, "publishedPerSecond")),
              result.path("params").path("rate").asText().equals("2000") ? "p99 ≤ 50 ms" : "",
              result.path("params").path("rate").asText().equals("2000")
                  ? met(Optional.of(p99 <= 50 && received >= 100))
                  : ""));
    }
    find(results, "LargeBacklogBenchmark.drainMillion", null)
        .ifPresent(
            result -> {
              double peak = secondaryMean(result, "peakHeapMegabytes");
              rows.add(
                  row(
                      "1,000,000 due deliveries drained with -Xmx512m, "
                          + result.path("params").path("database").asText(),
                      perSecond(result.path("primaryMetric").path("score").asDouble(), "deliveries")
                          + String.format(Locale.ROOT, ", peak heap %.0f MB", peak),
                      "drains within 512 MB",
                      "yes"));
            });
    return String.join("\n", rows) + "\n";
  }

  /**
   * Returns the mean of a secondary result over the iterations. JMH adds up the event counters of
   * all iterations in its score, so the mean comes from the raw data.
   */
  static double secondaryMean(JsonNode result, String name) {
    double sum = 0;
    int count = 0;
    for (JsonNode fork : result.path("secondaryMetrics").path(name).path("rawData")) {
      for (JsonNode value : fork) {
        sum += value.asDouble();
        count++;
      }
    }
    return count == 0 ? 0 : sum / count;
  }

  /** Returns the highest value of a secondary result over the iterations: the worst iteration. */
  static double secondaryMax(JsonNode result, String name) {
    double max = 0;
    for (JsonNode fork : result.path("secondaryMetrics").path(name).path("rawData")) {
      for (JsonNode value : fork) {
        max = Math.max(max, value.asDouble());
      }
    }
    return max;
  }

  /** Returns deliveries per second from a single-shot score in microseconds per delivery. */
  static Optional<Double> deliveriesPerSecond(JsonNode results, String benchmark, String param) {
    return score(results, benchmark, param).map(microsPerDelivery -> 1_000_000 / microsPerDelivery);
  }

  static Optional<Double> score(JsonNode results, String benchmark, String param) {
    return find(results, benchmark, param).map(result -> result.path("primaryMetric").path("score").asDouble());
  }

  static Optional<JsonNode> find(JsonNode results, String benchmark, String param) {
    for (JsonNode result : results) {
      if (!result.path("benchmark").asText().endsWith(benchmark)) {
        continue;
      }
      if (param == null) {
        return Optional.of(result);
      }
      for (JsonNode value : result.path("params")) {
        if (value.asText().equals(param)) {
          return Optional.of(result);
        }
      }
    }
    return Optional.empty();
  }

  private static String perSecond(double value, String unit) {
    return String.format(Locale.ROOT, "%,.0f %s/s", value, unit);
  }

  private static String met(Optional<Boolean> met) {
    return met.map(yes -> yes ? "yes" : "**no**").orElse("not measured");
  }

  private static String row(String... cells) {
    return "| " + String.join(" | ", cells) + " |";
  }
}
