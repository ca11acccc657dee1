package org.llamapro.train.trainer;

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
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.llamapro.io.AtomicFiles;

/**
 * Draws the loss curve of {@code metrics.jsonl} as a PNG with plain headless java.awt: training
 * loss per step (blue line) and validation loss (orange dots), axes with tick labels.
 */
final class LossPlot {
  private static final int WIDTH = 900;
  private static final int HEIGHT = 500;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 40;
  private static final int BOTTOM = 50;

  private LossPlot() {}

  static void write(Path metrics, Path png) {
    System.setProperty("java.awt.headless", "true");
    List<double[]> train = new ArrayList<>();
    List<double[]> eval = new ArrayList<>();
    for (MetricsLine line : MetricsLog.read(metrics)) {
      if (line instanceof MetricsLine.Train step && !step.skipped() && step.loss() != null) {
        train.add(new double[] {step.step(), step.loss()});
      } else if (line instanceof MetricsLine.Eval validation && validation.valLoss() != null) {
        eval.add(new double[] {validation.step(), validation.valLoss()});
      }
    }
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      g.setColor(Color.BLACK);
      g.drawString("loss (nats/token): train (blue), validation (orange)", LEFT, 20);
      double minX = Double.MAX_VALUE;
      double maxX = -Double.MAX_VALUE;
      double minY = Double.MAX_VALUE;
      double maxY = -Double.MAX_VALUE;
      List<double[]> all = new ArrayList<>(train);
      all.addAll(eval);
      for (double[] p : all) {
        if (Double.isFinite(p[1])) {
          minX = Math.min(minX, p[0]);
          maxX = Math.max(maxX, p[0]);
          minY = Math.min(minY, p[1]);
          maxY = Math.max(maxY, p[1]);
        }
      }
      if (minX > maxX) {
        g.drawString("no finite loss recorded", LEFT, HEIGHT / 2);
      } else {
        if (maxX == minX) {
          maxX = minX + 1;
        }
        if (maxY - minY < 1e-9) {
          maxY = minY + 1;
        }
        Scale s = new Scale(minX, maxX, minY, maxY);
        axes(g, s);
        g.setColor(new Color(31, 119, 180));
        g.setStroke(new BasicStroke(1.5f));
        for (int i = 1; i < train.size(); i++) {
          g.drawLine(
              s.x(train.get(i - 1)[0]),
              s.y(train.get(i - 1)[1]),
              s.x(train.get(i)[0]),
              s.y(train.get(i)[1]));
        }
        g.setColor(new Color(255, 127, 14));
        for (double[] p : eval) {
          g.fillOval(s.x(p[0]) - 4, s.y(p[1]) - 4, 8, 8);
        }
      }
    } finally {
      g.dispose();
    }
    try {
      AtomicFiles.write(
          png,
          out -> {
            if (!ImageIO.write(image, "png", out)) {
              throw new IOException("no PNG writer");
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + png + ": " + e.getMessage(), e);
    }
  }

  private static void axes(Graphics2D g, Scale s) {
    g.setColor(Color.BLACK);
    g.drawLine(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM);
    g.drawLine(LEFT, TOP, LEFT, HEIGHT - BOTTOM);
    for (int i = 0; i <= 5; i++) {
      double x = s.minX + (s.maxX - s.minX) * i / 5;
      double y = s.minY + (s.maxY - s.minY) * i / 5;
      int px = s.x(x);
      int py = s.y(y);
      g.drawLine(px, HEIGHT - BOTTOM, px, HEIGHT - BOTTOM + 5);
      g.drawString(String.format(Locale.ROOT, "%.0f", x), px - 10, HEIGHT - BOTTOM + 20);
      g.drawLine(LEFT - 5, py, LEFT, py);
      g.drawString(String.format(Locale.ROOT, "%.3f", y), 10, py + 4);
    }
    g.drawString("step", WIDTH / 2, HEIGHT - 10);
  }

  private record Scale(double minX, double maxX, double minY, double maxY) {
    int x(double v) {
      return LEFT + (int) Math.round((v - minX) / (maxX - minX) * (WIDTH - LEFT - RIGHT));
    }

    int y(double v) {
      return HEIGHT
          - BOTTOM
          - (int) Math.round((v - minY) / (maxY - minY) * (HEIGHT - TOP - BOTTOM));
    }
  }
}
