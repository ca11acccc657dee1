package org.llamapro.eval.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** Small PNG charts drawn with headless java.awt: line charts and grouped bar charts. */
public final class Charts {
  private static final int WIDTH = 900;
  private static final int HEIGHT = 500;
  private static final int LEFT = 80;
  private static final int RIGHT = 200;
  private static final int TOP = 40;
  private static final int BOTTOM = 60;
  private static final Color[] PALETTE = {
    new Color(31, 119, 180),
    new Color(255, 127, 14),
    new Color(44, 160, 44),
    new Color(214, 39, 40),
    new Color(148, 103, 189),
    new Color(140, 86, 75)
  };

  private Charts() {}

  /** One line per series: x, y pairs. */
  public static void lines(
      Path png, String title, String xLabel, String yLabel, Map<String, List<double[]>> series) {
    double minX = Double.MAX_VALUE;
    double maxX = -Double.MAX_VALUE;
    double minY = Double.MAX_VALUE;
    double maxY = -Double.MAX_VALUE;
    for (List<double[]> points : series.values()) {
      for (double[] p : points) {
        minX = Math.min(minX, p[0]);
        maxX = Math.max(maxX, p[0]);
        minY = Math.min(minY, p[1]);
        maxY = Math.max(maxY, p[1]);
      }
    }
    if (minX > maxX) {
      minX = 0;
      maxX = 1;
      minY = 0;
      maxY = 1;
    }
    if (maxX == minX) {
      maxX = minX + 1;
    }
    double pad = (maxY - minY) * 0.05 + 1e-9;
    minY -= pad;
    maxY += pad;
    BufferedImage image = canvas();
    Graphics2D g = image.createGraphics();
    try {
      frame(g, title, xLabel, yLabel, minX, maxX, minY, maxY);
      int colour = 0;
      int legendY = TOP + 10;
      for (Map.Entry<String, List<double[]>> entry : series.entrySet()) {
        g.setColor(PALETTE[colour++ % PALETTE.length]);
        g.setStroke(new BasicStroke(2f));
        int[] previous = null;
        for (double[] p : entry.getValue()) {
          int[] point = {x(p[0], minX, maxX), y(p[1], minY, maxY)};
          if (previous != null) {
            g.drawLine(previous[0], previous[1], point[0], point[1]);
          }
          previous = point;
        }
        g.fillRect(WIDTH - RIGHT + 15, legendY - 9, 12, 12);
        g.setColor(Color.BLACK);
        g.drawString(entry.getKey(), WIDTH - RIGHT + 32, legendY + 2);
        legendY += 20;
      }
    } finally {
      g.dispose();
    }
    write(image, png);
  }

  /** Groups of bars: {@code values.get(group).get(bar)}; every group has the same bars. */
  public static void bars(
      Path png, String title, String yLabel, Map<String, Map<String, Double>> values) {
    List<String> barNames = new ArrayList<>();
    double maxY = 0;
    for (Map<String, Double> group : values.values()) {
      for (Map.Entry<String, Double> bar : group.entrySet()) {
        if (!barNames.contains(bar.getKey())) {
          barNames.add(bar.getKey());
        }
        maxY = Math.max(maxY, bar.getValue());
      }
    }
    maxY = maxY <= 0 ? 1 : maxY * 1.1;
    BufferedImage image = canvas();
    Graphics2D g = image.createGraphics();
    try {
      frame(g, title, "", yLabel, 0, 1, 0, maxY);
      int groups = Math.max(1, values.size());
      double groupWidth = (double) (WIDTH - LEFT - RIGHT) / groups;
      double barWidth = groupWidth * 0.8 / Math.max(1, barNames.size());
      int index = 0;
      for (Map.Entry<String, Map<String, Double>> group : values.entrySet()) {
        double start = LEFT + index * groupWidth + groupWidth * 0.1;
        for (int b = 0; b < barNames.size(); b++) {
          Double value = group.getValue().get(barNames.get(b));
          if (value == null) {
            continue;
          }
          int top = y(value, 0, maxY);
          g.setColor(PALETTE[b % PALETTE.length]);
          g.fillRect((int) (start + b * barWidth), top, (int) barWidth - 2, HEIGHT - BOTTOM - top);
          g.setColor(Color.BLACK);
          g.drawString(
              String.format(Locale.ROOT, "%.0f", value), (int) (start + b * barWidth), top - 4);
        }
        g.drawString(group.getKey(), (int) (start + groupWidth * 0.3), HEIGHT - BOTTOM + 20);
        index++;
      }
      int legendY = TOP + 10;
      for (int b = 0; b < barNames.size(); b++) {
        g.setColor(PALETTE[b % PALETTE.length]);
        g.fillRect(WIDTH - RIGHT + 15, legendY - 9, 12, 12);
        g.setColor(Color.BLACK);
        g.drawString(barNames.get(b), WIDTH - RIGHT + 32, legendY + 2);
        legendY += 20;
      }
    } finally {
      g.dispose();
    }
    write(image, png);
  }

  /** Keeps insertion order for callers building series. */
  public static <V> Map<String, V> ordered() {
    return new LinkedHashMap<>();
  }

  private static BufferedImage canvas() {
    System.setProperty("java.awt.headless", "true");
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    g.dispose();
    return image;
  }

  private static void frame(
      Graphics2D g,
      String title,
      String xLabel,
      String yLabel,
      double minX,
      double maxX,
      double minY,
      double maxY) {
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.setColor(Color.BLACK);
    g.drawString(title, LEFT, 22);
    g.drawLine(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM);
    g.drawLine(LEFT, TOP, LEFT, HEIGHT - BOTTOM);
    for (int i = 0; i <= 5; i++) {
      double v = minY + (maxY - minY) * i / 5;
      int py = y(v, minY, maxY);
      g.setColor(new Color(225, 225, 225));
      g.drawLine(LEFT + 1, py, WIDTH - RIGHT, py);
      g.setColor(Color.BLACK);
      g.drawString(String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.2f", v), 10, py + 4);
    }
    if (!xLabel.isEmpty()) {
      for (int i = 0; i <= 5; i++) {
        double v = minX + (maxX - minX) * i / 5;
        g.drawString(
            String.format(Locale.ROOT, "%.0f", v), x(v, minX, maxX) - 8, HEIGHT - BOTTOM + 18);
      }
      g.drawString(xLabel, (WIDTH - RIGHT) / 2, HEIGHT - 15);
    }
    g.drawString(yLabel, 10, TOP - 10);
  }

  private static int x(double value, double min, double max) {
    return (int) Math.round(LEFT + (value - min) / (max - min) * (WIDTH - LEFT - RIGHT));
  }

  private static int y(double value, double min, double max) {
    return (int)
        Math.round(HEIGHT - BOTTOM - (value - min) / (max - min) * (HEIGHT - TOP - BOTTOM));
  }

  private static void write(BufferedImage image, Path png) {
    try {
      ImageIO.write(image, "png", png.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + png, e);
    }
  }
}
