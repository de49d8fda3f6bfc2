package io.webhookdispatcher.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.imageio.ImageIO;

/** Draws the end-to-end throughputs of the results as a horizontal bar chart in a PNG file. */
final class ResultsChart {
  private static final int WIDTH = 900;
  private static final int BAR_HEIGHT = 34;
  private static final int GAP = 14;
  private static final int LEFT = 330;
  private static final int RIGHT = 40;
  private static final int TOP = 50;
  private static final double POSTGRES_TARGET = 20_000;

  private ResultsChart() {}

  private record Bar(String label, double value, Color color) {}

  static void write(JsonNode results, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Color ours = new Color(0x2b6cb0);
    Color peer = new Color(0xa0aec0);
    List<Bar> bars = new ArrayList<>();
    add(bars, "This dispatcher, PostgreSQL", ResultsTable.deliveriesPerSecond(results, "DispatchBenchmark.drainBacklog", "postgresql"), ours);
    add(bars, "This dispatcher, H2 file", ResultsTable.deliveriesPerSecond(results, "DispatchBenchmark.drainBacklog", "h2"), ours);
    add(bars, "This dispatcher, 1M backlog, 512 MB heap", ResultsTable.score(results, "LargeBacklogBenchmark.drainMillion", null), ours);
    add(bars, "db-scheduler lock-and-fetch, PostgreSQL", ResultsTable.deliveriesPerSecond(results, "PeerBenchmark.drainBacklog", "db-scheduler"), peer);
    add(bars, "Plain outbox + JDK HttpClient, PostgreSQL", ResultsTable.deliveriesPerSecond(results, "PeerBenchmark.drainBacklog", "plain-outbox"), peer);

    int height = TOP + bars.size() * (BAR_HEIGHT + GAP) + 50;
    BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D graphics = image.createGraphics();
    try {
      graphics.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      graphics.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      graphics.setColor(Color.WHITE);
      graphics.fillRect(0, 0, WIDTH, height);
      graphics.setColor(Color.BLACK);
      graphics.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
      graphics.drawString("End-to-end deliveries per second (higher is better)", 20, 28);

      double max = POSTGRES_TARGET;
      for (Bar bar : bars) {
        max = Math.max(max, bar.value());
      }
      double scale = (WIDTH - LEFT - RIGHT) / (max * 1.1);
      graphics.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
      FontMetrics metrics = graphics.getFontMetrics();
      int y = TOP;
      for (Bar bar : bars) {
        graphics.setColor(Color.BLACK);
        graphics.drawString(bar.label(), LEFT - 10 - metrics.stringWidth(bar.label()), y + BAR_HEIGHT / 2 + 5);
        int length = (int) Math.max(1, bar.value() * scale);
        graphics.setColor(bar.color());
        graphics.fillRect(LEFT, y, length, BAR_HEIGHT);
        graphics.setColor(Color.BLACK);
        graphics.drawString(String.format(Locale.ROOT, "%,.0f", bar.value()), LEFT + length + 6, y + BAR_HEIGHT / 2 + 5);
        y += BAR_HEIGHT + GAP;
      }
      int targetX = LEFT + (int) (POSTGRES_TARGET * scale);
      graphics.setColor(new Color(0xc53030));
      graphics.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
      graphics.drawLine(targetX, TOP - 8, targetX, y);
      graphics.drawString("PostgreSQL target 20,000/s", Math.min(targetX + 4, WIDTH - 190), y + 18);
    } finally {
      graphics.dispose();
    }
    ImageIO.write(image, "png", file.toFile());
  }

  private static void add(List<Bar> bars, String label, Optional<Double> value, Color color) {
    value.ifPresent(v -> bars.add(new Bar(label, v, color)));
  }
}
