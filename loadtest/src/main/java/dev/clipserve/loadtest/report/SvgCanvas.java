package dev.clipserve.loadtest.report;

import java.awt.Color;
import java.util.Locale;

/** Writes the same drawing as an SVG document. */
final class SvgCanvas implements Canvas {
  private final StringBuilder sb = new StringBuilder();

  SvgCanvas(int width, int height) {
    sb.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n"
            + "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
        width, height, width, height));
  }

  String finish() {
    return sb + "</svg>\n";
  }

  private static String hex(Color c) {
    return String.format("#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  @Override
  public void polyline(double[] xs, double[] ys, Color color, float width, boolean dashed) {
    sb.append("<polyline fill=\"none\" stroke=\"").append(hex(color))
        .append("\" stroke-width=\"").append(width).append('"')
        .append(dashed ? " stroke-dasharray=\"6 4\"" : "").append(" points=\"");
    for (int i = 0; i < xs.length; i++) {
      sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", xs[i], ys[i]));
    }
    sb.append("\"/>\n");
  }

  @Override
  public void dot(double x, double y, double r, Color color) {
    sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>%n",
        x, y, r, hex(color)));
  }

  @Override
  public void rect(double x, double y, double w, double h, Color fill) {
    sb.append(String.format(Locale.ROOT,
        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n",
        x, y, w, h, hex(fill)));
  }

  @Override
  public void text(double x, double y, String s, int size, Color color, Anchor anchor,
      boolean vertical) {
    String a = switch (anchor) {
      case START -> "start";
      case MIDDLE -> "middle";
      case END -> "end";
    };
    sb.append(String.format(Locale.ROOT,
        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" fill=\"%s\" text-anchor=\"%s\"%s>%s</text>%n",
        x, y, size, hex(color), a,
        vertical ? String.format(Locale.ROOT, " transform=\"rotate(-90 %.1f %.1f)\"", x, y) : "",
        esc(s)));
  }
}
