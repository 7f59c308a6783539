package dev.clipserve.loadtest.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;

/** Draws into a {@link BufferedImage} with Java2D (headless). */
final class PngCanvas implements Canvas {
  private final BufferedImage image;
  private final Graphics2D g;

  PngCanvas(int width, int height) {
    image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
        RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
  }

  BufferedImage finish() {
    g.dispose();
    return image;
  }

  @Override
  public void polyline(double[] xs, double[] ys, Color color, float width, boolean dashed) {
    if (xs.length == 0) {
      return;
    }
    Path2D.Double p = new Path2D.Double();
    p.moveTo(xs[0], ys[0]);
    for (int i = 1; i < xs.length; i++) {
      p.lineTo(xs[i], ys[i]);
    }
    g.setColor(color);
    g.setStroke(dashed
        ? new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10,
            new float[] {6, 4}, 0)
        : new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    g.draw(p);
  }

  @Override
  public void dot(double x, double y, double r, Color color) {
    g.setColor(color);
    g.fill(new java.awt.geom.Ellipse2D.Double(x - r, y - r, 2 * r, 2 * r));
  }

  @Override
  public void rect(double x, double y, double w, double h, Color fill) {
    g.setColor(fill);
    g.fill(new java.awt.geom.Rectangle2D.Double(x, y, w, h));
  }

  @Override
  public void text(double x, double y, String s, int size, Color color, Anchor anchor,
      boolean vertical) {
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, size));
    g.setColor(color);
    int w = g.getFontMetrics().stringWidth(s);
    double dx = anchor == Anchor.START ? 0 : anchor == Anchor.MIDDLE ? -w / 2.0 : -w;
    if (vertical) {
      Graphics2D r = (Graphics2D) g.create();
      r.translate(x, y);
      r.rotate(-Math.PI / 2);
      r.drawString(s, (float) dx, 0f);
      r.dispose();
    } else {
      g.drawString(s, (float) (x + dx), (float) y);
    }
  }
}
