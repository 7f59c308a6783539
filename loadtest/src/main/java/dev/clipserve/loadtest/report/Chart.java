package dev.clipserve.loadtest.report;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A small XY line chart (series with optional markers and point labels) rendered to PNG with
 * Java2D and to SVG from the same layout. Immutable once built.
 *
 * @param title chart title
 * @param xLabel x axis title
 * @param yLabel y axis title
 * @param series the lines
 * @param xTicks x tick positions and labels (empty: chosen automatically)
 */
public record Chart(String title, String xLabel, String yLabel, List<Series> series,
    List<Tick> xTicks) {
  private static final int W = 760;
  private static final int H = 460;
  private static final int LEFT = 72;
  private static final int RIGHT = 200;
  private static final int TOP = 40;
  private static final int BOTTOM = 56;
  private static final Color AXIS = new Color(60, 60, 60);
  private static final Color GRID = new Color(228, 228, 228);

  /** The palette: baseline blue, candidate orange, then more. */
  public static final List<Color> PALETTE = List.of(new Color(31, 119, 180),
      new Color(255, 127, 14), new Color(44, 160, 44), new Color(214, 39, 40),
      new Color(148, 103, 189), new Color(140, 86, 75));

  /**
   * One line.
   *
   * @param label legend text
   * @param color line color
   * @param xs x values
   * @param ys y values, parallel to xs
   * @param pointLabels text next to each point (null: none)
   * @param dashed dashed line
   * @param markers dots at points
   */
  public record Series(String label, Color color, double[] xs, double[] ys,
      List<String> pointLabels, boolean dashed, boolean markers) {}

  /** An x tick. */
  public record Tick(double value, String label) {}

  public Chart {
    series = List.copyOf(series);
    xTicks = List.copyOf(xTicks);
  }

  /** Writes {@code base.png} and {@code base.svg}. */
  public void write(Path dir, String base) throws IOException {
    PngCanvas png = new PngCanvas(W, H);
    draw(png);
    ImageIO.write(png.finish(), "png", dir.resolve(base + ".png").toFile());
    SvgCanvas svg = new SvgCanvas(W, H);
    draw(svg);
    Files.writeString(dir.resolve(base + ".svg"), svg.finish(), StandardCharsets.UTF_8);
  }

  void draw(Canvas c) {
    double xMin = Double.POSITIVE_INFINITY;
    double xMax = Double.NEGATIVE_INFINITY;
    double yMax = 0;
    for (Series s : series) {
      for (int i = 0; i < s.xs().length; i++) {
        xMin = Math.min(xMin, s.xs()[i]);
        xMax = Math.max(xMax, s.xs()[i]);
        yMax = Math.max(yMax, s.ys()[i]);
      }
    }
    if (!xTicks.isEmpty()) {
      xMin = Math.min(xMin, xTicks.get(0).value());
      xMax = Math.max(xMax, xTicks.get(xTicks.size() - 1).value());
    }
    if (!(xMax > xMin)) {
      xMin = Double.isFinite(xMin) ? xMin - 1 : 0;
      xMax = xMin + 2;
    }
    List<Tick> xt = xTicks.isEmpty() ? niceTicks(0, xMax) : xTicks;
    if (xTicks.isEmpty()) {
      xMin = 0;
      xMax = xt.get(xt.size() - 1).value();
    }
    List<Tick> yt = niceTicks(0, yMax > 0 ? yMax : 1);
    double yTop = yt.get(yt.size() - 1).value();
    double pw = W - LEFT - RIGHT;
    double ph = H - TOP - BOTTOM;
    final double x0 = xMin;
    final double xr = xMax - xMin;
    java.util.function.DoubleUnaryOperator px = x -> LEFT + (x - x0) / xr * pw;
    java.util.function.DoubleUnaryOperator py = y -> TOP + ph - y / yTop * ph;

    for (Tick t : yt) {
      double y = py.applyAsDouble(t.value());
      c.polyline(new double[] {LEFT, LEFT + pw}, new double[] {y, y}, GRID, 1, false);
      c.text(LEFT - 6, y + 4, t.label(), 11, AXIS, Canvas.Anchor.END, false);
    }
    for (Tick t : xt) {
      double x = px.applyAsDouble(t.value());
      c.polyline(new double[] {x, x}, new double[] {TOP, TOP + ph}, GRID, 1, false);
      c.text(x, TOP + ph + 16, t.label(), 11, AXIS, Canvas.Anchor.MIDDLE, false);
    }
    c.polyline(new double[] {LEFT, LEFT, LEFT + pw}, new double[] {TOP, TOP + ph, TOP + ph},
        AXIS, 1.2f, false);
    c.text(LEFT + pw / 2, 24, title, 15, Color.BLACK, Canvas.Anchor.MIDDLE, false);
    c.text(LEFT + pw / 2, H - 14, xLabel, 12, AXIS, Canvas.Anchor.MIDDLE, false);
    c.text(18, TOP + ph / 2, yLabel, 12, AXIS, Canvas.Anchor.MIDDLE, true);

    int legendY = TOP + 10;
    for (Series s : series) {
      double[] xs = new double[s.xs().length];
      double[] ys = new double[s.ys().length];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = px.applyAsDouble(s.xs()[i]);
        ys[i] = py.applyAsDouble(s.ys()[i]);
      }
      c.polyline(xs, ys, s.color(), 2f, s.dashed());
      if (s.markers()) {
        for (int i = 0; i < xs.length; i++) {
          c.dot(xs[i], ys[i], 4, s.color());
          if (s.pointLabels() != null && i < s.pointLabels().size()) {
            c.text(xs[i] + 6, ys[i] - 6, s.pointLabels().get(i), 10, s.color(),
                Canvas.Anchor.START, false);
          }
        }
      }
      double lx = LEFT + pw + 14;
      c.polyline(new double[] {lx, lx + 22}, new double[] {legendY - 4, legendY - 4}, s.color(),
          2.5f, s.dashed());
      c.text(lx + 28, legendY, s.label(), 11, Color.BLACK, Canvas.Anchor.START, false);
      legendY += 18;
    }
  }

  /** Round ticks from 0 up to at least max: 1, 2 or 5 times a power of ten apart. */
  static List<Tick> niceTicks(double min, double max) {
    double span = Math.max(max - min, 1e-9);
    double raw = span / 5;
    double mag = Math.pow(10, Math.floor(Math.log10(raw)));
    double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag
        : 10 * mag;
    List<Tick> out = new ArrayList<>();
    for (int i = 0; ; i++) {
      double v = min + i * step;
      out.add(new Tick(v, format(v)));
      if (v >= max - 1e-12) {
        break;
      }
    }
    return out;
  }

  static String format(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e9) {
      return String.valueOf((long) v);
    }
    return String.format(java.util.Locale.ROOT, Math.abs(v) < 1 ? "%.2f" : "%.1f", v);
  }
}
